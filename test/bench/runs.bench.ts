/**
 * The cost of recording a 10-step run (run-started, then ten model-call steps of step-started,
 * effect and step-finished, then run-finished: 32 events) into stores that already hold 1 000,
 * 10 000 and 100 000 runs: the file store through the real API (`createRun`, one `append` per
 * event, `close`, which fdatasyncs) against SQLite with the same durability (see sqlite-runs.ts:
 * per-event commits, one sync at run end), with the same events. Also timed alongside: SQLite
 * with the whole run in one synced transaction, and the floor (the same lines appended to a new
 * file and fdatasync'ed, no folder sync).
 *
 * The stores grow in place from one size to the next; the filled store is left for the index
 * benchmark. Facts are reported, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../core/src/node/store/files/layout.js';
import type { RunEvent, RunHeader } from '../../core/src/model/runs.js';
import { journalText, tenStepRun, writeJournals } from '../helpers/journal-fill.js';
import { deadWriter } from '../helpers/run-records.js';
import { SqliteRuns } from './sqlite-runs.js';
import { ms, round, summarize, table, timeMs, type Summary } from './stats.js';

export interface RecordBenchOptions {
  /** Store sizes (runs already present), ascending: the stores grow from one to the next. */
  readonly sizes: readonly number[];
  /** Timed recordings per store and size. */
  readonly records: number;
  readonly warmup: number;
  /** Recordings per block; blocks rotate between the four kinds so drift hits all alike. */
  readonly block: number;
}

export const DEFAULT_RECORD_OPTIONS: RecordBenchOptions = {
  sizes: [1_000, 10_000, 100_000],
  records: 100,
  warmup: 10,
  block: 10,
};

export interface RecordSizeResult {
  readonly runs: number;
  readonly lockstep: Summary;
  readonly sqlitePerEvent: Summary;
  readonly sqliteOneTransaction: Summary;
  readonly floor: Summary;
  /** Lockstep / SQLite per-event (like for like), median and p95. */
  readonly ratio: { readonly median: number; readonly p95: number };
  /** Lockstep / SQLite one transaction, median. */
  readonly ratioOneTransaction: number;
  readonly fillMs: { readonly lockstep: number; readonly sqlite: number };
  readonly sqliteBytes: number;
}

export interface RecordBenchResult {
  readonly name: 'record-run';
  readonly options: RecordBenchOptions;
  readonly events: number;
  readonly journalBytes: number;
  readonly sizes: readonly RecordSizeResult[];
  readonly verdict: {
    readonly growth: number;
    readonly floorGrowth: number;
    readonly normalizedGrowth: number;
    readonly flat: boolean;
    readonly within2xOfSqlite: boolean;
  };
  readonly report: string;
}

/** Where the filled stores are, for the index benchmark that follows. */
export interface FilledStores {
  readonly lockstepRoot: string;
  readonly runs: number;
}

/** Spacing of filled runs: 100 000 runs cover about 174 days, ending before today. */
const SPACING_MS = 150_000;

