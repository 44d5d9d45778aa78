/**
 * The cost of publishing a version into stores that already hold 1 000 and 10 000 published
 * versions: the file store (`FsStore.publish`: one line appended to the control log under the
 * lock, fdatasync'ed) against SQLite with the same durability (see sqlite-store.ts), with the same
 * payloads. Also the cost of opening each store, which a fresh CLI process pays once.
 *
 * Facts are reported, never asserted: benchmarks do not fail the build.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import type { PublishRequest } from '../../core/src/store/records.js';
import { controlLogText, checkFillMatchesPublish, fillLockstepStore } from './lockstep-fill.js';
import { benchRequest, benchSource, WORKFLOW_NAMES, workflowName } from './payloads.js';
import { SqliteStore } from './sqlite-store.js';
import { ms, round, summarize, table, timeMs, type Summary } from './stats.js';

export interface PublishBenchOptions {
  /** Store sizes (published versions already present). */
  readonly sizes: readonly number[];
  /** Timed publishes per store and size. */
  readonly publishes: number;
  /** Untimed publishes before timing starts. */
  readonly warmup: number;
  /**
   * Timed operations per block; blocks rotate between Lockstep, SQLite and the bare append, so a
   * disk that slows down for a while slows all three alike.
   */
  readonly block: number;
  /** Opens of each store timed in this process, and in fresh processes. */
  readonly opens: number;
}

export const DEFAULT_OPTIONS: PublishBenchOptions = {
  sizes: [1_000, 10_000],
  publishes: 200,
  warmup: 5,
  block: 10,
  opens: 5,
};

export interface SizeResult {
  readonly versions: number;
  readonly lockstep: {
    readonly publish: Summary;
    readonly openInProcess: Summary;
    readonly openFreshProcess: Summary;
    readonly controlLogBytes: number;
    readonly fillMs: number;
    readonly verifyMs: number;
  };
  readonly sqlite: {
    readonly publish: Summary;
    readonly openInProcess: Summary;
    readonly openFreshProcess: Summary;
    readonly databaseBytes: number;
    readonly fillMs: number;
  };
  /**
   * The floor, timed alongside: one entry-sized line appended to a plain file with open, write,
   * fdatasync, close (no lock, no reads, no hashing).
   */
  readonly appendFdatasync: Summary;
  /** Lockstep median / SQLite median (and the same for p95). */
  readonly ratio: { readonly median: number; readonly p95: number };
}

export interface PublishBenchResult {
  readonly name: 'publish';
  readonly options: PublishBenchOptions;
  readonly payload: {
    readonly sourceLines: number;
    readonly workflowNames: number;
    readonly entryBytes: number;
  };
  readonly sizes: readonly SizeResult[];
  readonly verdict: {
    /** Lockstep median publish at the largest size over the smallest. */
    readonly growth: number;
    /** The same growth of the floor (the disk's drift between the two measurements). */
    readonly floorGrowth: number;
    /** `growth / floorGrowth`: what the store's size added, the disk's drift taken out. */
    readonly normalizedGrowth: number;
    /** `normalizedGrowth` at most 1.25. */
    readonly flat: boolean;
    /** Every size's median ratio to SQLite at most 2. */
    readonly within2xOfSqlite: boolean;
  };
  readonly report: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

/** A scratch folder on the same file system as the repository (sync costs differ between disks). */
export function benchTempRoot(): { dir: string; cleanup: () => void } {
  const tmp = os.tmpdir();
  const sameDisk = statSync(tmp).dev === statSync(repoRoot).dev;
  const parent = sameDisk ? tmp : path.join(repoRoot, 'out', 'bench-tmp');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, 'lockstep-bench-'));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      if (!sameDisk) rmSync(parent, { recursive: true, force: true });
    },
  };
}

