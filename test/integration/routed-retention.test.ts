// A run routed by a channel is decided on the channel as it was when the run started: the version
// it was routed to was on the channel then, so it runs even if another process moves the channel
// (and so retires that version) between the routing decision and the run. Found by the
// reliability suite's concurrency run (test/reliability/concurrency.reliability.ts).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Lockstep } from '../../core/src/index.js';
import { resolveRunnable, runResolved } from '../../core/src/node/services/run-service.js';
import { assertExit, gitRepo, lockstep } from '../helpers/cli-workspace.js';

const version = (n: number): string => `name: multi\nsteps:\n  - id: a\n    transform: ${n}\n`;

test('a run routed to a version keeps it though the channel moves on before the run starts', async (t) => {
  const repo = gitRepo(t, { '.lockstep/config.yaml': 'retention:\n  versions: 1\n' });
  const file = path.join(repo, 'multi.workflow.yaml');
  for (const n of [1, 2, 3]) {
    writeFileSync(file, version(n));
    assertExit(await lockstep(repo, ['publish', 'multi.workflow.yaml', '-m', `v${n}`]), 0);
  }
  assertExit(await lockstep(repo, ['promote', 'multi@1', '--channel', 'production']), 0);

  const embedded = await Lockstep.open(repo);
  t.after(() => embedded.close());
  const routed = await resolveRunnable(embedded.workspace, embedded.store, 'multi@production');
  assert.equal(routed.publication?.seq, 1);
  // Another process moves the channel: v1 is now neither kept nor on a channel, so retired.
  assertExit(await lockstep(repo, ['promote', 'multi@3', '--channel', 'production']), 0);

  const run = await runResolved(embedded.workspace, embedded.store, routed);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.output, 1);
  assert.equal(run.routing?.channel, 'production');
  // An unrouted run of the retired version is still refused.
  await assert.rejects(embedded.run('multi@1'), /retired/);
});
