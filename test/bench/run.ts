/**
 * `npm run bench`: runs every benchmark (each group in a process of its own), prints their
 * reports and writes the scoreboard, docs/benchmarks.md and docs/benchmarks.json (see
 * scoreboard.ts), and every result to out/bench/results.json. Benchmarks report facts; they never
 * fail the build on a slow machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchChildOutput, BenchGroup } from './bench-child.js';
import { readEditorBench } from './editor.bench.js';
import {
  figuresOf,
  scoreboardMarkdown,
  type BenchContext,
  type BenchResults,
} from './scoreboard.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const started = Date.now();
const progress = (line: string): void => {
  process.stderr.write(`  [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
};

/** Where `npm run test:reliability` leaves its counts (relative to the repository). */
const RELIABILITY_RESULTS = 'out/reliability/results.json';

/** The groups, in the order they run (each in a process of its own). */
const GROUPS: readonly BenchGroup[] = [
  'publish',
  'runs',
  'run-start',
  'engine',
  'language-server',
  'replay',
  'gate',
  'team-store',
  'queue',
  'serve',
];

const machine = {
  node: process.version,
  platform: `${process.platform} ${os.release()}`,
  cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
  memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  tmpdir: os.tmpdir(),
  /** 1-minute load average before and after: a busy machine makes every number noisier. */
  loadAverage: { before: round1(os.loadavg()[0]), after: 0 },
};

const collected: Record<string, unknown> = {};
const peakRssMb: Record<string, number> = {};
for (const group of GROUPS) {
  settleDisk();
  progress(`${group} benchmarks (in a fresh process)`);
  const output = runGroup(group);
  Object.assign(collected, output.results);
  peakRssMb[group] = output.peakRssMb;
}
collected['editor'] = readEditorBench(repoRoot);
const results = collected as unknown as BenchResults;

progress('packaging the extension (.vsix size)');
const vsixBytes = packageSize();
machine.loadAverage.after = round1(os.loadavg()[0]);

const reliability = readReliability();
const context: BenchContext = {
  at: new Date().toISOString(),
  commit: commitOf(),
  machine,
  peakRssMb,
  ...(vsixBytes === undefined ? {} : { vsixBytes }),
  ...(reliability ? { reliability } : {}),
};
const figures = figuresOf(results, context);
const reports = Object.values(results).map((result) => result.report);

console.log(`Lockstep benchmarks — Node ${machine.node}, ${machine.platform}, ${machine.cpus}`);
console.log(
  `Load average ${machine.loadAverage.before} before, ${machine.loadAverage.after} after (${os.cpus().length} cores): the higher, the noisier.`,
);
console.log('');
for (const report of reports) console.log(`${report}\n`);
console.log(`Total ${((Date.now() - started) / 1000).toFixed(1)} s.`);

const withoutReport = <T extends { report: string }>({ report: _report, ...rest }: T) => rest;
const outDir = path.join(repoRoot, 'out', 'bench');
mkdirSync(outDir, { recursive: true });
const raw = path.join(outDir, 'results.json');
const benchmarks = Object.fromEntries(
  Object.entries(results).map(([name, result]) => [name, withoutReport(result)]),
);
writeFileSync(raw, `${JSON.stringify({ ...context, benchmarks }, null, 2)}\n`);
const docs = path.join(repoRoot, 'docs');
writeFileSync(
  path.join(docs, 'benchmarks.json'),
  `${JSON.stringify({ ...context, figures }, null, 2)}\n`,
);
writeFileSync(path.join(docs, 'benchmarks.md'), scoreboardMarkdown(figures, context, reports));
// The page is a generated file, but it is formatted as every other Markdown file of the project.
execFileSync(
  process.execPath,
  [
    path.join(repoRoot, 'node_modules/prettier/bin/prettier.cjs'),
    '--write',
    'docs/benchmarks.md',
    'docs/benchmarks.json',
  ],
  { cwd: repoRoot, stdio: 'ignore' },
);
console.log(
  `Scoreboard written to docs/benchmarks.md and docs/benchmarks.json; every result in ${path.relative(process.cwd(), raw)}.`,
);

/** Runs one group in a fresh process (bench-child.js); its progress goes to stderr as it runs. */
function runGroup(group: BenchGroup): BenchChildOutput {
  const script = path.join(repoRoot, 'out', 'test', 'bench', 'bench-child.js');
  const stdout = execFileSync(process.execPath, [script, group], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as BenchChildOutput;
}

/** The size of the `.vsix` that `npm run package` builds, or undefined when it cannot be built. */
function packageSize(): number | undefined {
  try {
    execFileSync('npm', ['run', 'package'], { cwd: repoRoot, stdio: 'ignore' });
  } catch {
    progress('npm run package failed: the .vsix size is left out');
    return undefined;
  }
  const newest = readdirSync(repoRoot)
    .filter((file) => file.endsWith('.vsix'))
    .map((file) => statSync(path.join(repoRoot, file)))
    .sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  return newest?.size;
}

/** The commit measured, marked when the working tree differs from it. */
function commitOf(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === ''
      ? commit
      : `${commit} (with uncommitted changes)`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** The counts of the last reliability run on this machine, if there was one. */
function readReliability(): BenchContext['reliability'] {
  const file = path.join(repoRoot, RELIABILITY_RESULTS);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BenchContext['reliability'];
  } catch {
    return undefined;
  }
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
