/**
 * The run queue: jobs in a PostgreSQL table, taken with `SELECT … FOR UPDATE SKIP LOCKED` so that
 * any number of workers on any machines share them without waiting on each other. Delivery is at
 * least once: a job's id is its idempotency key (enqueueing it again returns the job as it is),
 * a worker renews the lease of each job it holds, and a job whose lease ran out (its worker was
 * killed or lost the database) is taken again, up to its maximum number of attempts.
 */
import { v7 as uuidv7 } from 'uuid';
import type pg from 'pg';
import { canonicalJson } from '../../../hash/canonical.js';
import { LockstepError, RefError } from '../../../model/errors.js';
import { checkRunId } from '../../../model/names.js';
import type { JsonValue } from '../../../model/workflow.js';
import { parseRef } from '../../../versions/refs.js';
import { createPool } from '../../store/postgres/connection.js';
import { describePostgresUrl } from '../../store/postgres/store-url.js';
import { applyMigrations } from '../../store/postgres/migrations.js';
import { queueFailure } from './queue-connection.js';
import { jobFromRow, type JobRow, type QueuedJob } from './queue-job.js';
import { QUEUE_CHANNEL, QUEUE_MIGRATIONS } from './queue-schema.js';

/** Attempts a job gets unless its enqueuer says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 3;

export interface EnqueueRequest {
  /** What to run: `name@channel` (or a stored version, `name@3`); never a file path. */
  readonly ref: string;
  readonly input?: { readonly [name: string]: JsonValue };
  /** The idempotency key and first run id (a uuid); a new uuid v7 when absent. */
  readonly id?: string;
  /** Default DEFAULT_MAX_ATTEMPTS. */
  readonly maxAttempts?: number;
}

/** How many jobs are in each state. */
export interface QueueDepth {
  readonly queued: number;
  readonly running: number;
  readonly done: number;
  readonly failed: number;
}

export class RunQueue {
  private constructor(
    private readonly pool: pg.Pool,
    /** The database as people may see it (no password). */
    readonly location: string,
  ) {}

