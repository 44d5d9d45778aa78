/**
 * What the Testing view says about baselines and their verdicts, as pure functions (unit-tested
 * without an editor): an item's label and description, and a failure's message and its two sides.
 */
import type { BaselineItem, BaselineTestItem } from '../../../core/src/service/protocol.js';
import { relativeAge } from '../status/relative-age.js';
import { versionLabel } from '../views/history/labels.js';
import { shortRunId } from '../run-subject.js';

/** How much of an input a label shows. */
const LABEL_LENGTH = 60;

/** A baseline's label: its input, on one line (`who: "Ada", tone: "warm"`), shortened. */
export function baselineLabel(baseline: Pick<BaselineItem, 'input' | 'run'>): string {
  const input = baseline.input;
  const text =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? Object.entries(input)
          .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
          .join(', ')
      : JSON.stringify(input);
  if (text === undefined || text === '') return `run ${shortRunId(baseline.run)} (no input)`;
  return text.length > LABEL_LENGTH ? `${text.slice(0, LABEL_LENGTH - 1)}…` : text;
}

/** `run 1a2b3c4d · v3 · 2 d ago`. */
export function baselineDescription(baseline: BaselineItem, now: Date): string {
  return `run ${shortRunId(baseline.run)} · ${versionLabel(baseline.version)} · ${relativeAge(new Date(baseline.startedAt), now)}`;
}

/** What a failed test's message says, and the two sides of its diff when an output differs. */
export interface FailureText {
  readonly message: string;
  /** The recorded and the replayed value of the first failing output, as pretty JSON. */
  readonly expected?: string;
  readonly actual?: string;
}

/** The failure message of a verdict that did not pass (its first line names the failing outputs). */
export function failureText(item: BaselineTestItem): FailureText {
  const lines = [item.message ?? 'the replay differs from the baseline'];
  if (item.firstChangedStep !== undefined) {
    lines.push(`first changed step: ${item.firstChangedStep}`);
  }
  if (item.replay !== undefined) lines.push(`replay: run ${item.replay}`);
  const hasSides = item.expected !== undefined || item.actual !== undefined;
  return hasSides
    ? { message: lines.join('\n'), expected: pretty(item.expected), actual: pretty(item.actual) }
    : { message: lines.join('\n') };
}

/** A value as a diff shows it: strings as they are (prompts and answers read best so). */
function pretty(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}
