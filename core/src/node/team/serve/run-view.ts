/**
 * What `GET /v1/runs/:id` answers: the queued job (when the id was enqueued) and its run as the
 * store holds it (secrets already redacted there). A job retried after an interrupted attempt
 * points at its latest attempt's run; the earlier runs stay listed in `job.runIds`.
 */
import { StoreError } from '../../../model/errors.js';
import type { RunRecord } from '../../../model/runs.js';
import type { Store } from '../../../store/store.js';
import type { QueuedJob } from '../queue/queue-job.js';
import type { RunQueue } from '../queue/run-queue.js';

export interface RunView {
  readonly id: string;
  /** The job's state, or `started` for a run that never went through the queue. */
  readonly state: QueuedJob['state'] | 'started';
  readonly job: QueuedJob | null;
  readonly run: RunRecord | null;
}

/** The job and run of `id`, or undefined when neither the queue nor the store knows it. */
export async function viewRun(
  queue: RunQueue,
  store: Store,
  id: string,
): Promise<RunView | undefined> {
  const job = (await queue.get(id)) ?? null;
  const runId = job ? job.runIds.at(-1) : id;
  const run = runId === undefined ? null : ((await readRun(store, runId)) ?? null);
  if (!job && !run) return undefined;
  return { id, state: job?.state ?? 'started', job, run };
}

/** A run from the store; undefined while its journal is still being created. */
export async function readRun(store: Store, id: string): Promise<RunRecord | undefined> {
  try {
    return await store.getRun(id);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'starting-run') return undefined;
    throw error;
  }
}
