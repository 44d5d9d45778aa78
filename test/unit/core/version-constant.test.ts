import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LOCKSTEP_VERSION } from '../../../core/src/version.js';
import { REPO_ROOT } from '../../helpers/paths.js';

test('LOCKSTEP_VERSION matches package.json', () => {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  assert.equal(LOCKSTEP_VERSION, manifest.version);
});
