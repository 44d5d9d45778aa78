/**
 * A worker: takes jobs from the run queue, up to `concurrency` at a time, runs each through
 * `executeJob`, and renews the leases of the jobs it holds. It sleeps until a notification, a
 * free slot or the poll interval; when the database is unreachable it logs once and tries again
 * with a growing delay. `stop` lets the runs in flight finish, up to a timeout, then cancels them
 * (their jobs go back to the queue).
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Store } from '../../../store/store.js';
import type { Workspace } from '../../workspace/workspace.js';
import { QueueListener } from '../queue/queue-listener.js';
import type { QueuedJob } from '../queue/queue-job.js';
import type { RunQueue } from '../queue/run-queue.js';
import { executeJob, type JobOutcome } from './execute-job.js';
import { Wakeup } from './wakeup.js';

export interface WorkerOptions {
  readonly workspace: Workspace;
  readonly store: Store;
  readonly queue: RunQueue;
  /** The queue's URL, for the listening connection. */
  readonly queueUrl: string;
  /** Jobs run at once. Default 1. */
  readonly concurrency?: number;
  /** How long a job stays leased without a renewal (ms). Default 30 000. */
  readonly leaseMs?: number;
  /** How often to look for jobs without a notification (ms). Default 2 000. */
  readonly pollMs?: number;
  /** Lines for the worker's log. */
  readonly log: (line: string) => void;
}

/** Defaults, stated once: the docs quote them. */
export const WORKER_DEFAULTS = { concurrency: 1, leaseMs: 30_000, pollMs: 2_000 } as const;

export class Worker {
  /** This worker's name in the queue (`locked_by`): host, process id and a random suffix. */
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Per job in flight: aborted when another worker took it over. */
  private readonly leases = new Map<string, AbortController>();
  private readonly wakeup = new Wakeup();
  private readonly cancel = new AbortController();
  private readonly listener: QueueListener;
  private stopping = false;
  private databaseDown = false;
  private failures = 0;
  private loop: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.listener = new QueueListener({
      url: options.queueUrl,
      applicationName: 'lockstep-worker',
      wake: () => this.wakeup.wake(),
      onDisconnect: (error, retryMs) =>
        this.options.log(
          `lost the queue's notifications (${messageOf(error)}): reconnecting in ${retryMs} ms`,
        ),
      onReconnect: () => this.options.log('reconnected to the queue’s notifications'),
    });
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? WORKER_DEFAULTS.leaseMs;
  }

  /** Starts taking jobs; resolves once `stop` has finished. */
  start(): Promise<void> {
    this.listener.start();
    // Renewing well within the lease leaves room for a slow database.
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(this.leaseMs / 3, 50));
    this.loop = this.run();
    return this.loop;
  }

  /**
   * Takes no more jobs, waits up to `timeoutMs` for the runs in flight, then cancels the rest
   * (recorded as cancelled; their jobs are queued again) and closes the listener.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.wakeup.wake();
    const timer = setTimeout(() => {
      if (this.inFlight.size > 0) {
        this.options.log(
          `cancelling ${this.inFlight.size} run(s) still going after ${timeoutMs} ms`,
        );
      }
      this.cancel.abort();
    }, timeoutMs);
    // The loop first: a take answered after `stop` was called still begins its job, which is
    // then waited for like the others.
    await this.loop;
    await Promise.all(this.inFlight.values());
    clearTimeout(timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.listener.close();
  }

  private async run(): Promise<void> {
    const concurrency = this.options.concurrency ?? WORKER_DEFAULTS.concurrency;
    while (!this.stopping) {
      let delay = this.options.pollMs ?? WORKER_DEFAULTS.pollMs;
      try {
        await this.options.queue.expireLeases();
        while (!this.stopping && this.inFlight.size < concurrency) {
          const job = await this.options.queue.take(this.id, this.leaseMs);
          if (!job) break;
          this.begin(job);
        }
        if (this.databaseDown) this.options.log('the queue’s database is reachable again');
        this.databaseDown = false;
        this.failures = 0;
      } catch (error) {
        // The database restarted or is unreachable: try again later, growing the delay.
        delay = Math.min(250 * 2 ** this.failures, 10_000);
        this.failures++;
        if (!this.databaseDown) {
          this.options.log(`cannot take jobs (${messageOf(error)}): retrying with backoff`);
        }
        this.databaseDown = true;
      }
      await this.wakeup.wait(delay);
    }
  }

  private begin(job: QueuedJob): void {
    this.options.log(`took ${job.id} (${job.ref}, attempt ${job.attempts} of ${job.maxAttempts})`);
    const lease = new AbortController();
    this.leases.set(job.id, lease);
    const done = executeJob(job, {
      worker: this.id,
      workspace: this.options.workspace,
      store: this.options.store,
      queue: this.options.queue,
      shutdown: this.cancel.signal,
      leaseLost: lease.signal,
      releaseDelayMs: this.leaseMs,
      backoffMs: (attempt) => Math.min(1_000 * 2 ** (attempt - 1), 60_000),
    })
      .then(
        (outcome) => this.options.log(`${job.id}: ${describeOutcome(outcome)}`),
        // The queue could not be written: the lease runs out and another attempt is made.
        (error: unknown) =>
          this.options.log(`${job.id}: could not record the outcome (${messageOf(error)})`),
      )
      .finally(() => {
        this.inFlight.delete(job.id);
        this.leases.delete(job.id);
        this.wakeup.wake();
      });
    this.inFlight.set(job.id, done);
  }

  private async heartbeat(): Promise<void> {
    try {
      const lost = await this.options.queue.heartbeat(
        this.id,
        [...this.inFlight.keys()],
        this.leaseMs,
      );
      for (const id of lost) {
        const lease = this.leases.get(id);
        if (!lease || lease.signal.aborted) continue;
        this.options.log(
          `${id}: another worker took the job (this one's lease ran out): cancelling its run`,
        );
        lease.abort();
      }
    } catch (error) {
      this.options.log(`could not renew leases (${messageOf(error)}): retrying`);
    }
  }
}

function describeOutcome(outcome: JobOutcome): string {
  switch (outcome.kind) {
    case 'ran':
      return `run ${outcome.run} ${outcome.status}`;
    case 'already-ran':
      return `run ${outcome.run} had already ${outcome.status}: not run again`;
    case 'still-running':
      return `run ${outcome.run} is still being written by another process: looked at again later`;
    case 'failed':
      return `failed: ${outcome.error}`;
    case 'retry':
      return `attempt failed (${outcome.error}): retried later`;
    case 'stopped':
      return `run ${outcome.run} cancelled by the worker's shutdown: queued again`;
    case 'lease-lost':
      if (outcome.run === undefined) {
        return 'the job is no longer this worker’s (its lease ran out): left to the queue';
      }
      switch (outcome.status) {
        case 'cancelled':
          return `run ${outcome.run} cancelled: another worker runs the job`;
        case 'interrupted':
          return `run ${outcome.run} was given up as interrupted while this worker was cut off from the database: another worker runs the job`;
        default:
          // Whoever takes the job next finds the run ended, and marks the job with it.
          return `run ${outcome.run} ${outcome.status ?? 'ended'}, but the job is no longer this worker’s (its lease ran out): left to the queue`;
      }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