export async function runPublishBench(
  options: PublishBenchOptions = DEFAULT_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<PublishBenchResult> {
  const temp = benchTempRoot();
  try {
    return await measure(temp.dir, options, log);
  } finally {
    temp.cleanup();
  }
}

async function measure(
  dir: string,
  options: PublishBenchOptions,
  log: (line: string) => void,
): Promise<PublishBenchResult> {
  // The fill must be a store FsStore.publish could have written: same bytes on a small sample.
  await checkFillMatchesPublish(
    path.join(dir, 'fill-check', '.lockstep'),
    Array.from({ length: WORKFLOW_NAMES + 3 }, (_, i) => benchRequest(i)),
  );
  const entryBytes = Buffer.byteLength(controlLogText([benchRequest(0)]));

  const sizes: SizeResult[] = [];
  for (const versions of options.sizes) {
    log(`${versions} versions: filling…`);
    sizes.push(
      await measureSize(path.join(dir, `v${versions}`), versions, entryBytes, options, log),
    );
  }

  const first = sizes[0]!;
  const last = sizes.at(-1)!;
  const growth = round(last.lockstep.publish.median / first.lockstep.publish.median);
  const floorGrowth = round(last.appendFdatasync.median / first.appendFdatasync.median);
  const normalizedGrowth = round(growth / floorGrowth);
  const verdict = {
    growth,
    floorGrowth,
    normalizedGrowth,
    flat: normalizedGrowth <= 1.25,
    within2xOfSqlite: sizes.every((s) => s.ratio.median <= 2),
  };
  const payload = {
    sourceLines: benchSource(0).split('\n').length - 1,
    workflowNames: WORKFLOW_NAMES,
    entryBytes,
  };
  const result = { name: 'publish' as const, options, payload, sizes, verdict };
  return { ...result, report: formatReport(result) };
}

async function measureSize(
  dir: string,
  versions: number,
  entryBytes: number,
  options: PublishBenchOptions,
  log: (line: string) => void,
): Promise<SizeResult> {
  mkdirSync(dir, { recursive: true });
  const lockstepRoot = path.join(dir, '.lockstep');
  const sqliteFile = path.join(dir, 'store.sqlite');
  const fillMs = await fillBoth(lockstepRoot, sqliteFile, versions);

  // Outside the timed part: the filled store is one FsStore reads as valid.
  log(`${versions} versions: verifying the filled store…`);
  const verifyMs = await timeMs(async () => {
    const store = await openFsStore(lockstepRoot);
    const report = await store.verify();
    await store.close();
    if (!report.ok || report.checked.entries !== versions) {
      throw new Error(
        `the filled store does not verify: ${JSON.stringify(report.problems.slice(0, 3))}`,
      );
    }
  });

  log(`${versions} versions: opening…`);
  const openInProcess = {
    lockstep: await repeat(options.opens, async () => {
      const store = await openFsStore(lockstepRoot);
      await store.close();
    }),
    sqlite: await repeat(options.opens, () => new SqliteStore(sqliteFile).close()),
  };
  const openFreshProcess = {
    lockstep: summarize(
      Array.from({ length: options.opens }, () => openInChild('lockstep', lockstepRoot)),
    ),
    sqlite: summarize(
      Array.from({ length: options.opens }, () => openInChild('sqlite', sqliteFile)),
    ),
  };

  log(`${versions} versions: publishing…`);
  const requests = Array.from({ length: options.warmup + options.publishes }, (_, i) =>
    benchRequest(versions + i),
  );
  const lockstep = await openFsStore(lockstepRoot);
  const sqlite = new SqliteStore(sqliteFile);
  const publishLockstep = async (request: PublishRequest): Promise<number> => {
    let created = false;
    const elapsed = await timeMs(async () => {
      created = (await lockstep.publish(request)).created;
    });
    if (!created) throw new Error('lockstep did not publish a new version');
    return elapsed;
  };
  const publishSqlite = async (request: PublishRequest): Promise<number> => {
    let created = false;
    const elapsed = await timeMs(() => {
      created = sqlite.publish(request).created;
    });
    if (!created) throw new Error('sqlite did not publish a new version');
    return elapsed;
  };
  const append = appender(path.join(dir, 'floor.jsonl'), entryBytes);
  for (const request of requests.slice(0, options.warmup)) {
    await publishLockstep(request);
    await publishSqlite(request);
    await append();
  }
  const samples = { lockstep: [] as number[], sqlite: [] as number[], floor: [] as number[] };
  const timed = requests.slice(options.warmup);
  for (let start = 0, blockIndex = 0; start < timed.length; start += options.block, blockIndex++) {
    const block = timed.slice(start, start + options.block);
    const runs = [
      async (): Promise<void> => {
        for (const request of block) samples.lockstep.push(await publishLockstep(request));
      },
      async (): Promise<void> => {
        for (const request of block) samples.sqlite.push(await publishSqlite(request));
      },
      async (): Promise<void> => {
        for (let i = 0; i < block.length; i++) samples.floor.push(await timeMs(append));
      },
    ];
    // Rotate who goes first, so no one always follows the same neighbour.
    for (let i = 0; i < runs.length; i++) await runs[(blockIndex + i) % runs.length]!();
  }
  await lockstep.close();

  // Both stores took every publish, with gapless seqs.
  const total = versions + requests.length;
  const name = workflowName(total - 1);
  const expectedSeq = Math.floor((total - 1) / WORKFLOW_NAMES) + 1;
  const reopened = await openFsStore(lockstepRoot);
  const published = await reopened.listPublications(name);
  await reopened.close();
  const counted = sqlite.count(name);
  sqlite.close();
  if (published.at(-1)?.seq !== expectedSeq || counted.maxSeq !== expectedSeq) {
    throw new Error(
      `unexpected seq after publishing: lockstep ${published.at(-1)?.seq}, sqlite ${counted.maxSeq}, expected ${expectedSeq}`,
    );
  }
  if (counted.publications !== total)
    throw new Error(`sqlite holds ${counted.publications} publications, expected ${total}`);

  const lockstepPublish = summarize(samples.lockstep);
  const sqlitePublish = summarize(samples.sqlite);
  return {
    versions,
    lockstep: {
      publish: lockstepPublish,
      openInProcess: openInProcess.lockstep,
      openFreshProcess: openFreshProcess.lockstep,
      controlLogBytes: (await stat(path.join(lockstepRoot, 'control.jsonl'))).size,
      fillMs: round(fillMs.lockstep),
      verifyMs: round(verifyMs),
    },
    sqlite: {
      publish: sqlitePublish,
      openInProcess: openInProcess.sqlite,
      openFreshProcess: openFreshProcess.sqlite,
      databaseBytes: (await stat(sqliteFile)).size,
      fillMs: round(fillMs.sqlite),
    },
    appendFdatasync: summarize(samples.floor),
    ratio: {
      median: round(lockstepPublish.median / sqlitePublish.median),
      p95: round(lockstepPublish.p95 / sqlitePublish.p95),
    },
  };
}

/**
 * Fills both stores with the same `versions` publications. The requests are garbage once this
 * returns, so they do not weigh on the garbage collector while publishes are timed.
 */
async function fillBoth(
  lockstepRoot: string,
  sqliteFile: string,
  versions: number,
): Promise<{ lockstep: number; sqlite: number }> {
  const fill = Array.from({ length: versions }, (_, i) => benchRequest(i));
  const lockstep = await timeMs(() => fillLockstepStore(lockstepRoot, fill));
  const sqlite = await timeMs(() => {
    const db = new SqliteStore(sqliteFile, { synchronous: 'OFF' });
    db.publishAll(fill);
    db.close();
  });
  return { lockstep, sqlite };
}

/** The floor under any durable append: open, write one entry-sized line, fdatasync, close. */
function appender(file: string, lineBytes: number): () => Promise<void> {
  const line = Buffer.from(`${'x'.repeat(lineBytes - 1)}\n`);
  return async () => {
    const handle = await open(file, 'a');
    try {
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  };
}

async function repeat(times: number, work: () => unknown): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await timeMs(work));
  return summarize(samples);
}

