/**
 * The verdict on one recorded run replayed by a gate: unchanged, or changed and how. A run that
 * succeeded is judged by the outputs' comparison rules (as a baseline is); a run that failed is
 * unchanged when its replay fails the same way (same error code and message), and changed when
 * it now succeeds (`fixed`) or fails otherwise.
 */
import { judgeReplay, type OutputVerdict, type ReplayOutcome } from '../baselines/judge.js';
import type { CompareRule } from '../baselines/rules.js';
import type { RecordedError } from '../model/runs.js';

/** How a replayed run compares with the recorded one. */
export type GateChange = 'unchanged' | 'changed' | 'regressed' | 'fixed';

export interface GateRunVerdict {
  readonly change: GateChange;
  /** Why it counts as changed, in one line. */
  readonly message?: string;
  /** The first step whose status, input or output changed. */
  readonly firstChangedStep?: string;
  readonly outputs: readonly OutputVerdict[];
}

export interface GateOutcome extends ReplayOutcome {
  /** How the recorded run ended. */
  readonly originalStatus: string;
  readonly originalError?: RecordedError;
}

/**
 * Judges a replay of a recorded run.
 * @param ruleOf each output's rule (undefined: the whole output compared exactly).
 */
export function judgeGateRun(
  outcome: GateOutcome,
  ruleOf: ((output: string) => CompareRule) | undefined,
): GateRunVerdict {
  const verdict = judgeReplay(outcome, ruleOf);
  const step =
    verdict.firstChangedStep === undefined ? {} : { firstChangedStep: verdict.firstChangedStep };
  if (outcome.originalStatus === 'succeeded') {
    if (verdict.pass) return { change: 'unchanged', ...step, outputs: verdict.outputs };
    return {
      change: outcome.status === 'succeeded' ? 'changed' : 'regressed',
      ...(verdict.message === undefined ? {} : { message: verdict.message }),
      ...step,
      outputs: verdict.outputs,
    };
  }
  if (outcome.status === 'succeeded') {
    return {
      change: 'fixed',
      message: `succeeded where the recorded run failed${describe(outcome.originalError)}`,
      ...step,
      outputs: verdict.outputs,
    };
  }
  if (
    sameError(outcome.originalError, outcome.error) &&
    outcome.status === outcome.originalStatus
  ) {
    return { change: 'unchanged', ...step, outputs: verdict.outputs };
  }
  return {
    change: 'changed',
    message: `failed differently: was ${outcome.originalStatus}${describe(outcome.originalError)}, now ${outcome.status}${describe(outcome.error)}`,
    ...step,
    outputs: verdict.outputs,
  };
}

function sameError(a: RecordedError | undefined, b: RecordedError | undefined): boolean {
  return a?.code === b?.code && a?.message === b?.message;
}

function describe(error: RecordedError | undefined): string {
  return error ? ` (${error.code}: ${error.message})` : '';
}
