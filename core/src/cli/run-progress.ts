/** Live progress of a run on a terminal: one line per finished step, on standard error. */
import type { RunEvent } from '../model/runs.js';
import type { Output } from './output.js';

const MARKS = { succeeded: '✓', failed: '✗', skipped: '-', cancelled: '⊘' } as const;

/** Prints step results as they come (child runs indented under their parent). */
export function progressPrinter(output: Output): (event: RunEvent, run: string) => void {
  const depth = new Map<string, number>();
  return (event, run) => {
    if (event.type === 'run-started') {
      const level = event.header.parent ? (depth.get(event.header.parent.run) ?? 0) + 1 : 0;
      depth.set(run, level);
      if (level > 0) output.err(`${'  '.repeat(level)}↳ ${event.header.workflow}`);
      return;
    }
    if (event.type !== 'step-finished') return;
    const { record } = event;
    const indent = '  '.repeat((depth.get(run) ?? 0) + (record.path === record.step ? 1 : 2));
    const ms = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
    const retries = record.attempts > 1 ? `, ${record.attempts} attempts` : '';
    const error = record.error ? `  ${record.error.message}` : '';
    output.err(`${indent}${MARKS[record.status]} ${record.path}  ${ms} ms${retries}${error}`);
  };
}
