/**
 * Progress of a long command, on standard error: at most one line per interval, so a quick
 * command prints none and a long one shows it is moving and about how long is left. Standard
 * output keeps the result (with --json, its one document).
 */
import type { Output } from './output.js';

/** How far a piece of work has got. */
export interface Progress {
  readonly done: number;
  readonly total: number;
}

export interface ProgressLineOptions {
  /** The least time between two lines (default 2 s). */
  readonly intervalMs?: number;
  /** The clock (tests give their own). */
  readonly now?: () => number;
}

/**
 * A listener printing `lockstep: <what>: 12,000 of 100,330 (about 40 s left)` at most once per
 * interval, and the last count once the work is done when it printed anything before.
 */
export function progressLine(
  output: Output,
  what: string,
  options: ProgressLineOptions = {},
): (progress: Progress) => void {
  const intervalMs = options.intervalMs ?? 2_000;
  const now = options.now ?? Date.now;
  const started = now();
  let last = started;
  let printed = false;
  return ({ done, total }) => {
    const at = now();
    const finished = done >= total;
    if (finished ? !printed : at - last < intervalMs) return;
    last = at;
    printed = true;
    const count = `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
    output.err(
      `lockstep: ${what}: ${count}${finished ? ', done' : timeLeft(done, total, at - started)}`,
    );
  };
}

/** ` (about 40 s left)` from the pace so far; nothing before any progress. */
function timeLeft(done: number, total: number, elapsedMs: number): string {
  if (done === 0) return '';
  const seconds = Math.ceil(((total - done) * elapsedMs) / done / 1000);
  return seconds >= 120
    ? ` (about ${Math.ceil(seconds / 60)} min left)`
    : ` (about ${seconds} s left)`;
}
