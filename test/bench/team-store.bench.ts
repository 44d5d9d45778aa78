/**
 * Recording runs into a team's store: runs recorded per second by 1 and by 8 clients at once, each
 * client a store instance of its own (its own connections), recording the same 10-step run the
 * runs benchmark uses the way the engine does (appends without waiting, then close). Measured
 * side by side: the file store (one folder, 8 instances), the PostgreSQL store, and raw `pg`
 * inserts of the same rows (the run's row, its events in one multi-row insert, the summary update:
 * three autocommitted statements, the least a client can do with the same durability) on the same
 * server. The server is an embedded PostgreSQL 18 started here (LOCKSTEP_TEST_PG names another).
 */
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import type { RunEvent, RunHeader } from '../../core/src/model/runs.js';
import type { Store } from '../../core/src/store/store.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../helpers/embedded-postgres.js';
import { databaseUrl } from '../helpers/postgres.js';
import { tenStepRun } from '../helpers/journal-fill.js';
import { benchTempRoot } from './publish.bench.js';
import { round, table } from './stats.js';

export interface TeamStoreBenchOptions {
  /** Client counts to measure. */
  readonly clients: readonly number[];
  /** Runs each client records per pass. */
  readonly runsPerClient: number;
  /** Passes per kind and client count (the median is reported). */
  readonly passes: number;
}

export const DEFAULT_TEAM_STORE_OPTIONS: TeamStoreBenchOptions = {
  clients: [1, 8],
  runsPerClient: 40,
  passes: 3,
};

export interface TeamStoreClientsResult {
  readonly clients: number;
  /** Runs recorded per second (median of the passes). */
  readonly files: number;
  readonly postgres: number;
  readonly rawPg: number;
}

export interface TeamStoreBenchResult {
  readonly name: 'team-store';
  readonly options: TeamStoreBenchOptions;
  readonly events: number;
  readonly results: readonly TeamStoreClientsResult[];
  readonly report: string;
}

/** Opens one client: a function recording one run, and one closing the client. */
type Recorder = (
  client: number,
) => Promise<{ record: () => Promise<void>; close: () => Promise<void> }>;

export async function runTeamStoreBench(
  options: TeamStoreBenchOptions = DEFAULT_TEAM_STORE_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<TeamStoreBenchResult> {
  const temp = benchTempRoot();
  let server: RunningPostgres | undefined;
  try {
    let admin = process.env.LOCKSTEP_TEST_PG;
    if (!admin) {
      log('team store: starting PostgreSQL');
      server = await startEmbeddedPostgres();
      admin = server.url;
    }
    const results: TeamStoreClientsResult[] = [];
    let database = 0;
    const freshDb = async (): Promise<string> => {
      const name = `lockstep_bench_${process.pid}_${database++}`;
      await adminQuery(admin!, `DROP DATABASE IF EXISTS ${name}`);
      await adminQuery(admin!, `CREATE DATABASE ${name}`);
      return databaseUrl(admin!, name);
    };
    for (const clients of options.clients) {
      const rates = { files: [] as number[], postgres: [] as number[], rawPg: [] as number[] };
      for (let pass = 0; pass < options.passes; pass++) {
        log(`team store: ${clients} client(s), pass ${pass + 1}`);
        const folder = path.join(temp.dir, `files-${clients}-${pass}`, '.lockstep');
        await (await openFsStore(folder, { create: true })).close();
        rates.files.push(await measure(clients, options.runsPerClient, storeRecorder(folder)));
        const pgUrl = await freshDb();
        await (await openPgStore(pgUrl, { create: true })).close();
        rates.postgres.push(await measure(clients, options.runsPerClient, storeRecorder(pgUrl)));
        rates.rawPg.push(
          await measure(clients, options.runsPerClient, rawRecorder(await freshDb())),
        );
      }
      results.push({
        clients,
        files: median(rates.files),
        postgres: median(rates.postgres),
        rawPg: median(rates.rawPg),
      });
    }
    const events = tenStepRun(0, new Date()).events.length + 1;
    return {
      name: 'team-store',
      options,
      events,
      results,
      report: report(results, events),
    };
  } finally {
    await server?.stop();
    temp.cleanup();
  }
}

/** Runs recorded per second by `clients` recorders, each recording `runs` runs. */
async function measure(clients: number, runs: number, recorder: Recorder): Promise<number> {
  const recorders = await Promise.all(Array.from({ length: clients }, (_, i) => recorder(i)));
  const started = performance.now();
  await Promise.all(
    recorders.map(async ({ record }) => {
      for (let i = 0; i < runs; i++) await record();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const { close } of recorders) await close();
  return round((clients * runs) / seconds);
}

/** A client recording through a Store (file folder or postgres URL). */
function storeRecorder(location: string): Recorder {
  return async () => {
    const store: Store = location.startsWith('postgres')
      ? await openPgStore(location)
      : await openFsStore(location);
    let n = 0;
    const record = async (): Promise<void> => {
      const run = tenStepRun(n++, new Date());
      const writer = await store.createRun(run.header);
      for (const event of run.events) void writer.append(event);
      await writer.close();
    };
    return { record, close: () => store.close() };
  };
}

/** A client inserting the same rows with `pg` directly. */
function rawRecorder(url: string): Recorder {
  let ready: Promise<void> | undefined;
  return async () => {
    ready ??= adminQuery(
      url,
      `CREATE TABLE IF NOT EXISTS runs (id text PRIMARY KEY, workflow text, version text, started_at text, status text, summary jsonb);
       CREATE TABLE IF NOT EXISTS run_events (run_id text, n integer, event text, PRIMARY KEY (run_id, n))`,
    );
    await ready;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let n = 0;
    const record = async (): Promise<void> => {
      const run = tenStepRun(n++, new Date());
      const header: RunHeader = { ...run.header, id: uuidv7() };
      const started: RunEvent = { type: 'run-started', header };
      await client.query(
        'INSERT INTO runs (id, workflow, version, started_at, status, summary) VALUES ($1, $2, $3, $4, $5, $6)',
        [header.id, header.workflow, header.version.id, header.startedAt, 'running', '{}'],
      );
      const events = [started, ...run.events];
      const values = events.map((_, i) => `($1, ${i}, $${i + 2})`).join(', ');
      await client.query(`INSERT INTO run_events (run_id, n, event) VALUES ${values}`, [
        header.id,
        ...events.map((event) => JSON.stringify(event)),
      ]);
      await client.query('UPDATE runs SET status = $2, summary = $3 WHERE id = $1', [
        header.id,
        'succeeded',
        '{"status":"succeeded"}',
      ]);
    };
    return { record, close: () => client.end() };
  };
}

/** Runs one statement on `url` with a connection of its own. */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function report(results: readonly TeamStoreClientsResult[], events: number): string {
  return [
    `Team store: ${events}-event runs recorded per second (median of passes; ${os.cpus().length} cores, server on this machine)`,
    table(
      ['clients', 'file store', 'PostgreSQL store', 'raw pg inserts', 'PostgreSQL store / raw'],
      results.map((r) => [
        String(r.clients),
        `${r.files}/s`,
        `${r.postgres}/s`,
        `${r.rawPg}/s`,
        `${round(r.postgres / r.rawPg)}×`,
      ]),
    ),
  ].join('\n');
}
