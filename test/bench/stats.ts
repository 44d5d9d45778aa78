/** Small helpers for benchmarks: timing, summaries and plain-text tables. */
import { performance } from 'node:perf_hooks';

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p95: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** Median, 95th percentile (nearest rank), mean, min and max of some samples (ms). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    n: sorted.length,
    median: round(median),
    p95: round(rank(0.95)),
    mean: round(sorted.reduce((sum, x) => sum + x, 0) / sorted.length),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
  };
}

/** Milliseconds taken by `work` (awaited). */
export async function timeMs(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Rounds to 3 decimals (microseconds, for ms values). */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Formats a ms value for a table: 3 significant decimals below 10, fewer above. */
export function ms(x: number): string {
  return x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(1) : x.toFixed(0);
}

/** A plain-text table with a header row; numbers-looking cells are right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = /^[\d.,×x%+–-]+( ms)?$/;
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        numeric.test(cell) && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
