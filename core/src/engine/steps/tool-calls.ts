/**
 * The tool calls of one model turn: each call's arguments are parsed and checked against its
 * tool's `parameters` before anything runs (a call that fails the check, or names a tool the step
 * does not declare, is answered with the error, for the model to correct); valid calls run their
 * tool's runner at their own path (`research/turn-2/lookup#1`), at most `concurrency` at once.
 * A runner that fails (an HTTP status outside `expect`, a failed child run) fails the step, as the
 * same body would as a step of its own.
 */
import { compileUserSchema } from '../../format/ajv.js';
import {
  TOOL_ARGS_NAME,
  toolRunner,
  type JsonValue,
  type StepDefinition,
  type ToolDefinition,
  type ToolRunner,
} from '../../model/workflow.js';
import { embeddedSchema } from './embedded-files.js';
import { EngineError } from '../engine-error.js';
import { runHttpStep } from './http-step.js';
import type { ToolCall } from './model-request.js';
import type { StepContext, StepResult } from './run-step-body.js';
import { runShellStep } from './shell-step.js';
import { runTransformStep } from './transform-step.js';
import { runWorkflowStep } from './workflow-step.js';

/** One call of a turn, as the conversation records it and the model is answered. */
export interface ToolCallOutcome {
  readonly call: ToolCall;
  /** Where the tool ran (`research/turn-2/lookup#1`); absent for a tool the step does not have. */
  readonly path?: string;
  /** The arguments, parsed; the text as it came when it is not JSON. */
  readonly arguments: JsonValue;
  /** What the tool gave (an `http` tool: `{ status, body }`). */
  readonly result?: JsonValue;
  /** Why the call did not run, as the model is told: invalid arguments, an unknown tool. */
  readonly error?: string;
}

const RUNNERS: Record<ToolRunner, (context: StepContext) => Promise<StepResult>> = {
  http: runHttpStep,
  workflow: runWorkflowStep,
  transform: runTransformStep,
  shell: runShellStep,
};

/**
 * Runs the calls of the turn at `turnPath`, results in the calls' order.
 * @throws what a failing runner throws (the first, the others being stopped).
 */
export async function runToolCalls(
  context: StepContext,
  calls: readonly ToolCall[],
  turnPath: string,
): Promise<ToolCallOutcome[]> {
  const tools = context.step.llm?.tools ?? [];
  const counts = new Map<string, number>();
  const planned = calls.map((call) => {
    const index = tools.findIndex((tool) => tool.name === call.name);
    const k = (counts.get(call.name) ?? 0) + 1;
    counts.set(call.name, k);
    // Paths are made of declared names only: a name the model invented is never a path.
    return index < 0 ? { call, index } : { call, index, path: `${turnPath}/${call.name}#${k}` };
  });
  const outcomes: ToolCallOutcome[] = new Array<ToolCallOutcome>(calls.length);
  // The first failing runner stops the others, which see this signal aborted.
  const stop = new AbortController();
  const signal = AbortSignal.any([context.signal, stop.signal]);
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < planned.length) {
      const i = next++;
      const { call, index, path } = planned[i]!;
      try {
        outcomes[i] = await runOne(context, tools, call, index, path, signal);
      } catch (error) {
        if (failure === undefined) {
          failure = error;
          stop.abort();
        }
      }
    }
  };
  const width = Math.max(1, Math.min(context.step.llm?.concurrency ?? 1, planned.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (failure !== undefined) throw failure;
  return outcomes;
}

async function runOne(
  context: StepContext,
  tools: readonly ToolDefinition[],
  call: ToolCall,
  index: number,
  path: string | undefined,
  signal: AbortSignal,
): Promise<ToolCallOutcome> {
  const parsed = parseArguments(call.arguments);
  const tool = tools[index];
  if (!tool || path === undefined) {
    const names = tools.map((t) => t.name).join(', ');
    return {
      call,
      arguments: parsed.value,
      error: `there is no tool named '${call.name}'; the tools are: ${names}`,
    };
  }
  const problem = parsed.ok ? argumentsProblem(tool, parsed.value) : parsed.problem;
  if (problem !== undefined) {
    return { call, path, arguments: parsed.value, error: `invalid arguments: ${problem}` };
  }
  const kind = toolRunner(tool);
  const field = `${context.field ?? `steps.${context.step.id}.llm`}.tools[${index}].${kind}`;
  // The runner is the step body of its kind, run as a step whose only key is the runner, at the
  // call's path, with the arguments in scope as `args`.
  const body = { id: context.step.id, [kind]: tool[kind] } as StepDefinition;
  const { output } = await RUNNERS[kind]({
    ...context,
    step: body,
    path,
    scope: { ...context.scope, [TOOL_ARGS_NAME]: parsed.value },
    signal,
    functions: context.functionsAt?.(path) ?? context.functions,
    field,
  });
  return { call, path, arguments: parsed.value, result: toolResult(kind, output) };
}

/** What the model reads of a runner's output: an HTTP response's status and body, else it all. */
function toolResult(kind: ToolRunner, output: JsonValue): JsonValue {
  if (kind !== 'http') return output;
  const response = output as { status?: JsonValue; body?: JsonValue };
  return { status: response.status ?? null, body: response.body ?? null };
}

function parseArguments(
  text: string,
): { ok: true; value: JsonValue } | { ok: false; value: JsonValue; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, value: text, problem: `not JSON (${(error as Error).message})` };
  }
}

/** What is wrong with `args` by the tool's schema (the first five problems), or undefined. */
function argumentsProblem(tool: ToolDefinition, args: JsonValue): string | undefined {
  let validate;
  try {
    validate = compileUserSchema(
      embeddedSchema(tool.parameters, `tool '${tool.name}': parameters`),
    );
  } catch (error) {
    // Validation reports such a schema; only a definition that skipped it gets here.
    throw new EngineError(
      'invalid-definition',
      `tool '${tool.name}': parameters is not a valid JSON Schema (${(error as Error).message})`,
    );
  }
  if (validate(args)) return undefined;
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim())
    .join('; ');
}

/** A result as the model reads it: text as it is, anything else as JSON. */
export function resultText(outcome: ToolCallOutcome): string {
  if (outcome.error !== undefined) return `Error: ${outcome.error}`;
  const result = outcome.result ?? null;
  return typeof result === 'string' ? result : JSON.stringify(result);
}
