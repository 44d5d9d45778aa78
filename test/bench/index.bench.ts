/**
 * History queries at scale: listing the newest 50 runs of one workflow in a store of about
 * 100 000 runs (the one the recording benchmark filled), answered by the sql.js index.
 *
 * - rebuild: no index file; the first query reads every journal (in the index worker);
 * - warm: the same process asks again (the extension's case): only a catch-up (a stat per day
 *   folder and per unfinished run) and the query;
 * - cold: a fresh process with an up-to-date index file and newest-runs file: the newest-runs
 *   file read and caught up (no worker); and a query it cannot answer (a status filter): worker
 *   start, sql.js start, the index file loaded, catch-up, query. Also the whole CLI command
 *   (`lockstep runs`, bundled) end to end;
 * - memory: the index file, the database image, and what answering added to a fresh process.
 *
 * Facts are reported, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../core/src/node/store/files/layout.js';
import type { IndexStats } from '../../core/src/node/store/index/index-protocol.js';
import { RACY_MS } from '../../core/src/node/store/index/run-catch-up.js';
import { RUN_WORKFLOWS, runWorkflow, tenStepRun } from '../helpers/journal-fill.js';
import type { FilledStores } from './runs.bench.js';
import { ms, round, summarize, table, timeMs, type Summary } from './stats.js';

export interface IndexBenchOptions {
  /** Warm queries in one process. */
  readonly warmQueries: number;
  /** Fresh processes. */
  readonly coldProcesses: number;
  /**
   * Whole `lockstep runs` commands (each beside a `lockstep --version` and a `node -e 0`): a
   * ratio of two process starts, each a few milliseconds apart on a shared machine, needs more
   * than a handful.
   */
  readonly cliCommands: number;
}

export const DEFAULT_INDEX_OPTIONS: IndexBenchOptions = {
  warmQueries: 40,
  coldProcesses: 5,
  cliCommands: 21,
};

interface ChildResult {
  readonly openMs: number;
  readonly listMs: number;
  readonly totalMs: number;
  readonly count: number;
  readonly answeredBy: 'worker' | 'newest-runs';
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly stats: IndexStats;
}

