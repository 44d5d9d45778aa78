/**
 * `npm run bench`: runs every benchmark, prints one report and writes the numbers to
 * out/bench/results.json. Benchmarks report facts; they never fail the build on a slow machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEditorBench } from './editor.bench.js';
import { runHistoryBench, type HistoryBenchResult } from './history.bench.js';
import { runEngineBench } from './engine.bench.js';
import { runGateBench } from './gate.bench.js';
import { runIndexBench } from './index.bench.js';
import { runLanguageServerBench } from './language-server.bench.js';
import { benchTempRoot, runPublishBench } from './publish.bench.js';
import type { ReplayBenchResult } from './replay.bench.js';
import { runRunStartBench } from './run-start.bench.js';
import { runRecordBench } from './runs.bench.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const started = Date.now();
const progress = (line: string): void => {
  process.stderr.write(`  [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
};

const machine = {
  node: process.version,
  platform: `${process.platform} ${os.release()}`,
  cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
  memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  tmpdir: os.tmpdir(),
  /** 1-minute load average before and after: a busy machine makes every number noisier. */
  loadAverage: { before: round1(os.loadavg()[0]), after: 0 },
};

progress('publish benchmark');
const publish = await runPublishBench(undefined, progress);

settleDisk();
progress('run recording benchmark');
const { record, listRuns, history } = await recordThenList();

settleDisk();
progress('run start benchmark');
const runStart = await runRunStartBench(undefined, undefined, progress);

settleDisk();
progress('engine benchmark');
const engine = await runEngineBench(undefined, progress);

settleDisk();
progress('language server benchmark');
const languageServer = await runLanguageServerBench(undefined, progress);

settleDisk();
progress('replay benchmark (in a fresh process)');
const replay = replayInFreshProcess();

settleDisk();
progress('gate benchmark');
const gate = await runGateBench(undefined, progress);

const editor = readEditorBench(repoRoot);

machine.loadAverage.after = round1(os.loadavg()[0]);

console.log(`Lockstep benchmarks — Node ${machine.node}, ${machine.platform}, ${machine.cpus}`);
console.log(
  `Load average ${machine.loadAverage.before} before, ${machine.loadAverage.after} after (${os.cpus().length} cores): the higher, the noisier.`,
);
console.log('');
for (const result of [
  publish,
  record,
  listRuns,
  history,
  runStart,
  engine,
  languageServer,
  replay,
  gate,
  editor,
]) {
  console.log(result.report);
  console.log('');
}
console.log(`Total ${((Date.now() - started) / 1000).toFixed(1)} s.`);

const withoutReport = <T extends { report: string }>({ report: _report, ...rest }: T) => rest;
const outDir = path.join(repoRoot, 'out', 'bench');
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, 'results.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      machine,
      benchmarks: {
        publish: withoutReport(publish),
        recordRun: withoutReport(record),
        listRuns: withoutReport(listRuns),
        history: withoutReport(history),
        runStart: withoutReport(runStart),
        engine: withoutReport(engine),
        languageServer: withoutReport(languageServer),
        replay: withoutReport(replay),
        gate: withoutReport(gate),
        editor: withoutReport(editor),
      },
    },
    null,
    2,
  )}\n`,
);
console.log(`Results written to ${path.relative(process.cwd(), file)}.`);

/**
 * Recording fills a store to 100 000 runs; the index benchmark lists runs in that same store, and
 * the History benchmark opens the view's first page on it.
 */
async function recordThenList(): Promise<{
  record: Awaited<ReturnType<typeof runRecordBench>>['result'];
  listRuns: Awaited<ReturnType<typeof runIndexBench>>;
  history: HistoryBenchResult;
}> {
  const temp = benchTempRoot();
  try {
    const recorded = await runRecordBench(temp.dir, undefined, progress);
    progress('run index benchmark');
    const listRuns = await runIndexBench(recorded.filled, undefined, progress);
    progress('history view benchmark');
    return {
      record: recorded.result,
      listRuns,
      history: await runHistoryBench(recorded.filled, undefined, undefined, progress),
    };
  } finally {
    // 100 000 journals: `rm -rf` removes them several times faster than Node's recursive rm.
    if (process.platform !== 'win32') execFileSync('rm', ['-rf', temp.dir]);
    temp.cleanup();
  }
}

/**
 * The replay benchmark, run in a process of its own: its throughput depends on garbage
 * collection and the thread pool, which the benchmarks before it would otherwise have left
 * loaded (a heap twice the size, an index worker). Its progress goes to stderr as it runs.
 */
function replayInFreshProcess(): ReplayBenchResult {
  const script = path.join(repoRoot, 'out', 'test', 'bench', 'replay.bench.js');
  const stdout = execFileSync(process.execPath, [script, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as ReplayBenchResult;
}

/**
 * Flushes what the benchmarks before wrote (`sync`), so that the next one does not pay for
 * their writeback: the recording benchmark writes and deletes 100 000 journals, whose writeback
 * otherwise still slows every fdatasync of the benchmarks after it.
 */
function settleDisk(): void {
  if (process.platform === 'win32') return;
  progress('flushing the disk (sync)');
  execFileSync('sync');
}

function round1(x: number | undefined): number {
  return Math.round((x ?? 0) * 10) / 10;
}
