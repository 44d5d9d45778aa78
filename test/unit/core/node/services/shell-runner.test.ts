// A shell step's command sees a minimal environment plus what it declares, and runs inside the
// workspace: never the runner's whole environment, never a folder outside.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  shellEnvironment,
  shellRunner,
} from '../../../../../core/src/node/services/shell-runner.js';
import { tempDir } from '../../../../helpers/temp.js';

test('the environment: PATH, HOME and the like, then the declared variables, nothing else', () => {
  const env = shellEnvironment(
    { TOKEN: 'declared' },
    { PATH: '/usr/bin', HOME: '/home/ada', AWS_SECRET_ACCESS_KEY: 'leak', OPENAI_API_KEY: 'leak' },
  );
  assert.deepEqual(env, { PATH: '/usr/bin', HOME: '/home/ada', TOKEN: 'declared' });
});

test('a command does not see the runner’s variables', async (t) => {
  process.env['LOCKSTEP_TEST_AMBIENT'] = 'ambient-value';
  t.after(() => delete process.env['LOCKSTEP_TEST_AMBIENT']);
  const run = shellRunner(tempDir(t));
  const result = await run(
    { command: 'echo "[$LOCKSTEP_TEST_AMBIENT][$MINE]"', cwd: '.', env: { MINE: 'x' } },
    new AbortController().signal,
  );
  assert.equal(result.stdout, '[][x]\n');
});

test('a working directory outside the workspace is refused, links included', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  mkdirSync(path.join(root, 'inside'));
  symlinkSync(outside, path.join(root, 'link'));
  const run = shellRunner(root);
  const signal = new AbortController().signal;
  const inside = await run({ command: 'pwd', cwd: 'inside', env: {} }, signal);
  assert.equal(inside.exitCode, 0);
  for (const cwd of ['..', '../elsewhere', outside, 'link']) {
    await assert.rejects(
      run({ command: 'pwd', cwd, env: {} }, signal),
      (error: Error & { code?: string }) => error.code === 'shell-cwd',
      cwd,
    );
  }
});
