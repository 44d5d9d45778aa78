/** Runs one attempt of a step's body, by kind. */
import type { JsonValue, ModelDefinition, StepDefinition, StepKind } from '../../model/workflow.js';
import type { ExpressionFunctions, Scope, SecretPlacement } from '../evaluate.js';
import type { EngineHost } from '../host.js';
import { runHttpStep } from './http-step.js';
import { runLlmStep } from './llm-step.js';
import { runShellStep } from './shell-step.js';
import { runTransformStep } from './transform-step.js';
import { runWorkflowStep } from './workflow-step.js';

/** What a step body needs. */
export interface StepContext {
  readonly step: StepDefinition;
  readonly index: number;
  /** The step's (or iteration's) structural path. */
  readonly path: string;
  readonly scope: Scope;
  readonly host: EngineHost;
  /** Aborted on cancellation, on the step's timeout, or when a sibling iteration failed. */
  readonly signal: AbortSignal;
  /** The step's per-attempt timeout, when it sets one (the signal enforces it too). */
  readonly timeoutMs?: number;
  readonly functions: ExpressionFunctions;
  /**
   * The clock and random functions for expressions evaluated at another path of the step (a
   * tool call's), so each read is an effect of that path. Defaults to `functions`.
   */
  readonly functionsAt?: (path: string) => ExpressionFunctions;
  /**
   * Where the body is in the definition, for messages: `steps.<id>.<kind>` unless set (a tool's
   * runner: `steps.<id>.llm.tools[<i>].<kind>`).
   */
  readonly field?: string;
  /**
   * The run's secret values by name: placed where a step may send them (see `placement`), and
   * redacted from whatever is recorded.
   */
  readonly secrets: ReadonlyMap<string, string>;
  readonly models: { readonly [name: string]: ModelDefinition };
}

export interface StepResult {
  readonly output: JsonValue;
  /** The step's evaluated configuration, as recorded (secrets redacted). */
  readonly input?: JsonValue;
}

const BODIES: Record<StepKind, (context: StepContext) => Promise<StepResult>> = {
  llm: runLlmStep,
  http: runHttpStep,
  transform: runTransformStep,
  shell: runShellStep,
  workflow: runWorkflowStep,
};

/** One attempt of the step's body. */
export function runStepBody(kind: StepKind, context: StepContext): Promise<StepResult> {
  return BODIES[kind](context);
}

/** A fresh record of where this attempt places secrets (see evaluateValue). */
export function placement(context: StepContext): SecretPlacement {
  return { values: context.secrets, placed: new Set() };
}