  /**
   * Connects to the queue's database and brings its tables up to date.
   * @throws StoreError when the database cannot be reached; StoreFormatError when its queue
   *   schema is newer than this Lockstep.
   */
  static async open(url: string): Promise<RunQueue> {
    const location = describePostgresUrl(url);
    const pool = createPool(url, 4, 'lockstep queue');
    try {
      const client = await pool.connect();
      try {
        await applyMigrations(client, 'queue', QUEUE_MIGRATIONS, { create: true, location });
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw queueFailure(location, error);
    }
    return new RunQueue(pool, location);
  }

  /**
   * Adds a job, or returns the one already holding `request.id` (`created` false).
   * @throws RefError for a ref that is not `name@…`; LockstepError `bad-run-id` for an id that is
   *   not a uuid, `conflict` when the id was enqueued with another ref or input.
   */
  async enqueue(request: EnqueueRequest): Promise<{ job: QueuedJob; created: boolean }> {
    const ref = parseRef(request.ref);
    if (ref.kind === 'file') {
      throw new RefError(
        'bad-ref',
        `'${request.ref}' is a file path: a queued run names a stored version or a channel (name@production, name@3)`,
      );
    }
    const id = request.id === undefined ? uuidv7() : checkRunId(request.id);
    const input = request.input ?? {};
    const inserted = await this.query<JobRow>(
      `INSERT INTO run_queue (id, workflow, ref, input, max_attempts)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [
        id,
        ref.name,
        request.ref,
        JSON.stringify(input),
        request.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      ],
    );
    if (inserted[0]) {
      // Wakes idle workers at once; they also poll, so a lost notification only costs time.
      await this.query('SELECT pg_notify($1, $2)', [QUEUE_CHANNEL, id]);
      return { job: jobFromRow(inserted[0]), created: true };
    }
    const existing = await this.get(id);
    if (!existing) return this.enqueue(request); // removed in between: try again
    if (existing.ref !== request.ref || canonicalJson(existing.input) !== canonicalJson(input)) {
      throw new LockstepError(
        'conflict',
        `run ${id} was already enqueued with another workflow or input (${existing.ref}): enqueue the same request again, or use a new id`,
      );
    }
    return { job: existing, created: false };
  }

  /** The job with this id, or undefined. */
  async get(id: string): Promise<QueuedJob | undefined> {
    const rows = await this.query<JobRow>('SELECT * FROM run_queue WHERE id = $1', [id]);
    return rows[0] ? jobFromRow(rows[0]) : undefined;
  }

  /**
   * Takes the oldest job that is ready, or whose lease ran out with attempts left, for `worker`,
   * counting an attempt and leasing it for `leaseMs`. Undefined when there is none.
   */
  async take(worker: string, leaseMs: number): Promise<QueuedJob | undefined> {
    const rows = await this.query<JobRow>(
      `UPDATE run_queue q
          SET state = 'running', attempts = q.attempts + 1, locked_by = $1, locked_at = now(),
              heartbeat_at = now(), lease_until = now() + $2 * interval '1 millisecond'
         FROM (SELECT id FROM run_queue
                WHERE (state = 'queued' AND available_at <= now())
                   OR (state = 'running' AND lease_until < now() AND attempts < max_attempts)
                ORDER BY available_at, created_at
                LIMIT 1
                FOR UPDATE SKIP LOCKED) next
        WHERE q.id = next.id
       RETURNING q.*`,
      [worker, leaseMs],
    );
    return rows[0] ? jobFromRow(rows[0]) : undefined;
  }

  /**
   * Fails the jobs whose lease ran out on their last attempt.
   * @returns their ids.
   */
  async expireLeases(): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      `UPDATE run_queue
          SET state = 'failed', finished_at = now(),
              error = 'its worker stopped renewing its lease on attempt ' || attempts || ' of ' || max_attempts || ' (killed, or cut off from the database)'
        WHERE state = 'running' AND lease_until < now() AND attempts >= max_attempts
       RETURNING id`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Renews the leases `worker` holds on `ids` for another `leaseMs`.
   * @returns the ids another worker holds now: their leases ran out (this worker was cut off
   *   from the database for longer than a lease) and they were taken again.
   */
  async heartbeat(worker: string, ids: readonly string[], leaseMs: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const lost = await this.query<{ id: string }>(
      `WITH renewed AS (
         UPDATE run_queue SET heartbeat_at = now(), lease_until = now() + $3 * interval '1 millisecond'
          WHERE id = ANY($1) AND locked_by = $2 AND state = 'running' RETURNING id)
       SELECT id FROM run_queue
        WHERE id = ANY($1) AND state = 'running' AND locked_by IS DISTINCT FROM $2`,
      [ids, worker, leaseMs],
    );
    return lost.map((row) => row.id);
  }

  /** Notes the run an attempt is about to start, before it starts (so a crash leaves a trace). */
  async recordAttempt(id: string, runId: string): Promise<void> {
    await this.query('UPDATE run_queue SET run_ids = array_append(run_ids, $2) WHERE id = $1', [
      id,
      runId,
    ]);
  }

  /**
   * The job's run finished with `runStatus` (succeeded or failed alike: it is never run again).
   * Like `fail`, `retryLater` and `release`, it changes the job only while `worker` holds it.
   * @returns false when `worker` no longer holds the job (its lease ran out and another worker
   *   took it): nothing was changed.
   */
  async finish(id: string, worker: string, runStatus: string): Promise<boolean> {
    return this.held(
      `UPDATE run_queue SET state = 'done', run_status = $3, error = NULL, finished_at = now()`,
      [id, worker, runStatus],
    );
  }

  /**
   * The job cannot run (and trying again would not help): `error` says why.
   * @returns false when `worker` no longer holds the job (see `finish`).
   */
  async fail(id: string, worker: string, error: string): Promise<boolean> {
    return this.held(`UPDATE run_queue SET state = 'failed', error = $3, finished_at = now()`, [
      id,
      worker,
      error,
    ]);
  }

  /**
   * An attempt went wrong in a way another might not: the job waits `delayMs`, or fails when it
   * has no attempts left.
   * @returns false when `worker` no longer holds the job (see `finish`).
   */
  async retryLater(id: string, worker: string, error: string, delayMs: number): Promise<boolean> {
    return this.held(
      `UPDATE run_queue
          SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
              finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
              available_at = now() + $4 * interval '1 millisecond', error = $3, locked_by = NULL,
              lease_until = NULL`,
      [id, worker, error, delayMs],
    );
  }

  /**
   * Gives a job back without counting the attempt: its previous run is still being written by a
   * live process, so it is looked at again after `delayMs`.
   * @returns false when `worker` no longer holds the job (see `finish`).
   */
  async release(id: string, worker: string, delayMs: number): Promise<boolean> {
    return this.held(
      `UPDATE run_queue
          SET state = 'queued', attempts = greatest(attempts - 1, 0), locked_by = NULL,
              lease_until = NULL, available_at = now() + $3 * interval '1 millisecond'`,
      [id, worker, delayMs],
    );
  }

  /**
   * Runs `update` (an `UPDATE run_queue SET …` without WHERE; `$1` is the job, `$2` the worker) on
   * the job only while `worker` holds it: whether it did.
   */
  private async held(update: string, values: unknown[]): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `${update} WHERE id = $1 AND locked_by = $2 AND state = 'running' RETURNING id`,
      values,
    );
    return rows.length > 0;
  }

  /** How many jobs are in each state. */
  async depth(): Promise<QueueDepth> {
    const rows = await this.query<{ state: keyof QueueDepth; count: string }>(
      'SELECT state, count(*) AS count FROM run_queue GROUP BY state',
    );
    const depth = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const row of rows) depth[row.state] = Number(row.count);
    return depth;
  }

  /** The newest failed jobs, most recently failed first (at most `limit`). */
  async failedJobs(limit: number): Promise<QueuedJob[]> {
    const rows = await this.query<JobRow>(
      `SELECT * FROM run_queue WHERE state = 'failed'
        ORDER BY finished_at DESC NULLS LAST, created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(jobFromRow);
  }

  /**
   * Queues a failed job again with all its attempts (the workflow was fixed, the dependency is
   * back): its earlier runs stay listed, and the next attempt deals with them as any retry does.
   * @returns the job as it is now; undefined when there is no such job.
   * @throws LockstepError `conflict` when the job has not failed.
   */
  async retryFailed(id: string): Promise<QueuedJob | undefined> {
    const rows = await this.query<JobRow>(
      `UPDATE run_queue
          SET state = 'queued', attempts = 0, error = NULL, finished_at = NULL, locked_by = NULL,
              lease_until = NULL, available_at = now()
        WHERE id = $1 AND state = 'failed'
       RETURNING *`,
      [id],
    );
    if (rows[0]) {
      await this.query('SELECT pg_notify($1, $2)', [QUEUE_CHANNEL, id]);
      return jobFromRow(rows[0]);
    }
    const job = await this.get(id);
    if (job) {
      throw new LockstepError(
        'conflict',
        `job ${id} is ${job.state}, not failed: only a failed job is queued again`,
      );
    }
    return undefined;
  }

  /** Ends the connections. */
  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      throw queueFailure(this.location, error);
    }
  }
}
