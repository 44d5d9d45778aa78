// What an attempt does with the run an earlier attempt left, before running anything: an
// interrupted one is sealed first, and what the seal finds decides (its writer came back: the job
// waits; it ended meanwhile: the job is marked with how). A queue that says the worker no longer
// holds the job is obeyed: the job is left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord, RunStatus } from '../../../../../core/src/model/runs.js';
import type { QueuedJob } from '../../../../../core/src/node/team/queue/queue-job.js';
import type { RunQueue } from '../../../../../core/src/node/team/queue/run-queue.js';
import {
  executeJob,
  type JobContext,
} from '../../../../../core/src/node/team/worker/execute-job.js';
import type { AbandonOutcome, Store } from '../../../../../core/src/store/store.js';
import type { Workspace } from '../../../../../core/src/node/workspace/workspace.js';

const EARLIER = '0193a1b2-0000-7000-8000-000000000001';

const job = {
  id: '0193a1b2-0000-7000-8000-000000000000',
  workflow: 'work',
  ref: 'work@production',
  input: {},
  state: 'running',
  attempts: 2,
  maxAttempts: 3,
  runIds: [EARLIER],
  availableAt: '2026-12-06T00:00:00.000Z',
  createdAt: '2026-12-06T00:00:00.000Z',
} satisfies QueuedJob;

/** A store whose earlier run reads `statuses` in turn, and whose seal finds `found`. */
function storeWith(statuses: RunStatus[], found?: AbandonOutcome) {
  const sealed: string[] = [];
  const store = {
    getRun: () => Promise.resolve({ status: statuses.shift() } as RunRecord),
    ...(found ? { abandonRun: (id: string) => (sealed.push(id), Promise.resolve(found)) } : {}),
  } as unknown as Store;
  return { store, sealed };
}

/** A queue recording what it was asked; `holds` says whether the worker still holds the job. */
function queueWith(holds: boolean) {
  const calls: string[] = [];
  const record =
    (what: string) =>
    (...args: unknown[]) => {
      calls.push(`${what} ${args.join(' ')}`);
      return Promise.resolve(holds);
    };
  const queue = {
    finish: record('finish'),
    release: record('release'),
    retryLater: record('retryLater'),
    fail: record('fail'),
  } as unknown as RunQueue;
  return { queue, calls };
}

function context(store: Store, queue: RunQueue): JobContext {
  return {
    worker: 'w1',
    workspace: {} as Workspace,
    store,
    queue,
    shutdown: new AbortController().signal,
    leaseLost: new AbortController().signal,
    releaseDelayMs: 1000,
    backoffMs: () => 0,
  };
}

test('an interrupted run whose writer came back before the seal: the job is given back to wait for it', async () => {
  const { store, sealed } = storeWith(['interrupted'], 'running');
  const { queue, calls } = queueWith(true);
  const outcome = await executeJob(job, context(store, queue));
  assert.deepEqual(outcome, { kind: 'still-running', run: EARLIER });
  assert.deepEqual(sealed, [EARLIER]);
  assert.deepEqual(calls, [`release ${job.id} w1 1000`]);
});

test('an interrupted run that ended before the seal: the job is marked with how it ended', async () => {
  const { store } = storeWith(['interrupted', 'succeeded'], 'ended');
  const { queue, calls } = queueWith(true);
  const outcome = await executeJob(job, context(store, queue));
  assert.deepEqual(outcome, { kind: 'already-ran', run: EARLIER, status: 'succeeded' });
  assert.deepEqual(calls, [`finish ${job.id} w1 succeeded`]);
});

test('a job another worker holds now is left to it', async () => {
  for (const [statuses, found] of [
    [['succeeded'], undefined],
    [['running'], undefined],
    [['interrupted'], 'running'],
  ] as const) {
    const { store } = storeWith([...statuses], found);
    const { queue } = queueWith(false);
    assert.deepEqual(await executeJob(job, context(store, queue)), { kind: 'lease-lost' });
  }
});
