// Every public entry point that takes a name, a ref or a run id refuses text that would lead a
// path out of the store (traversal, absolute paths, NUL bytes, backslashes, over-long names) with
// a clear one-line error, and nothing outside the store is read or written. A decoy journal sits
// where the traversal would land: its contents must never be printed.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Lockstep } from '../../core/src/index.js';
import { GREET, assertNoStackTrace, gitRepo, lockstep, treeOf } from '../helpers/cli-workspace.js';
import { HOSTILE } from '../unit/core/store/contract.js';

const DECOY = 'DECOY-CONTENTS-THAT-MUST-NOT-LEAK';

/** A workspace with a published workflow, and decoy files beside it where traversals lead. */
function scene(t: import('node:test').TestContext): { dir: string; outside: string } {
  const dir = gitRepo(t, { 'flows/greet.workflow.yaml': GREET });
  const outside = path.join(dir, 'elsewhere');
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'stolen.jsonl'), `{"type":"${DECOY}"}\n`);
  writeFileSync(path.join(dir, 'outside.json'), DECOY);
  return { dir, outside };
}

const COMMANDS: [string, (bad: string) => string[]][] = [
  ['versions', (bad) => ['versions', bad]],
  ['runs', (bad) => ['runs', bad]],
  ['inspect', (bad) => ['inspect', bad]],
  ['replay', (bad) => ['replay', bad]],
  ['compare', (bad) => ['compare', bad, bad]],
  ['show', (bad) => ['show', `${bad}@1`]],
  ['diff', (bad) => ['diff', `${bad}@1`, 'greet@1']],
  ['run', (bad) => ['run', `greet@${bad}`]],
];

test('the CLI refuses hostile names, refs and run ids with one clear line', async (t) => {
  const { dir } = scene(t);
  const published = await lockstep(dir, ['publish', 'flows/greet.workflow.yaml', '-m', 'v1']);
  assert.equal(published.code, 0, published.stderr);
  const before = treeOf(dir);
  // A NUL byte cannot be passed as a process argument at all: the library test covers it.
  const hostile = HOSTILE.filter((bad) => !bad.includes('\0') && bad !== '');
  for (const [name, args] of COMMANDS) {
    for (const bad of hostile) {
      const result = await lockstep(dir, [...args(bad), '--json']);
      const where = `lockstep ${name} ${JSON.stringify(bad).slice(0, 60)}`;
      assert.equal(result.code, 2, `${where}: ${result.stderr}${result.stdout}`);
      assertNoStackTrace(result);
      assert.ok(!`${result.stdout}${result.stderr}`.includes(DECOY), `${where} printed the decoy`);
      const body = JSON.parse(result.stdout) as { ok: boolean; error: { code: string } };
      assert.equal(body.ok, false, where);
      assert.ok(
        ['bad-name', 'bad-run-id', 'bad-ref', 'unknown-run', 'usage'].includes(body.error.code),
        `${where}: ${body.error.code}`,
      );
    }
  }
  const after = treeOf(dir);
  const changed = Object.keys(after).filter(
    (file) => !file.startsWith('.lockstep/local/') && after[file] !== before[file],
  );
  assert.deepEqual(changed, [], 'nothing outside the store was written');
});

test('the traversal from the audit is refused: inspect 0/../../../../elsewhere/stolen', async (t) => {
  const { dir } = scene(t);
  await lockstep(dir, ['publish', 'flows/greet.workflow.yaml', '-m', 'v1']);
  const result = await lockstep(dir, ['inspect', '0/../../../../elsewhere/stolen']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^lockstep: '0\/\.\.\/.*' is not a run id or the start of one/);
  assert.ok(!result.stdout.includes(DECOY) && !result.stderr.includes(DECOY));
  const versions = await lockstep(dir, ['versions', '../../outside']);
  assert.equal(versions.code, 2);
  assert.match(versions.stderr, /^lockstep: '\.\.\/\.\.\/outside' is not a workflow name/);
});

test('the library refuses hostile names and ids, NUL bytes included', async (t) => {
  const { dir } = scene(t);
  const api = await Lockstep.open(dir);
  t.after(() => api.close());
  for (const bad of HOSTILE) {
    for (const [name, call] of [
      ['versions', () => api.versions(bad)],
      ['inspect', () => api.inspect(bad)],
      ['runs', () => api.runs({ workflow: bad })],
      ['run', () => api.run(`greet@${bad}`)],
    ] as const) {
      await assert.rejects(call(), (error: Error & { code?: string }) => {
        assert.ok(
          ['bad-name', 'bad-run-id', 'bad-ref'].includes(error.code ?? ''),
          `${name}(${JSON.stringify(bad).slice(0, 40)}): ${error.code} ${error.message}`,
        );
        assert.ok(!error.message.includes(DECOY));
        return true;
      });
    }
  }
});

test('a workflow file outside the workspace is refused by the library', async (t) => {
  const { dir } = scene(t);
  const other = gitRepo(t, { 'other.workflow.yaml': GREET });
  const api = await Lockstep.open(dir);
  t.after(() => api.close());
  await assert.rejects(
    api.run(path.join(other, 'other.workflow.yaml'), { input: { name: 'x' } }),
    /is outside the workspace/,
  );
});
