/**
 * The provider-neutral model call: what a run records of every model turn (the canonical
 * request, the answer) whichever provider answered, and what each provider maps onto its own
 * wire protocol. Tool use adds tools, a tool choice, assistant messages that call tools and the
 * tools' results; their names follow OpenAI's chat completions, the shape recordings had first.
 */
import type { JsonObject } from '../../model/workflow.js';

/** A tool as the model sees it. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** A JSON Schema for the arguments. */
  readonly parameters: JsonObject;
}

/** `auto`: the model decides; `none`: no tool calls; `{ name }`: it must call that tool. */
export type ToolChoice = 'auto' | 'none' | { readonly name: string };

/** A tool call the model asked for. */
export interface ToolCall {
  /** The provider's id for the call, which the result names. */
  readonly id: string;
  readonly name: string;
  /** The arguments as JSON text: compact when they parse (see `normalizedArguments`). */
  readonly arguments: string;
}

/** A message of the conversation sent to a model. */
export type ModelMessage =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | {
      readonly role: 'assistant';
      readonly content: string;
      /** The tools this turn of the model called. */
      readonly tool_calls?: readonly ToolCall[];
    }
  | {
      /** A tool's result, answering the call `tool_call_id`. */
      readonly role: 'tool';
      readonly tool_call_id: string;
      readonly name: string;
      readonly content: string;
      /** The call failed (invalid arguments, an unknown tool): the content says why. */
      readonly is_error?: true;
    };

/**
 * The canonical model request: allow-listed fields only (never the endpoint or the key), the same
 * shape for every provider so that a request reads (and diffs) alike whichever provider answered.
 * A system prompt is the first message (`role: system`); `stop` is the workflow's value as given.
 */
export interface ModelRequest {
  readonly provider: string;
  readonly model: string;
  readonly messages: readonly ModelMessage[];
  readonly tools?: readonly ToolSpec[];
  readonly tool_choice?: ToolChoice;
  readonly response_format?: { readonly type: 'json_object' };
  readonly temperature?: number;
  readonly top_p?: number;
  readonly max_tokens?: number;
  readonly seed?: number;
  readonly stop?: string | readonly string[];
}

/** What the provider needs besides the request. */
export interface ModelTransport {
  readonly baseUrl?: string;
  readonly apiKey?: string;
  /** The secret the key comes from, to name it when the endpoint refuses the key. */
  readonly apiKeySecret?: string;
  readonly timeoutMs?: number;
  /** Ask for a streamed (SSE) answer. */
  readonly stream?: boolean;
}

/** The live payload of an `llm` effect. */
export interface ModelCall {
  readonly request: ModelRequest;
  readonly transport: ModelTransport;
}

/** A recorded model answer, whichever provider gave it. */
export interface ModelResponse {
  /** The answer's text (an Anthropic answer's text blocks, joined); may be empty with tool calls. */
  readonly content: string;
  /** Why the model stopped, in the provider's words (`stop`, `length`; `end_turn`, `max_tokens`). */
  readonly finishReason: string | null;
  /** The tools the model asked to call, in its order (absent when it called none). */
  readonly toolCalls?: readonly ToolCall[];
}

/**
 * Arguments as recorded: JSON text that parses is written compactly, so an answer records the
 * same whether it was streamed in pieces or sent whole, and whichever provider sent it; text that
 * does not parse is kept as it came (the step tells the model its arguments were not JSON).
 */
export function normalizedArguments(text: string): string {
  if (text.trim() === '') return '{}';
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}
