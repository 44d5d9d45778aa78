/**
 * One attempt at a queued job: make sure it was not already run to the end by an earlier attempt
 * (and that an interrupted one never will be), note the attempt's run id in the queue, then
 * resolve and run the ref exactly as `lockstep run name@channel` does (channel routing, the
 * workspace's secrets and settings, the store), and mark the job with the outcome.
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
  /** The worker running the attempt, as the queue names it (`locked_by`). */
  readonly worker: string;
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
  /**
   * Another worker holds the job now: it is left to that one. `run` is this attempt's, when it
   * started one, with the status it got (`interrupted`: it was sealed, see Store.abandonRun).
   */
  | { readonly kind: 'lease-lost'; readonly run?: string; readonly status?: RunStatus };

/**
 * Runs one attempt of `job` and records its outcome in the queue, as long as this worker holds
 * the job: once another worker took it over, the job is left alone (`lease-lost`).
 * @throws StoreError only when the queue itself cannot be written (the lease then runs out and
 *   the job is taken again).
 */
export async function executeJob(job: QueuedJob, context: JobContext): Promise<JobOutcome> {
  const { queue, worker } = context;
  const earlier = await earlierRun(job, context.store);
  if (earlier?.status === 'succeeded' || earlier?.status === 'failed') {
    // Never twice to completion: the run ended, only its job was not marked (worker killed).
    return (await queue.finish(job.id, worker, earlier.status))
      ? { kind: 'already-ran', run: earlier.id, status: earlier.status }
      : { kind: 'lease-lost' };
  }
  if (earlier?.status === 'running') {
    // Its writer is alive (it lost the database for longer than its lease): let it finish.
    return (await queue.release(job.id, worker, context.releaseDelayMs))
      ? { kind: 'still-running', run: earlier.id }
      : { kind: 'lease-lost' };
  }
  // The first attempt's run takes the job's id; a retry's run gets its own, since the
  // interrupted one stays in the store as the record of what happened.
  const runId = job.runIds.length === 0 ? job.id : uuidv7();
  // When the queue says another worker holds the job: what this attempt's run became, if known.
  const held = (still: boolean, outcome: JobOutcome, status?: RunStatus): JobOutcome =>
    still ? outcome : status ? { kind: 'lease-lost', run: runId, status } : { kind: 'lease-lost' };
  try {
    const version = await resolveRunnable(context.workspace, context.store, job.ref, job.input);
    await queue.recordAttempt(job.id, runId);
    const result = await runResolved(context.workspace, context.store, version, {
      input: job.input,
      id: runId,
      // Cancelled rather than finished twice: another worker runs the job now.
      signal: AbortSignal.any([context.shutdown, context.leaseLost]),
    });
    if (result.status === 'cancelled' && context.leaseLost.aborted) {
      // The job is the other worker's to mark.
      return { kind: 'lease-lost', run: runId, status: 'cancelled' };
    }
    if (result.status === 'cancelled' && context.shutdown.aborted) {
      const requeued = await queue.retryLater(
        job.id,
        worker,
        'its worker stopped before the run ended',
        0,
      );
      return held(requeued, { kind: 'stopped', run: runId }, 'cancelled');
    }
    const finished = await queue.finish(job.id, worker, result.status);
    return held(finished, { kind: 'ran', run: runId, status: result.status }, result.status);
  } catch (error) {
    // The run was sealed: another attempt took its work over while this worker was cut off.
    if (error instanceof StoreError && error.code === 'run-abandoned') {
      return { kind: 'lease-lost', run: runId, status: 'interrupted' };
    }
    const message = error instanceof Error ? error.message : String(error);
    if (isPermanent(error)) {
      return held(await queue.fail(job.id, worker, message), { kind: 'failed', error: message });
    }
    // A database or store failure. When the run had started, whether it ended is for the next
    // attempt to find out from the store.
    const retried = await queue.retryLater(
      job.id,
      worker,
      message,
      context.backoffMs(job.attempts),
    );
    return held(retried, { kind: 'retry', error: message });
  }
}

/**
 * The latest earlier attempt's run as the store has it (undefined when none got started). One
 * that reads interrupted is sealed first (see Store.abandonRun), so that its writer, were it only
 * cut off from the database, cannot finish it beside the run this attempt starts: sealed, it is
 * returned as interrupted; found alive again, as running; found ended, as it ended.
 */
async function earlierRun(
  job: QueuedJob,
  store: Store,
): Promise<{ id: string; status: RunStatus } | undefined> {
  const latest = await latestRun(job, store);
  if (latest?.status !== 'interrupted' || !store.abandonRun) return latest;
  switch (await store.abandonRun(latest.id)) {
    case 'running':
      return { id: latest.id, status: 'running' };
    case 'ended':
      return (await latestRun(job, store)) ?? latest;
    case 'abandoned':
    case 'unknown':
      return latest;
  }
}

/** The latest earlier attempt's run as the store has it (undefined when none got started). */
async function latestRun(
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