export interface IndexBenchResult {
  readonly name: 'list-runs';
  readonly options: IndexBenchOptions;
  readonly runs: number;
  readonly rebuild: { readonly firstQueryMs: number; readonly exportMs: number };
  readonly warm: Summary;
  /** A query right after another process recorded one run (one folder listed, one journal read). */
  readonly afterOneNewRun: number;
  readonly cold: { readonly total: Summary; readonly list: Summary };
  /** Fresh processes asking what the newest-runs file cannot answer: the worker answers. */
  readonly coldWorker: { readonly total: Summary; readonly list: Summary };
  /** Whole processes: `lockstep runs`, `lockstep --version`, and `node -e 0` (Node's start). */
  readonly cli: { readonly runs: Summary; readonly version: Summary; readonly nodeStart: Summary };
  readonly memory: {
    readonly fileBytes: number;
    readonly databaseBytes: number;
    readonly workerHeapBytes: number;
    readonly processGrowthBytes: number;
    readonly workerProcessGrowthBytes: number;
    readonly openRuns: number;
  };
  readonly verdict: { readonly warmWithin100ms: boolean; readonly coldWithin100ms: boolean };
  readonly report: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../../dist/cli.js');

export async function runIndexBench(
  filled: FilledStores,
  options: IndexBenchOptions = DEFAULT_INDEX_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<IndexBenchResult> {
  const root = filled.lockstepRoot;
  const layout = storeLayout(root);
  const workflow = runWorkflow(7);

  log(`index: rebuilding from ${filled.runs} journals…`);
  rmSync(layout.index, { force: true });
  const rebuild = await openFsStore(root);
  const firstQueryMs = await timeMs(() => rebuild.listRuns({ workflow, limit: 50 }));
  const exportMs = await timeMs(() => rebuild.index.flush());
  const stats = await rebuild.index.stats();
  await rebuild.close();

  // Day folders written less than RACY_MS before a listing are listed again next time; let the
  // newest ones settle and write the index once more, as any later command would.
  await delay(RACY_MS + 200);
  const settle = await openFsStore(root);
  await settle.listRuns({ workflow, limit: 50 });
  await settle.close();

  log('index: warm queries…');
  const warmStore = await openFsStore(root);
  await warmStore.listRuns({ workflow, limit: 50 });
  const warmSamples: number[] = [];
  for (let i = 0; i < options.warmQueries; i++) {
    const name = runWorkflow(i % RUN_WORKFLOWS);
    let count = 0;
    warmSamples.push(
      await timeMs(async () => {
        count = (await warmStore.listRuns({ workflow: name, limit: 50 })).length;
      }),
    );
    if (count !== 50) throw new Error(`listed ${count} runs of ${name}, expected 50`);
  }
  // Another writer records one run; the warm store's next query picks it up.
  const writer = await openFsStore(root);
  const fresh = tenStepRun(20_000_000, new Date());
  const journal = await writer.createRun(fresh.header);
  for (const event of fresh.events) await journal.append(event);
  await journal.close();
  await writer.close();
  let newest = '';
  const afterOneNewRun = await timeMs(async () => {
    newest =
      (await warmStore.listRuns({ workflow: fresh.header.workflow, limit: 50 }))[0]?.id ?? '';
  });
  if (newest !== fresh.header.id) throw new Error('the warm index did not catch up with a new run');
  await warmStore.close();
  await delay(RACY_MS + 200);
  const settleAgain = await openFsStore(root);
  await settleAgain.listRuns({ workflow, limit: 50 });
  await settleAgain.close();

  log('index: cold processes…');
  const coldChild = (i: number, filtered: boolean): ChildResult => {
    const out = execFileSync(
      process.execPath,
      [
        path.join(here, 'index-child.js'),
        root,
        runWorkflow(i % RUN_WORKFLOWS),
        ...(filtered ? ['filtered'] : []),
      ],
      { encoding: 'utf8' },
    );
    const child = JSON.parse(out) as ChildResult;
    if (child.count !== 50) throw new Error(`a fresh process listed ${child.count} runs`);
    if (child.stats.opened !== 'loaded') throw new Error(`the index was ${child.stats.opened}`);
    const expected = filtered ? 'worker' : 'newest-runs';
    if (child.answeredBy !== expected) {
      throw new Error(
        `a fresh process was answered by the ${child.answeredBy}, not the ${expected}`,
      );
    }
    return child;
  };
  const children: ChildResult[] = [];
  const workerChildren: ChildResult[] = [];
  for (let i = 0; i < options.coldProcesses; i++) {
    children.push(coldChild(i, false));
    workerChildren.push(coldChild(i, true));
  }

  log('index: CLI commands…');
  const cwd = path.dirname(root);
  const command = (args: string[]): number => {
    const started = performance.now();
    execFileSync(process.execPath, args, { cwd, stdio: 'ignore' });
    return performance.now() - started;
  };
  const cliRuns: number[] = [];
  const cliVersion: number[] = [];
  const nodeStart: number[] = [];
  for (let i = 0; i < options.cliCommands; i++) {
    nodeStart.push(command(['-e', '0']));
    cliVersion.push(command([CLI, '--version']));
    cliRuns.push(command([CLI, 'runs', workflow, '--limit', '50']));
  }

  const last = children.at(-1)!;
  const warm = summarize(warmSamples);
  const cold = {
    total: summarize(children.map((c) => c.totalMs)),
    list: summarize(children.map((c) => c.listMs)),
  };
  const coldWorker = {
    total: summarize(workerChildren.map((c) => c.totalMs)),
    list: summarize(workerChildren.map((c) => c.listMs)),
  };
  const result = {
    name: 'list-runs' as const,
    options,
    runs: stats.runs,
    rebuild: { firstQueryMs: round(firstQueryMs), exportMs: round(exportMs) },
    warm,
    afterOneNewRun: round(afterOneNewRun),
    cold,
    coldWorker,
    cli: {
      runs: summarize(cliRuns),
      version: summarize(cliVersion),
      nodeStart: summarize(nodeStart),
    },
    memory: {
      fileBytes: last.stats.fileBytes,
      databaseBytes: last.stats.databaseBytes,
      workerHeapBytes: last.stats.workerHeapBytes,
      processGrowthBytes: Math.round(
        summarize(children.map((c) => c.rssAfter - c.rssBefore)).median,
      ),
      workerProcessGrowthBytes: Math.round(
        summarize(workerChildren.map((c) => c.rssAfter - c.rssBefore)).median,
      ),
      openRuns: last.stats.openRuns,
    },
    verdict: { warmWithin100ms: warm.median <= 100, coldWithin100ms: cold.total.median <= 100 },
  };
  return { ...result, report: formatReport(result) };
}

function formatReport(result: Omit<IndexBenchResult, 'report'>): string {
  const { rebuild, warm, cold, coldWorker, cli, memory, options } = result;
  return [
    `Listing the newest 50 runs of one workflow among ${result.runs} runs (20 workflows; sql.js index in a worker thread, and the newest-runs file beside it).`,
    '',
    table(
      ['case', 'median', 'p95', 'n'],
      [
        [
          'warm (same process, index loaded)',
          `${ms(warm.median)} ms`,
          `${ms(warm.p95)} ms`,
          `${warm.n}`,
        ],
        [
          'cold: fresh process, index file present',
          `${ms(cold.total.median)} ms`,
          `${ms(cold.total.p95)} ms`,
          `${cold.total.n}`,
        ],
        [
          '  of which the query (newest-runs file read and caught up, no worker)',
          `${ms(cold.list.median)} ms`,
          `${ms(cold.list.p95)} ms`,
          `${cold.list.n}`,
        ],
        [
          'cold, with a status filter (answered by the worker)',
          `${ms(coldWorker.total.median)} ms`,
          `${ms(coldWorker.total.p95)} ms`,
          `${coldWorker.total.n}`,
        ],
        [
          '  of which the query (worker start, sql.js, load, catch-up)',
          `${ms(coldWorker.list.median)} ms`,
          `${ms(coldWorker.list.p95)} ms`,
          `${coldWorker.list.n}`,
        ],
        [
          'whole CLI command `lockstep runs` (bundle)',
          `${ms(cli.runs.median)} ms`,
          `${ms(cli.runs.p95)} ms`,
          `${cli.runs.n}`,
        ],
        [
          '  baseline: `lockstep --version`',
          `${ms(cli.version.median)} ms`,
          `${ms(cli.version.p95)} ms`,
          `${cli.version.n}`,
        ],
        [
          '  floor: `node -e 0`',
          `${ms(cli.nodeStart.median)} ms`,
          `${ms(cli.nodeStart.p95)} ms`,
          `${cli.nodeStart.n}`,
        ],
      ],
    ),
    '',
    `Target ≤ 100 ms: warm ${result.verdict.warmWithin100ms ? 'yes' : 'NO'} (median ${ms(warm.median)} ms), cold ${result.verdict.coldWithin100ms ? 'yes' : 'NO'} (median ${ms(cold.total.median)} ms).`,
    `After another process recorded one run, the warm index's next query took ${ms(result.afterOneNewRun)} ms (one day folder listed, one journal read).`,
    `Full rebuild (no index file, every journal read in the worker): ${ms(rebuild.firstQueryMs)} ms for the first query, then ${ms(rebuild.exportMs)} ms to export and write the file (off the main thread).`,
    `Memory: index file ${mb(memory.fileBytes)}, database image ${mb(memory.databaseBytes)}, worker JS heap ${mb(memory.workerHeapBytes)}; a fresh process grew by ${mb(memory.processGrowthBytes)} RSS to answer from the newest-runs file, ${mb(memory.workerProcessGrowthBytes)} with the worker (sql.js, the image). ${memory.openRuns} unfinished runs re-checked at every query.`,
    `(${options.coldProcesses} fresh processes of each kind, ${options.cliCommands} CLI commands; modules of the store are loaded before a fresh process's clock starts, the worker's are timed.)`,
  ].join('\n');
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
