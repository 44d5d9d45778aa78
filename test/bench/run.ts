/**
 * `npm run bench`: runs every benchmark, prints one report and writes the numbers to
 * out/bench/results.json. Benchmarks report facts; they never fail the build on a slow machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPublishBench } from './publish.bench.js';

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

machine.loadAverage.after = round1(os.loadavg()[0]);

console.log(`Lockstep benchmarks — Node ${machine.node}, ${machine.platform}, ${machine.cpus}`);
console.log(
  `Load average ${machine.loadAverage.before} before, ${machine.loadAverage.after} after (${os.cpus().length} cores): the higher, the noisier.`,
);
console.log('');
console.log(publish.report);
console.log('');
console.log(`Total ${((Date.now() - started) / 1000).toFixed(1)} s.`);

const { report: _report, ...publishResult } = publish;
const outDir = path.join(repoRoot, 'out', 'bench');
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, 'results.json');
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), machine, benchmarks: { publish: publishResult } }, null, 2)}\n`,
);
console.log(`Results written to ${path.relative(process.cwd(), file)}.`);

function round1(x: number | undefined): number {
  return Math.round((x ?? 0) * 10) / 10;
}