function openInChild(kind: 'lockstep' | 'sqlite', location: string): number {
  const out = execFileSync(process.execPath, [path.join(here, 'open-child.js'), kind, location], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { openMs: number }).openMs;
}

function formatReport(result: Omit<PublishBenchResult, 'report'>): string {
  const { options, payload, sizes, verdict } = result;
  const out: string[] = [];
  out.push(
    `Publish: ${options.publishes} timed publishes per store and size (after ${options.warmup} warm-up), in blocks of ${options.block} rotating between the three.`,
    `Payload: a ${payload.sourceLines}-line workflow (8 LLM steps) spread over ${payload.workflowNames} workflow names; a ${payload.entryBytes}-byte control-log entry.`,
    'Durability: Lockstep appends one entry under its lock and fdatasyncs it; SQLite runs WAL + synchronous=FULL, one IMMEDIATE transaction per publish;',
    'floor = the same number of bytes appended to a plain file (open, write, fdatasync, close): what any durable append costs on this disk.',
    '',
  );
  out.push(
    table(
      [
        'store size',
        'lockstep median',
        'p95',
        'sqlite median',
        'p95',
        'floor median',
        'p95',
        'lockstep/sqlite',
        'p95',
      ],
      sizes.map((s) => [
        `${s.versions} versions`,
        `${ms(s.lockstep.publish.median)} ms`,
        `${ms(s.lockstep.publish.p95)} ms`,
        `${ms(s.sqlite.publish.median)} ms`,
        `${ms(s.sqlite.publish.p95)} ms`,
        `${ms(s.appendFdatasync.median)} ms`,
        `${ms(s.appendFdatasync.p95)} ms`,
        `${s.ratio.median.toFixed(2)}×`,
        `${s.ratio.p95.toFixed(2)}×`,
      ]),
    ),
    '',
  );
  out.push(
    table(
      [
        'open (ready to publish)',
        'lockstep fresh process',
        'in process',
        'sqlite fresh process',
        'in process',
        'control.jsonl',
        'sqlite file',
      ],
      sizes.map((s) => [
        `${s.versions} versions`,
        `${ms(s.lockstep.openFreshProcess.median)} ms`,
        `${ms(s.lockstep.openInProcess.median)} ms`,
        `${ms(s.sqlite.openFreshProcess.median)} ms`,
        `${ms(s.sqlite.openInProcess.median)} ms`,
        mb(s.lockstep.controlLogBytes),
        mb(s.sqlite.databaseBytes),
      ]),
    ),
    `(medians of ${options.opens}; fresh process = the first open in a new Node process, modules already loaded)`,
    '',
  );
  const first = sizes[0]!;
  const last = sizes.at(-1)!;
  const sqliteGrowth = last.sqlite.publish.median / first.sqlite.publish.median;
  out.push(
    `Flat as the store grows: ${verdict.flat ? 'yes' : 'NO'} (Lockstep median at ${last.versions} / at ${first.versions} versions = ${verdict.growth.toFixed(2)}×, the floor's ${verdict.floorGrowth.toFixed(2)}×, so ${verdict.normalizedGrowth.toFixed(2)}× with the disk's drift taken out; SQLite ${sqliteGrowth.toFixed(2)}×).`,
    `Within 2× of SQLite (issue 2's target): ${verdict.within2xOfSqlite ? 'yes' : 'NO'} (median ratios ${sizes.map((s) => `${s.ratio.median.toFixed(2)}× at ${s.versions}`).join(', ')}).`,
    `Over the floor: Lockstep ${sizes.map((s) => `${signedMs(s.lockstep.publish.median - s.appendFdatasync.median)} at ${s.versions}`).join(', ')} (lock, catch-up read, hashing); SQLite ${sizes.map((s) => `${signedMs(s.sqlite.publish.median - s.appendFdatasync.median)} at ${s.versions}`).join(', ')}.`,
    `Not timed: filling Lockstep ${sizes.map((s) => `${ms(s.lockstep.fillMs)} ms for ${s.versions}`).join(', ')}; verify of the filled store ${sizes.map((s) => `${ms(s.lockstep.verifyMs)} ms at ${s.versions}`).join(', ')}.`,
  );
  return out.join('\n');
}

function signedMs(x: number): string {
  return `${x >= 0 ? '+' : '-'}${ms(Math.abs(x))} ms`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
