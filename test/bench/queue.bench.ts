/**
 * The run queue's throughput: jobs taken and marked done per second by 1, 2 and 4 workers at once,
 * each a queue client of its own (its own connections) looping take → finish with no run in
 * between, so the figure is the queue's own cost (a real run costs far more). Measured beside the
 * same loop taking jobs with `FOR UPDATE` without `SKIP LOCKED`, where takers queue up on the same
 * row: the reason the queue skips locked rows. And beside graphile-worker, the queue library the
 * issue named, with as many runners of concurrency 1 and a task that does nothing: its jobs are
 * added in one batch once its runners listen, and the clock stops when its queue is empty. The
 * server is an embedded PostgreSQL 18 started here (LOCKSTEP_TEST_PG names another).
 */
import os from 'node:os';
import type { Runner } from 'graphile-worker';
import pg from 'pg';
import { RunQueue } from '../../core/src/node/team/queue/run-queue.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../helpers/embedded-postgres.js';
import { databaseUrl } from '../helpers/postgres.js';
import { graphileWorker } from './references.js';
import { round, table } from './stats.js';
import { adminQuery, median } from './team-store.bench.js';

export interface QueueBenchOptions {
  /** Worker counts to measure. */
  readonly workers: readonly number[];
  /** Jobs enqueued before each pass. */
  readonly jobs: number;
  /** Passes per worker count (the median is reported). */
  readonly passes: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueBenchOptions = {
  workers: [1, 2, 4],
  jobs: 600,
  passes: 3,
};

export interface QueueWorkersResult {
  readonly workers: number;
  /** Jobs taken and finished per second, SKIP LOCKED (the queue as shipped). */
  readonly skipLocked: number;
  /** The same with a plain FOR UPDATE. */
  readonly plainLock: number;
  /** graphile-worker's jobs done per second with as many runners. */
  readonly graphile: number;
}

export interface QueueBenchResult {
  readonly name: 'queue';
  readonly options: QueueBenchOptions;
  readonly results: readonly QueueWorkersResult[];
  readonly report: string;
}

/** Takes the next queued job without skipping locked rows (the reference). */
const PLAIN_TAKE = `UPDATE run_queue q SET state = 'running', attempts = q.attempts + 1, locked_by = $1,
       locked_at = now(), heartbeat_at = now(), lease_until = now() + interval '30 seconds'
  FROM (SELECT id FROM run_queue WHERE state = 'queued' ORDER BY available_at, created_at
         LIMIT 1 FOR UPDATE) next
 WHERE q.id = next.id RETURNING q.id`;

export async function runQueueBench(
  options: QueueBenchOptions = DEFAULT_QUEUE_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<QueueBenchResult> {
  let server: RunningPostgres | undefined;
  try {
    let admin = process.env.LOCKSTEP_TEST_PG;
    if (!admin) {
      log('queue: starting PostgreSQL');
      server = await startEmbeddedPostgres();
      admin = server.url;
    }
    let database = 0;
    const freshDb = async (): Promise<string> => {
      const name = `lockstep_queue_bench_${process.pid}_${database++}`;
      await adminQuery(admin!, `DROP DATABASE IF EXISTS ${name}`);
      await adminQuery(admin!, `CREATE DATABASE ${name}`);
      return databaseUrl(admin!, name);
    };
    const results: QueueWorkersResult[] = [];
    for (const workers of options.workers) {
      const rates = {
        skipLocked: [] as number[],
        plainLock: [] as number[],
        graphile: [] as number[],
      };
      for (let pass = 0; pass < options.passes; pass++) {
        log(`queue: ${workers} worker(s), pass ${pass + 1}`);
        rates.skipLocked.push(await measure(await freshDb(), workers, options.jobs, 'skip'));
        rates.plainLock.push(await measure(await freshDb(), workers, options.jobs, 'plain'));
        rates.graphile.push(await measureGraphile(await freshDb(), workers, options.jobs));
      }
      results.push({
        workers,
        skipLocked: median(rates.skipLocked),
        plainLock: median(rates.plainLock),
        graphile: median(rates.graphile),
      });
    }
    return { name: 'queue', options, results, report: report(results) };
  } finally {
    await server?.stop();
  }
}

/** Jobs per second that `workers` loops take and finish until the queue is empty. */
async function measure(
  url: string,
  workers: number,
  jobs: number,
  take: 'skip' | 'plain',
): Promise<number> {
  const filler = await RunQueue.open(url);
  for (let i = 0; i < jobs; i++) await filler.enqueue({ ref: 'bench@production', input: { i } });
  await filler.close();
  const queues = await Promise.all(Array.from({ length: workers }, () => RunQueue.open(url)));
  const plain = await Promise.all(
    queues.map(async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  let done = 0;
  const started = performance.now();
  await Promise.all(
    queues.map(async (queue, w) => {
      for (;;) {
        const id =
          take === 'skip'
            ? (await queue.take(`bench-${w}`, 30_000))?.id
            : (await plain[w]!.query<{ id: string }>(PLAIN_TAKE, [`bench-${w}`])).rows[0]?.id;
        if (id === undefined) {
          // Without SKIP LOCKED a taker that lost the race sees nothing: only an empty queue ends it.
          if ((await queue.depth()).queued === 0) return;
          continue;
        }
        await queue.finish(id, `bench-${w}`, 'succeeded');
        done++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([...queues.map((q) => q.close()), ...plain.map((c) => c.end())]);
  if (done !== jobs) throw new Error(`queue benchmark: ${done} of ${jobs} jobs finished`);
  return round(jobs / seconds);
}

/** graphile-worker logs nothing here. */
const QUIET = new graphileWorker.Logger(() => () => undefined);

/**
 * Jobs per second graphile-worker does with `workers` runners of concurrency 1: the jobs are
 * added in one batch once the runners listen; the clock stops when its queue is empty.
 */
async function measureGraphile(url: string, workers: number, jobs: number): Promise<number> {
  const utils = await graphileWorker.makeWorkerUtils({ connectionString: url, logger: QUIET });
  await utils.migrate();
  const runners: Runner[] = [];
  for (let w = 0; w < workers; w++) {
    runners.push(
      await graphileWorker.run({
        connectionString: url,
        concurrency: 1,
        noHandleSignals: true,
        pollInterval: 100,
        logger: QUIET,
        taskList: { bench: () => Promise.resolve() },
      }),
    );
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  await utils.addJobs(
    Array.from({ length: jobs }, (_, i) => ({ identifier: 'bench', payload: { i } })),
  );
  for (;;) {
    const { rows } = await client.query<{ left: string }>(
      'SELECT count(*) AS left FROM graphile_worker.jobs',
    );
    if (Number(rows[0]?.left) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  await Promise.all(runners.map((runner) => runner.stop()));
  await utils.release();
  return round(jobs / seconds);
}

function report(results: readonly QueueWorkersResult[]): string {
  return [
    `Run queue: jobs taken and finished per second, no run in between (median of passes; ${os.cpus().length} cores, server on this machine)`,
    table(
      [
        'workers',
        'FOR UPDATE SKIP LOCKED',
        'plain FOR UPDATE',
        'SKIP LOCKED / plain',
        'graphile-worker',
        'SKIP LOCKED / graphile-worker',
      ],
      results.map((r) => [
        String(r.workers),
        `${r.skipLocked}/s`,
        `${r.plainLock}/s`,
        `${round(r.skipLocked / r.plainLock)}×`,
        `${r.graphile}/s`,
        `${round(r.skipLocked / r.graphile)}×`,
      ]),
    ),
  ].join('\n');
}
