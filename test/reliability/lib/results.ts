/**
 * Where the reliability suites put their counts: one line printed per suite, and the same counts
 * in a JSON file for the benchmark scoreboard (`LOCKSTEP_RELIABILITY_RESULTS`, default
 * `out/reliability/results.json`). The file's shape:
 *
 * ```json
 * {
 *   "format": 1,
 *   "at": "2026-01-01T00:00:00.000Z",
 *   "suites": {
 *     "crash": {
 *       "line": "crash: kills 300, runs lost 0, …",
 *       "ok": true,
 *       "seed": 1234567,
 *       "counts": { "kills": 300, "runsLost": 0 },
 *       "notes": ["…"],
 *       "durationMs": 81234,
 *       "finishedAt": "2026-01-01T00:00:00.000Z"
 *     }
 *   }
 * }
 * ```
 *
 * `at` is when a suite last wrote; `counts` holds numbers only; `ok` is false when a count that must be zero is not; `notes` says
 * what was skipped and why. Each suite replaces its own entry and keeps the others'.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';

/** One suite's figures. */
export interface SuiteResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly notes?: readonly string[];
  readonly durationMs: number;
}

/** The results file: `LOCKSTEP_RELIABILITY_RESULTS`, else out/reliability/results.json. */
export function resultsFile(): string {
  return (
    process.env['LOCKSTEP_RELIABILITY_RESULTS'] ??
    path.join(REPO_ROOT, 'out', 'reliability', 'results.json')
  );
}

/** `crash: kills 300, runs lost 0` from camelCase counts. */
export function countsLine(suite: string, counts: Readonly<Record<string, number>>): string {
  const words = Object.entries(counts).map(
    ([key, value]) => `${key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} ${value}`,
  );
  return `${suite}: ${words.join(', ')}`;
}

/**
 * Prints the suite's line (and its notes) and writes its entry into the results file.
 * @returns the line.
 */
export function recordResult(suite: string, result: SuiteResult): string {
  const line = countsLine(suite, result.counts);
  console.log(line);
  for (const note of result.notes ?? []) console.log(`${suite}: ${note}`);
  const file = resultsFile();
  let all: { format: 1; at?: string; suites: Record<string, unknown> } = { format: 1, suites: {} };
  try {
    const read = JSON.parse(readFileSync(file, 'utf8')) as typeof all;
    if (read.format === 1 && typeof read.suites === 'object') all = read;
  } catch {
    // Absent or unreadable: start afresh (the file is only ever written here).
  }
  const at = new Date().toISOString();
  all.suites[suite] = { line, ...result, finishedAt: at };
  all.at = at;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return line;
}
