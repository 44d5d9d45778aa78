/** A job of the run queue, as the queue's code and its callers see it. */
import type { JsonValue } from '../../../model/workflow.js';

/**
 * `queued`: waiting (perhaps until `availableAt`, after a failed attempt); `running`: a worker
 * holds its lease; `done`: its run finished (succeeded or failed: see `runStatus`); `failed`: it
 * could not run (an unknown workflow, inputs that do not fit, or every attempt lost).
 */
export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface QueuedJob {
  /** The idempotency key, and the id of its first attempt's run. */
  readonly id: string;
  readonly workflow: string;
  /** What runs: `name@channel` (or `name@3`, `name@sha256:…`). */
  readonly ref: string;
  readonly input: { readonly [name: string]: JsonValue };
  readonly state: JobState;
  /** Attempts taken so far (a lease given to a worker counts as one). */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** The run of each attempt that started one, oldest first; the last is the job's run. */
  readonly runIds: readonly string[];
  /** The run's final status, once `done`. */
  readonly runStatus?: string;
  /** The worker holding (or last holding) the job. */
  readonly lockedBy?: string;
  readonly heartbeatAt?: string;
  /** A running job whose lease ends unrenewed is taken again (its worker is gone). */
  readonly leaseUntil?: string;
  readonly availableAt: string;
  readonly error?: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
}

/** A row of `run_queue` as `pg` returns it. */
export interface JobRow {
  id: string;
  workflow: string;
  ref: string;
  input: { [name: string]: JsonValue };
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_ids: string[];
  run_status: string | null;
  locked_by: string | null;
  heartbeat_at: Date | null;
  lease_until: Date | null;
  available_at: Date;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/** The job a row holds. */
export function jobFromRow(row: JobRow): QueuedJob {
  return {
    id: row.id,
    workflow: row.workflow,
    ref: row.ref,
    input: row.input,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runIds: row.run_ids,
    ...(row.run_status === null ? {} : { runStatus: row.run_status }),
    ...(row.locked_by === null ? {} : { lockedBy: row.locked_by }),
    ...(row.heartbeat_at === null ? {} : { heartbeatAt: row.heartbeat_at.toISOString() }),
    ...(row.lease_until === null ? {} : { leaseUntil: row.lease_until.toISOString() }),
    availableAt: row.available_at.toISOString(),
    ...(row.error === null ? {} : { error: row.error }),
    createdAt: row.created_at.toISOString(),
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at.toISOString() }),
  };
}
