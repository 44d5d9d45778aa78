// The `lockstep` executable answers --version by itself (without loading the command line) and
// hands everything else to the command line, which answers the same version.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LOCKSTEP_VERSION } from '../../core/src/version.js';
import { REPO_ROOT } from '../helpers/paths.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const lockstep = (...args: string[]): string =>
  execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('--version and -V are answered by the small entry, the same as by the command line', () => {
  assert.equal(lockstep('--version'), `${LOCKSTEP_VERSION}\n`);
  assert.equal(lockstep('-V'), `${LOCKSTEP_VERSION}\n`);
  // Given with anything else, the command line answers (commander's own --version).
  assert.equal(lockstep('--version', '--json'), `${LOCKSTEP_VERSION}\n`);
  assert.ok(statSync(CLI).size < 4096, 'the entry holds no command code');
  assert.match(readFileSync(CLI, 'utf8'), /cli-main\.js/);
  assert.match(lockstep('--help'), /Usage: lockstep/);
});
