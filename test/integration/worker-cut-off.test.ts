// A worker cut off from the database (a network partition: its process lives on) for longer than
// its lease, while its run waits on a call: another worker takes the job, seals the run left
// behind and runs the job to the end. When the first worker's call answers and it reaches the
// database again, its run is refused (it stays interrupted, never finished) and the job it no
// longer holds is left alone: the job completed once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { RunQueue } from '../../core/src/node/team/queue/run-queue.js';
import { startCuttableLink } from '../helpers/cuttable-link.js';
import { freshDatabase } from '../helpers/postgres.js';
import { pollUntil } from '../helpers/store-wait.js';
import { startWorker } from '../helpers/team-processes.js';
import { startWorkServer, teamWorkspace } from '../helpers/team-workspace.js';

test('a worker cut off past its lease cannot finish its run beside the retry: the run is sealed, the job completes once', async (t) => {
  const work = await startWorkServer(t, { hangFirst: true });
  const url = await freshDatabase(t);
  const dir = await teamWorkspace(t, work.origin, { LOCKSTEP_STORE: url });
  const queue = await RunQueue.open(url);
  t.after(() => queue.close());
  const store = await openPgStore(url);
  t.after(() => store.close());
  // The store and the queue on links of their own: the store comes back first, so that nothing
  // but the store can stop the cut-off worker's run (its lease's renewal would cancel it).
  const storeLink = await startCuttableLink(t, url);
  const queueLink = await startCuttableLink(t, url);
  const fast = ['--lease', '1', '--poll', '0.2'];
  const cutOff = await startWorker(t, dir, { store: storeLink.through(url) }, [
    ...fast,
    '--queue-url',
    queueLink.through(url),
  ]);

  const { job } = await queue.enqueue({ ref: 'work@production', input: { who: 'contested' } });
  await pollUntil(() => work.held.length === 1, {
    timeoutMs: 20_000,
    what: `the cut-off worker's run to call out\n${cutOff.output()}`,
  });
  storeLink.cut();
  queueLink.cut();

  const other = await startWorker(t, dir, { store: url }, fast);
  const done = await pollUntil(
    async () => {
      const now = await queue.get(job.id);
      return now?.state === 'done' ? now : undefined;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `the other worker to run the job\n${other.output()}`,
    },
  );
  assert.equal(done.runIds.length, 2, 'a second attempt');
  const [first, second] = done.runIds as [string, string];
  assert.equal((await store.getRun(second))?.status, 'succeeded');

  // The cut-off worker's call answers: its run ends, and reaches the store again.
  work.release();
  storeLink.restore();
  await pollUntil(() => cutOff.output().includes(`${job.id}: `), {
    timeoutMs: 30_000,
    what: `the cut-off worker to end its attempt\n${cutOff.output()}`,
  });
  const runs = await store.listRuns({ workflow: 'work' });
  assert.deepEqual(
    runs.map((run) => [run.id, run.status]).sort(),
    [
      [first, 'interrupted'],
      [second, 'succeeded'],
    ].sort(),
    'one run of the job succeeded',
  );
  const sealed = await store.getRun(first);
  assert.equal(sealed?.status, 'interrupted');
  assert.equal(sealed?.finishedAt, undefined, 'its end was never recorded');
  assert.match(cutOff.output(), /given up as interrupted .*another worker runs the job/);

  queueLink.restore();
  await pollUntil(() => cutOff.output().includes('reachable again'), {
    timeoutMs: 30_000,
    what: `the cut-off worker to reach the queue again\n${cutOff.output()}`,
  });
  const after = await queue.get(job.id);
  assert.deepEqual(
    [after?.state, after?.runStatus, after?.attempts, after?.runIds],
    ['done', 'succeeded', 2, [first, second]],
    'the job is done once, as the other worker left it',
  );
  assert.deepEqual(work.calls, ['contested', 'contested']);
});
