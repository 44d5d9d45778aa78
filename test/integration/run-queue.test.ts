// The run queue on a real PostgreSQL: a worker marks a job (done, failed, queued again, given
// back) only while it holds it. One whose lease ran out and whose job another worker took
// changes nothing, and is told so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunQueue } from '../../core/src/node/team/queue/run-queue.js';
import { freshDatabase } from '../helpers/postgres.js';
import { pollUntil } from '../helpers/store-wait.js';

test('finish, fail, retryLater and release by a worker that no longer holds the job change nothing', async (t) => {
  const queue = await RunQueue.open(await freshDatabase(t));
  t.after(() => queue.close());
  const { job } = await queue.enqueue({ ref: 'work@production', input: { who: 'held' } });
  assert.equal((await queue.take('late', 1))?.id, job.id);
  // Its lease of 1 ms runs out: the next take is another worker's.
  const taken = await pollUntil(() => queue.take('holder', 60_000), {
    what: 'the lease to run out and the job to be taken again',
  });
  assert.deepEqual([taken.id, taken.attempts], [job.id, 2]);
  const before = await queue.get(job.id);

  assert.equal(await queue.finish(job.id, 'late', 'succeeded'), false);
  assert.equal(await queue.fail(job.id, 'late', 'too late'), false);
  assert.equal(await queue.retryLater(job.id, 'late', 'too late', 0), false);
  assert.equal(await queue.release(job.id, 'late', 0), false);
  assert.deepEqual(await queue.get(job.id), before, 'the job is as the holder has it');

  assert.equal(await queue.finish(job.id, 'holder', 'succeeded'), true);
  const done = await queue.get(job.id);
  assert.deepEqual([done?.state, done?.runStatus], ['done', 'succeeded']);
  assert.equal(
    await queue.retryLater(job.id, 'holder', 'after the end', 0),
    false,
    'done stays done',
  );
  assert.deepEqual(await queue.get(job.id), done);
});

test('the worker holding a job marks it: failed, queued again, given back', async (t) => {
  const queue = await RunQueue.open(await freshDatabase(t));
  t.after(() => queue.close());
  const enqueue = async (who: string) =>
    (await queue.enqueue({ ref: 'work@production', input: { who } })).job.id;

  const failing = await enqueue('failing');
  assert.equal((await queue.take('w', 60_000))?.id, failing);
  assert.equal(await queue.fail(failing, 'w', 'unknown channel'), true);
  const failed = await queue.get(failing);
  assert.deepEqual([failed?.state, failed?.error], ['failed', 'unknown channel']);

  const retried = await enqueue('retried');
  assert.equal((await queue.take('w', 60_000))?.id, retried);
  assert.equal(await queue.retryLater(retried, 'w', 'store unreachable', 0), true);
  assert.equal((await queue.get(retried))?.state, 'queued');

  assert.equal((await queue.take('w', 60_000))?.id, retried);
  assert.equal(await queue.release(retried, 'w', 0), true);
  const released = await queue.get(retried);
  assert.deepEqual([released?.state, released?.attempts], ['queued', 1], 'not counted');
});
