/**
 * The verdict on one baseline: its recorded run replayed against a version passes when the replay
 * succeeded and every output satisfies its comparison rule against the baseline's output.
 */
import type { RecordedError } from '../model/runs.js';
import type { JsonValue } from '../model/workflow.js';
import type { RunComparison } from '../replay/compare.js';
import { checkRule, ruleLabel, type CompareRule } from './rules.js';

/** One output, judged. */
export interface OutputVerdict {
  readonly output: string;
  readonly rule: string;
  readonly pass: boolean;
  readonly reason?: string;
  readonly expected?: JsonValue;
  readonly actual?: JsonValue;
}

export interface BaselineVerdict {
  readonly pass: boolean;
  /** Why it failed, in one line. */
  readonly message?: string;
  /** The first step whose status, input or output changed, in the replay's comparison. */
  readonly firstChangedStep?: string;
  readonly outputs: readonly OutputVerdict[];
}

/** The name a whole output is judged under when the workflow declares no `outputs`. */
export const WHOLE_OUTPUT = '(output)';

export interface ReplayOutcome {
  /** The baseline's recorded output. */
  readonly expected: JsonValue;
  /** The replay's output. */
  readonly actual: JsonValue;
  readonly status: string;
  readonly error?: RecordedError;
  readonly comparison: RunComparison;
}

/**
 * Judges a replay of a baseline.
 * @param ruleOf each output's rule; undefined when the version declares no `outputs`, and then
 *   the whole output is compared exactly.
 */
export function judgeReplay(
  outcome: ReplayOutcome,
  ruleOf: ((output: string) => CompareRule) | undefined,
): BaselineVerdict {
  const outputs = judgeOutputs(outcome.expected, outcome.actual, ruleOf);
  const firstChangedStep = outcome.comparison.firstDivergence;
  const failedOutputs = outputs.filter((o) => !o.pass);
  let message: string | undefined;
  if (outcome.status !== 'succeeded') {
    message = `the replay ${outcome.status}${outcome.error ? `: ${outcome.error.message}` : ''}`;
  } else if (failedOutputs.length > 0) {
    message = failedOutputs
      .map((o) => `${o.output} (${o.rule}): ${o.reason ?? 'differs'}`)
      .join('; ');
  }
  return {
    pass: message === undefined,
    ...(message === undefined ? {} : { message }),
    ...(firstChangedStep === undefined ? {} : { firstChangedStep }),
    outputs,
  };
}

function judgeOutputs(
  expected: JsonValue,
  actual: JsonValue,
  ruleOf: ((output: string) => CompareRule) | undefined,
): OutputVerdict[] {
  if (!ruleOf || !isObject(expected)) {
    return [verdict(WHOLE_OUTPUT, { kind: 'exact' }, expected, actual)];
  }
  const actualObject = isObject(actual) ? actual : {};
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actualObject)])].sort();
  return names.map((name) => verdict(name, ruleOf(name), expected[name], actualObject[name]));
}

function verdict(
  output: string,
  rule: CompareRule,
  expected: JsonValue | undefined,
  actual: JsonValue | undefined,
): OutputVerdict {
  const result = checkRule(rule, expected, actual);
  return {
    output,
    rule: ruleLabel(rule),
    pass: result.pass,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
  };
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