export async function runRecordBench(
  dir: string,
  options: RecordBenchOptions = DEFAULT_RECORD_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<{ result: RecordBenchResult; filled: FilledStores }> {
  const lockstepRoot = path.join(dir, 'runs-store', '.lockstep');
  const sqliteFile = path.join(dir, 'runs.sqlite');
  const largest = options.sizes.at(-1) ?? 0;
  const origin = startOfTodayUtc() - 86_400_000 - largest * SPACING_MS;
  const writer = deadWriter();
  // The store exists (format file, folders) before the fill writes journals into it.
  await (await openFsStore(lockstepRoot, { create: true })).close();

  const sizes: RecordSizeResult[] = [];
  let filled = 0;
  for (const runs of options.sizes) {
    log(`record: filling to ${runs} runs…`);
    const fillMs = fill(lockstepRoot, sqliteFile, filled, runs, origin, writer);
    filled = runs;
    log(`record: timing at ${runs} runs…`);
    sizes.push(await measureSize(lockstepRoot, sqliteFile, dir, runs, fillMs, options));
  }

  const first = sizes[0]!;
  const last = sizes.at(-1)!;
  const growth = round(last.lockstep.median / first.lockstep.median);
  const floorGrowth = round(last.floor.median / first.floor.median);
  const normalizedGrowth = round(growth / floorGrowth);
  const sample = tenStepRun(0, new Date());
  const result = {
    name: 'record-run' as const,
    options,
    events: sample.events.length + 1,
    journalBytes: Buffer.byteLength(journalText(sample)),
    sizes,
    verdict: {
      growth,
      floorGrowth,
      normalizedGrowth,
      flat: normalizedGrowth <= 1.25,
      within2xOfSqlite: sizes.every((s) => s.ratio.median <= 2),
    },
  };
  return {
    result: { ...result, report: formatReport(result) },
    filled: {
      lockstepRoot,
      runs: filled + options.sizes.length * (options.records + options.warmup),
    },
  };
}

/** Adds runs `from`…`to` to both stores (the same runs), then flushes the page cache to disk. */
function fill(
  lockstepRoot: string,
  sqliteFile: string,
  from: number,
  to: number,
  origin: number,
  writer: RunHeader['writer'],
): { lockstep: number; sqlite: number } {
  const batch: { header: RunHeader; events: RunEvent[] }[] = [];
  let sqliteMs = 0;
  const sqlite = new SqliteRuns(sqliteFile, { fill: true });
  const flush = (): void => {
    const started = performance.now();
    sqlite.fill(batch);
    sqliteMs += performance.now() - started;
    batch.length = 0;
  };
  const started = performance.now();
  writeJournals(storeLayout(lockstepRoot).runs, from, to, {
    origin,
    spacingMs: SPACING_MS,
    writer,
    onRun: (run) => {
      batch.push(run);
      if (batch.length === 1000) flush();
    },
  });
  flush();
  const both = performance.now() - started;
  sqlite.checkpoint();
  sqlite.close();
  // Timed writes must not share the disk with the fill's write-back.
  execFileSync('sync');
  return { lockstep: round(both - sqliteMs), sqlite: round(sqliteMs) };
}

async function measureSize(
  lockstepRoot: string,
  sqliteFile: string,
  dir: string,
  runs: number,
  fillMs: { lockstep: number; sqlite: number },
  options: RecordBenchOptions,
): Promise<RecordSizeResult> {
  const store = await openFsStore(lockstepRoot);
  const sqlite = new SqliteRuns(sqliteFile);
  const writer = { pid: process.pid, host: os.hostname() };
  let n = 0;
  const next = (): { header: RunHeader; events: RunEvent[] } =>
    tenStepRun(10_000_000 + runs + n++, new Date(), writer);

  const lockstep = async (run: { header: RunHeader; events: RunEvent[] }): Promise<number> =>
    timeMs(async () => {
      const journal = await store.createRun(run.header);
      for (const event of run.events) await journal.append(event);
      await journal.close();
    });
  const perEvent = async (run: { header: RunHeader; events: RunEvent[] }): Promise<number> =>
    timeMs(() => sqlite.recordPerEvent(run.header, run.events));
  const oneTransaction = async (run: { header: RunHeader; events: RunEvent[] }): Promise<number> =>
    timeMs(() => sqlite.recordOneTransaction(run.header, run.events));
  const floorFile = (i: number): string => path.join(dir, `floor-${runs}-${i}.jsonl`);
  const floor = async (run: { header: RunHeader; events: RunEvent[] }): Promise<number> => {
    const lines = journalText(run)
      .split('\n')
      .slice(0, -1)
      .map((line) => Buffer.from(`${line}\n`));
    const file = floorFile(n++);
    return timeMs(() => {
      const fd = openSync(file, 'wx');
      for (const line of lines) writeSync(fd, line);
      fdatasyncSync(fd);
      closeSync(fd);
    });
  };

  const kinds = [lockstep, perEvent, oneTransaction, floor];
  const samples: number[][] = kinds.map(() => []);
  for (let i = 0; i < options.warmup; i++) for (const kind of kinds) await kind(next());
  for (let start = 0, b = 0; start < options.records; start += options.block, b++) {
    const count = Math.min(options.block, options.records - start);
    for (let k = 0; k < kinds.length; k++) {
      const which = (b + k) % kinds.length; // rotate who goes first
      const runsOfBlock = Array.from({ length: count }, next);
      for (const run of runsOfBlock) samples[which]!.push(await kinds[which]!(run));
    }
  }
  await store.close();
  const recorded = sqlite.count();
  sqlite.close();
  const expected = runs + 2 * (options.warmup + options.records);
  if (recorded < expected) throw new Error(`sqlite holds ${recorded} runs, expected ${expected}`);

  const [l, p, o, f] = samples.map(summarize) as [Summary, Summary, Summary, Summary];
  return {
    runs,
    lockstep: l,
    sqlitePerEvent: p,
    sqliteOneTransaction: o,
    floor: f,
    ratio: { median: round(l.median / p.median), p95: round(l.p95 / p.p95) },
    ratioOneTransaction: round(l.median / o.median),
    fillMs,
    sqliteBytes: statSync(sqliteFile).size,
  };
}

function startOfTodayUtc(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

function formatReport(result: Omit<RecordBenchResult, 'report'>): string {
  const { options, sizes, verdict } = result;
  const out: string[] = [
    `Recording a 10-step run: ${result.events} events (run-started, 10 × step-started/effect/step-finished, run-finished), a ${result.journalBytes}-byte journal; ${options.records} timed runs per store and size (after ${options.warmup} warm-up), in blocks of ${options.block} rotating between the four.`,
    'Durability compared: per-event writes with one sync at run end. Lockstep appends each event with write() and fdatasyncs at close (plus one folder fsync when the journal is created);',
    'SQLite (WAL) commits each event with synchronous=NORMAL and the run-finished one with synchronous=FULL. Also shown: SQLite with all rows in one synced transaction',
    '(a killed runner loses the whole run), and the floor: the same lines written to a new file and fdatasync’ed once.',
    '',
    table(
      [
        'store size',
        'lockstep median',
        'p95',
        'sqlite per-event',
        'p95',
        'sqlite one tx',
        'p95',
        'floor',
        'lockstep/sqlite',
        'p95',
        'vs one tx',
      ],
      sizes.map((s) => [
        `${s.runs} runs`,
        `${ms(s.lockstep.median)} ms`,
        `${ms(s.lockstep.p95)} ms`,
        `${ms(s.sqlitePerEvent.median)} ms`,
        `${ms(s.sqlitePerEvent.p95)} ms`,
        `${ms(s.sqliteOneTransaction.median)} ms`,
        `${ms(s.sqliteOneTransaction.p95)} ms`,
        `${ms(s.floor.median)} ms`,
        `${s.ratio.median.toFixed(2)}×`,
        `${s.ratio.p95.toFixed(2)}×`,
        `${s.ratioOneTransaction.toFixed(2)}×`,
      ]),
    ),
    '',
    `Flat as the store grows: ${verdict.flat ? 'yes' : 'NO'} (Lockstep median at ${sizes.at(-1)!.runs} / at ${sizes[0]!.runs} runs = ${verdict.growth.toFixed(2)}×, the floor's ${verdict.floorGrowth.toFixed(2)}×, so ${verdict.normalizedGrowth.toFixed(2)}× with the disk's drift taken out).`,
    `Within 2× of SQLite per-event (issue 3's target): ${verdict.within2xOfSqlite ? 'yes' : 'NO'} (median ratios ${sizes.map((s) => `${s.ratio.median.toFixed(2)}× at ${s.runs}`).join(', ')}).`,
    `Not timed: filling ${sizes.map((s) => `to ${s.runs}: Lockstep ${ms(s.fillMs.lockstep)} ms, SQLite ${ms(s.fillMs.sqlite)} ms`).join('; ')}; SQLite file ${mb(sizes.at(-1)!.sqliteBytes)} at ${sizes.at(-1)!.runs} runs.`,
  ];
  return out.join('\n');
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
