/**
 * `lockstep worker`: a long-running process that takes queued runs from the PostgreSQL run queue
 * and runs them in the workspace around the current folder, recording them in its store. SIGTERM
 * or Ctrl-C lets the runs in flight finish (up to --shutdown-timeout), then it exits 0.
 */
import { UsageError } from '../../model/errors.js';
import { openTeam } from '../../node/team/team-setup.js';
import { Worker, WORKER_DEFAULTS } from '../../node/team/worker/worker.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export interface WorkerCommandOptions {
  readonly concurrency?: string;
  readonly queueUrl?: string;
  readonly lease?: string;
  readonly poll?: string;
  readonly shutdownTimeout?: string;
}

/** Runs until SIGTERM or SIGINT; exit 0 after a clean shutdown, 2 when it cannot start. */
export async function workerCommand(
  context: CommandContext,
  options: WorkerCommandOptions,
): Promise<ExitCode> {
  const concurrency = positive('--concurrency', options.concurrency, WORKER_DEFAULTS.concurrency);
  if (!Number.isInteger(concurrency)) {
    throw new UsageError(`--concurrency ${options.concurrency}: give a whole number of runs`);
  }
  const leaseMs = 1000 * positive('--lease', options.lease, WORKER_DEFAULTS.leaseMs / 1000);
  const pollMs = 1000 * positive('--poll', options.poll, WORKER_DEFAULTS.pollMs / 1000);
  const shutdownMs = 1000 * positive('--shutdown-timeout', options.shutdownTimeout, 60);
  const team = await openTeam(process.cwd(), options.queueUrl, context.global);
  const { workspace, store, queue } = team;
  const log = (line: string): void => context.output.err(`lockstep worker: ${line}`);
  const worker = new Worker({
    workspace,
    store,
    queue,
    queueUrl: team.queueUrl,
    concurrency,
    leaseMs,
    pollMs,
    log,
  });
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): void => {
    if (stopping) return;
    log(`${signal}: finishing the runs in flight (up to ${shutdownMs / 1000} s), taking no more`);
    stopping = worker.stop(shutdownMs);
  };
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  log(
    `${worker.id} taking runs from ${queue.location} (concurrency ${concurrency}, lease ${leaseMs / 1000} s) into ${store.info.location}`,
  );
  try {
    await worker.start();
    await stopping;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await team.close();
  }
  log('stopped');
  return EXIT.ok;
}

/** A positive number given as text (seconds may have decimals), or the default. */
export function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} ${text}: give a positive number`);
  }
  return value;
}
