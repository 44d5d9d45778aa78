// A worker across a database restart: the queue's server (one of its own, stopped and started on
// the same data folder and port) goes away while a run is in flight; the worker says so, keeps
// trying with backoff, marks the job done once the server is back (the run ran once), and takes
// the next job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunQueue } from '../../core/src/node/team/queue/run-queue.js';
import { restartablePostgres } from '../helpers/restartable-postgres.js';
import { pollUntil } from '../helpers/store-wait.js';
import { startWorker } from '../helpers/team-processes.js';
import { startWorkServer, teamWorkspace } from '../helpers/team-workspace.js';

test('a worker carries on across a restart of the queue’s database, a run in flight included', async (t) => {
  const database = await restartablePostgres(t, 'queue');
  const url = database.url;

  const work = await startWorkServer(t, { delayMs: 2500 });
  const dir = await teamWorkspace(t, work.origin);
  const worker = await startWorker(t, dir, url, ['--poll', '0.3']);
  const enqueue = async (who: string): Promise<string> => {
    const queue = await RunQueue.open(url);
    try {
      return (await queue.enqueue({ ref: 'work@production', input: { who } })).job.id;
    } finally {
      await queue.close();
    }
  };
  const jobOf = async (id: string) => {
    const queue = await RunQueue.open(url);
    try {
      return await queue.get(id);
    } finally {
      await queue.close();
    }
  };

  const inFlight = await enqueue('across');
  await pollUntil(() => work.calls.length === 1, { what: 'the run to call the server' });
  await database.stop();
  await pollUntil(() => /cannot take jobs|lost the queue/.test(worker.output()), {
    what: `the worker to notice\n${worker.output()}`,
  });
  await database.start();

  const first = await pollUntil(
    async () => {
      const job = await jobOf(inFlight);
      return job?.state === 'done' ? job : undefined;
    },
    {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `the job in flight to be done\n${worker.output()}`,
    },
  );
  assert.equal(first.runStatus, 'succeeded');
  assert.deepEqual(first.runIds, [inFlight], 'one run');

  const next = await enqueue('after');
  const second = await pollUntil(
    async () => {
      const job = await jobOf(next);
      return job?.state === 'done' ? job : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `the next job to be done\n${worker.output()}` },
  );
  assert.equal(second.runStatus, 'succeeded');
  assert.deepEqual(work.calls, ['across', 'after'], 'each ran once');
});
