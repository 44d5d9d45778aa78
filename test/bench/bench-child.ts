/**
 * Runs one group of benchmarks in a process of its own and prints its results as one JSON
 * document on stdout (progress on stderr), with the process's peak resident memory: each group
 * pays only for itself (heap, worker threads, the writeback of what it wrote is flushed before it
 * starts), and its peak memory is its own.
 *
 *   node out/test/bench/bench-child.js <publish|runs|run-start|engine|language-server|replay|gate|team-store|queue|serve>
 */
import { execFileSync } from 'node:child_process';
import { runEngineBench } from './engine.bench.js';
import { runGateBench } from './gate.bench.js';
import { runHistoryBench } from './history.bench.js';
import { runIndexBench } from './index.bench.js';
import { runLanguageServerBench } from './language-server.bench.js';
import { benchTempRoot, runPublishBench } from './publish.bench.js';
import { DEFAULT_REPLAY_OPTIONS, runReplayBench } from './replay.bench.js';
import { runRunStartBench } from './run-start.bench.js';
import { runRecordBench } from './runs.bench.js';
import { runTeamStoreBench } from './team-store.bench.js';
import { runQueueBench } from './queue.bench.js';
import { runServeBench } from './serve.bench.js';

/** The groups, each a function returning its results by benchmark name. */
export const BENCH_GROUPS = {
  publish: async (log: (line: string) => void) => ({
    publish: await runPublishBench(undefined, log),
  }),
  /**
   * Recording fills a store to 100 000 runs; listing runs and the History view's first page are
   * measured on that same store.
   */
  runs: async (log: (line: string) => void) => {
    const temp = benchTempRoot();
    try {
      const recorded = await runRecordBench(temp.dir, undefined, log);
      log('run index benchmark');
      const listRuns = await runIndexBench(recorded.filled, undefined, log);
      log('history view benchmark');
      const history = await runHistoryBench(recorded.filled, undefined, undefined, log);
      return { recordRun: recorded.result, listRuns, history };
    } finally {
      // 100 000 journals: `rm -rf` removes them several times faster than Node's recursive rm.
      if (process.platform !== 'win32') execFileSync('rm', ['-rf', temp.dir]);
      temp.cleanup();
    }
  },
  'run-start': async (log: (line: string) => void) => ({
    runStart: await runRunStartBench(undefined, undefined, log),
  }),
  engine: async (log: (line: string) => void) => ({ engine: await runEngineBench(undefined, log) }),
  'language-server': async (log: (line: string) => void) => ({
    languageServer: await runLanguageServerBench(undefined, log),
  }),
  replay: async (log: (line: string) => void) => ({
    replay: await runReplayBench(DEFAULT_REPLAY_OPTIONS, log),
  }),
  gate: async (log: (line: string) => void) => ({ gate: await runGateBench(undefined, log) }),
  'team-store': async (log: (line: string) => void) => ({
    teamStore: await runTeamStoreBench(undefined, log),
  }),
  queue: async (log: (line: string) => void) => ({ queue: await runQueueBench(undefined, log) }),
  serve: async (log: (line: string) => void) => ({ serve: await runServeBench(undefined, log) }),
} as const;

export type BenchGroup = keyof typeof BENCH_GROUPS;

/** What a group's process prints. */
export interface BenchChildOutput {
  readonly results: Record<string, unknown>;
  /** The process's peak resident memory (MB). */
  readonly peakRssMb: number;
}

if (process.argv[1]?.endsWith('bench-child.js')) {
  const group = process.argv[2] as BenchGroup;
  const run = BENCH_GROUPS[group];
  if (run === undefined) {
    console.error(`usage: bench-child.js <${Object.keys(BENCH_GROUPS).join('|')}>`);
    process.exit(2);
  }
  const results = await run((line) => process.stderr.write(`    ${line}\n`));
  const output: BenchChildOutput = {
    results,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(JSON.stringify(output));
  // Benchmarks may leave timers or workers behind: the numbers are out, the process is done.
  process.exit(0);
}
