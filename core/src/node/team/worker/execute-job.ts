/**
 * One attempt at a queued job: make sure it was not already run to the end by an earlier attempt,
 * note the attempt's run id in the queue, then resolve and run the ref exactly as `lockstep run
 * name@channel` does (channel routing, the workspace's secrets and settings, the store), and mark
 * the job with the outcome.
 */
import { v7 as uuidv7 } from 'uuid';
import { LockstepError, StoreError } from '../../../model/errors.js';
import type { RunStatus } from '../../../model/runs.js';
import type { Store } from '../../../store/store.js';
import { resolveRunnable, runResolved } from '../../services/run-service.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { QueuedJob } from '../queue/queue-job.js';
import type { RunQueue } from '../queue/run-queue.js';

export interface JobContext {
  readonly workspace: Workspace;
  readonly store: Store;
  readonly queue: RunQueue;
  /** Aborted when the worker gives up waiting for its runs at shutdown. */
  readonly shutdown: AbortSignal;
  /** Aborted when another worker took the job (this one's lease ran out while it ran). */
  readonly leaseLost: AbortSignal;
  /** How long a job whose earlier run is still being written waits before another look (ms). */
  readonly releaseDelayMs: number;
  /** The delay before retrying after the `n`th failed attempt (ms). */
  readonly backoffMs: (attempt: number) => number;
}

/** What became of an attempt, for the worker's log. */
export type JobOutcome =
  | { readonly kind: 'ran'; readonly run: string; readonly status: RunStatus }
  | { readonly kind: 'already-ran'; readonly run: string; readonly status: RunStatus }
  | { readonly kind: 'still-running'; readonly run: string }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'retry'; readonly error: string }
  | { readonly kind: 'stopped'; readonly run: string }
  | { readonly kind: 'lease-lost'; readonly run: string };

/**
 * Runs one attempt of `job` and records its outcome in the queue.
 * @throws StoreError only when the queue itself cannot be written (the lease then runs out and
 *   the job is taken again).
 */
export async function executeJob(job: QueuedJob, context: JobContext): Promise<JobOutcome> {
  const earlier = await earlierRun(job, context.store);
  if (earlier?.status === 'succeeded' || earlier?.status === 'failed') {
    // Never twice to completion: the run ended, only its job was not marked (worker killed).
    await context.queue.finish(job.id, earlier.status);
    return { kind: 'already-ran', run: earlier.id, status: earlier.status };
  }
  if (earlier?.status === 'running') {
    // Its writer is alive (it lost the database for longer than its lease): let it finish.
    await context.queue.release(job.id, context.releaseDelayMs);
    return { kind: 'still-running', run: earlier.id };
  }
  // The first attempt's run takes the job's id; a retry's run gets its own, since the
  // interrupted one stays in the store as the record of what happened.
  const runId = job.runIds.length === 0 ? job.id : uuidv7();
  try {
    const version = await resolveRunnable(context.workspace, context.store, job.ref, job.input);
    await context.queue.recordAttempt(job.id, runId);
    const result = await runResolved(context.workspace, context.store, version, {
      input: job.input,
      id: runId,
      // Cancelled rather than finished twice: another worker runs the job now.
      signal: AbortSignal.any([context.shutdown, context.leaseLost]),
    });
    if (result.status === 'cancelled' && context.leaseLost.aborted) {
      return { kind: 'lease-lost', run: runId }; // the job is the other worker's to mark
    }
    if (result.status === 'cancelled' && context.shutdown.aborted) {
      await context.queue.retryLater(job.id, 'its worker stopped before the run ended', 0);
      return { kind: 'stopped', run: runId };
    }
    await context.queue.finish(job.id, result.status);
    return { kind: 'ran', run: runId, status: result.status };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isPermanent(error)) {
      await context.queue.fail(job.id, message);
      return { kind: 'failed', error: message };
    }
    // A database or store failure. When the run had started, whether it ended is for the next
    // attempt to find out from the store.
    await context.queue.retryLater(job.id, message, context.backoffMs(job.attempts));
    return { kind: 'retry', error: message };
  }
}

/** The latest earlier attempt's run as the store has it (undefined when none got started). */
async function earlierRun(
  job: QueuedJob,
  store: Store,
): Promise<{ id: string; status: RunStatus } | undefined> {
  for (const id of [...job.runIds].reverse()) {
    const record = await store.getRun(id).catch((error: unknown) => {
      // A journal created with no event yet: its process died while creating it.
      if (error instanceof StoreError && error.code === 'starting-run') return undefined;
      throw error;
    });
    if (record) return { id, status: record.status };
  }
  return undefined;
}

/** Errors another attempt would meet again: unknown workflows, bad inputs, retired versions. */
function isPermanent(error: unknown): boolean {
  return error instanceof LockstepError && !(error instanceof StoreError);
}
