/** Enqueueing one run from a library user, without keeping a connection open. */
import type { QueuedJob } from './queue-job.js';
import { RunQueue, type EnqueueRequest } from './run-queue.js';

/**
 * Queues a run of `request.ref` (`name@channel`) for `lockstep worker` processes instead of
 * running it in this process; they route it through the channel when they start it. Enqueueing
 * the same `id` again returns the existing job (`created` false).
 * @param queueUrl the queue's PostgreSQL database (`postgres://…`).
 * @throws RefError for a file path or a malformed ref; LockstepError `bad-run-id`, `conflict`
 *   (the id was enqueued with another request); StoreError when the database is unreachable.
 */
export async function enqueueRun(
  queueUrl: string,
  request: EnqueueRequest,
): Promise<{ job: QueuedJob; created: boolean }> {
  const queue = await RunQueue.open(queueUrl);
  try {
    return await queue.enqueue(request);
  } finally {
    await queue.close();
  }
}
