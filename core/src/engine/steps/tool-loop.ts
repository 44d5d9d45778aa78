/**
 * The tool loop of an `llm` step with `tools`: call the model (turn 1, 2, …, each a model call at
 * its own path `<step>/turn-<n>`), run the tools it asks for (tool-calls.ts), send their results
 * back, and stop when the model answers without calling a tool. A model still calling tools on
 * turn `max_turns` fails the step (`max-turns`), with the conversation so far as the error's
 * detail. Every request carries the whole conversation, so a replay that changes anything (a
 * tool's description, a result) diverges at the first turn whose request differs.
 */
import type { JsonObject, JsonValue } from '../../model/workflow.js';
import { EngineError } from '../engine-error.js';
import type { ModelMessage, ModelRequest, ModelResponse } from './model-request.js';
import type { StepContext } from './run-step-body.js';
import { resultText, runToolCalls, type ToolCallOutcome } from './tool-calls.js';

export interface ToolLoopOptions {
  readonly context: StepContext;
  /** The first turn's request, with the step's tools and tool choice. */
  readonly request: ModelRequest;
  /** Calls the model with one turn's request at its path, recording it as an effect. */
  readonly call: (request: ModelRequest, path: string) => Promise<ModelResponse>;
  /** The step's `llm` field, for messages (`steps.research.llm`). */
  readonly where: string;
}

export interface ToolLoopResult {
  /** The model's final answer (a turn without tool calls). */
  readonly answer: ModelResponse;
  /** What the step records of the loop (see `conversationRecord`). */
  readonly conversation: JsonObject;
}

/** One turn as recorded. */
interface TurnRecord {
  readonly path: string;
  readonly text: string;
  readonly calls: readonly ToolCallOutcome[];
}

/**
 * Runs the loop to the model's final answer.
 * @throws EngineError `max-turns` when the model still calls tools on the last turn; what a
 *   model call or a tool's runner throws.
 */
export async function runToolLoop(options: ToolLoopOptions): Promise<ToolLoopResult> {
  const { context, request, call, where } = options;
  const llm = context.step.llm!;
  const maxTurns = llm.max_turns ?? 1;
  const messages: ModelMessage[] = [...request.messages];
  const turns: TurnRecord[] = [];
  for (let turn = 1; ; turn++) {
    const path = `${context.path}/turn-${turn}`;
    const answer = await call(turnRequest(request, messages, turn), path);
    const calls = answer.toolCalls ?? [];
    if (calls.length === 0) {
      turns.push({ path, text: answer.content, calls: [] });
      return { answer, conversation: conversationRecord(turns) };
    }
    if (turn >= maxTurns) {
      turns.push({ path, text: answer.content, calls: calls.map((c) => unrun(c)) });
      throw new EngineError(
        'max-turns',
        `${where}: the model still called tools (${calls.map((c) => c.name).join(', ')}) on turn ${turn}, its last (max_turns: ${maxTurns}); raise max_turns or tell the model when to stop`,
        conversationRecord(turns),
      );
    }
    const outcomes = await runToolCalls(context, calls, path);
    turns.push({ path, text: answer.content, calls: outcomes });
    messages.push({ role: 'assistant', content: answer.content, tool_calls: calls });
    for (const outcome of outcomes) {
      messages.push({
        role: 'tool',
        tool_call_id: outcome.call.id,
        name: outcome.call.name,
        content: resultText(outcome),
        ...(outcome.error === undefined ? {} : { is_error: true as const }),
      });
    }
  }
}

/**
 * A turn's request: the conversation so far. A named tool choice applies to the first turn only:
 * forcing the same tool on every turn would never let the model answer.
 */
function turnRequest(
  first: ModelRequest,
  messages: readonly ModelMessage[],
  turn: number,
): ModelRequest {
  const choice =
    turn > 1 && typeof first.tool_choice === 'object' ? 'auto' : (first.tool_choice ?? 'auto');
  return { ...first, messages: [...messages], tool_choice: choice };
}

/** A call the loop did not run (the last turn's): recorded with its arguments only. */
function unrun(call: ToolCallOutcome['call']): ToolCallOutcome {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(call.arguments) as JsonValue;
  } catch {
    parsed = call.arguments;
  }
  return { call, arguments: parsed };
}

/**
 * The conversation as the step records it (in its `input`, beside the first turn's request):
 * each turn's path and text, and each call's id, tool, path, arguments and result or error; and
 * how many calls were refused (invalid arguments, unknown tools).
 */
function conversationRecord(turns: readonly TurnRecord[]): JsonObject {
  let invalid = 0;
  const recorded = turns.map((turn) => ({
    path: turn.path,
    text: turn.text,
    tool_calls: turn.calls.map((outcome) => {
      if (outcome.error !== undefined) invalid++;
      return {
        id: outcome.call.id,
        tool: outcome.call.name,
        ...(outcome.path === undefined ? {} : { path: outcome.path }),
        arguments: outcome.arguments,
        ...(outcome.result === undefined ? {} : { result: outcome.result }),
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
      };
    }),
  }));
  return { turns: recorded, invalid_calls: invalid };
}
