/** How the CLI prints: human text by default, one JSON document with `--json`. */
import { displayPath } from '../node/workspace/display-path.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { writeErr, writeOut } from './standard-streams.js';

/** Where output goes; tests pass their own to capture it. */
export interface Output {
  /** A line on standard output. */
  out(text: string): void;
  /** Text on standard output exactly as given (no newline added). */
  write(text: string): void;
  /** A line on standard error. */
  err(text: string): void;
}

/** The process's standard output and standard error (see standard-streams.ts). */
export const processOutput: Output = {
  out: (text) => writeOut(`${text}\n`),
  write: (text) => writeOut(text),
  err: (text) => writeErr(`${text}\n`),
};

/** Prints a value as the command's JSON result. */
export function printJson(output: Output, value: unknown): void {
  output.out(JSON.stringify(value, null, 2));
}

export { displayPath };

/** `file:line:col: severity code: message`, the form editors and terminals make clickable. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${displayPath(file)}:${d.range.start.line}:${d.range.start.column}: ${d.severity} ${d.code}: ${d.message}`;
}

/** A diagnostic as JSON, with its file. */
export function diagnosticJson(file: string, d: Diagnostic): Record<string, unknown> {
  return { file: displayPath(file), ...d };
}

/** `2026-11-26 15:04` in UTC, for listings. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}

/** `N thing(s)`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
