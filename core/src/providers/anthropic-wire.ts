/**
 * Anthropic's Messages API dialect (`anthropic-version: 2023-06-01`), pure: the body a canonical
 * model request becomes, and the answer a message gives. What is recorded stays the neutral
 * `ModelRequest` / `ModelResponse`; only this file (and anthropic-tools.ts, for tool use) knows
 * the wire's names. An answer is read block by block (a message's `content` is a list of typed
 * blocks): text blocks make its text, `tool_use` blocks its tool calls.
 */
import { EngineError } from '../engine/engine-error.js';
import type { ModelRequest, ToolCall } from '../engine/steps/model-request.js';
import type { TokenUsage } from '../model/runs.js';
import type { JsonObject } from '../model/workflow.js';
import {
  anthropicMessages,
  anthropicToolChoice,
  anthropicTools,
  toolCallOf,
  type WireMessage,
} from './anthropic-tools.js';
import type { Answer } from './model-endpoint.js';

/** The API version Lockstep speaks (sent as the `anthropic-version` header). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** The path of the Messages API under the base URL. */
export const MESSAGES_PATH = '/v1/messages';

/** The body of `POST /v1/messages`. */
export interface MessagesBody {
  readonly model: string;
  /** Required by the API; validation requires it of an `anthropic` model. */
  readonly max_tokens?: number;
  readonly system?: string;
  readonly messages: readonly WireMessage[];
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop_sequences?: readonly string[];
  readonly tools?: readonly { name: string; description: string; input_schema: JsonObject }[];
  readonly tool_choice?: { type: 'auto' | 'none' } | { type: 'tool'; name: string };
  readonly stream?: true;
}

/** A content block of an answer: text and `tool_use` are read; other kinds are passed over. */
export interface ContentBlock {
  readonly type: string;
  readonly text?: unknown;
  readonly [field: string]: unknown;
}

/** A message as the API answers it (the parts Lockstep reads), streamed or not. */
export interface WireAnswer {
  readonly content: readonly ContentBlock[];
  readonly stop_reason: string | null;
  readonly usage?: { readonly input_tokens?: unknown; readonly output_tokens?: unknown };
}

/**
 * The body for a canonical request. A system prompt (the first message, `role: system`) becomes
 * the top-level `system`; `stop` becomes `stop_sequences` (always a list). `response_format` has
 * no counterpart: `output: json` parses the text, as for any provider. `seed` has none either
 * (validation refuses it for this provider).
 * @throws EngineError (`invalid-definition`) for a system message after the first, which the
 *   API cannot take (validation reports it; this guards definitions that skipped validation).
 */
export function messagesBody(request: ModelRequest, stream: boolean, where: string): MessagesBody {
  const [first, ...rest] = request.messages;
  const system = first?.role === 'system' ? first.content : undefined;
  const conversation = system === undefined ? request.messages : rest;
  conversation.forEach((message, i) => {
    if (message.role === 'system') {
      throw new EngineError(
        'invalid-definition',
        `${where}: messages[${system === undefined ? i : i + 1}] is a system message, and the anthropic provider takes one system message, the first`,
      );
    }
  });
  const messages: WireMessage[] = anthropicMessages(conversation);
  const { stop, tools, tool_choice } = request;
  return {
    model: request.model,
    ...(request.max_tokens === undefined ? {} : { max_tokens: request.max_tokens }),
    ...(system === undefined ? {} : { system }),
    messages,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.top_p === undefined ? {} : { top_p: request.top_p }),
    ...(stop === undefined ? {} : { stop_sequences: typeof stop === 'string' ? [stop] : stop }),
    ...(tools === undefined ? {} : { tools: anthropicTools(tools) }),
    ...(tool_choice === undefined ? {} : { tool_choice: anthropicToolChoice(tool_choice) }),
    ...(stream ? { stream: true as const } : {}),
  };
}

/**
 * The answer a message gives: its text blocks joined, its `tool_use` blocks as tool calls, its
 * `stop_reason`, its token usage.
 * @param malformed makes the error for a message without a content list.
 * @throws EngineError: `malformed-response`; `empty-response` when there is neither text nor a
 *   tool call.
 */
export function answerOf(
  message: unknown,
  malformed: (detail: string) => EngineError,
  empty: () => EngineError,
): Answer {
  const { content, stop_reason, usage } = (message ?? {}) as Partial<WireAnswer>;
  if (!Array.isArray(content)) throw malformed('the message has no content list');
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of content as readonly ContentBlock[]) {
    switch (block?.type) {
      case 'text':
        if (typeof block.text !== 'string') throw malformed('a text block has no text');
        text += block.text;
        break;
      case 'tool_use': {
        const call = toolCallOf(block);
        if (!call) throw malformed('a tool_use block has no id or name');
        toolCalls.push(call);
        break;
      }
      default:
        // Kinds this step did not ask for (thinking, say) are not part of its answer.
        break;
    }
  }
  if (text === '' && toolCalls.length === 0) throw empty();
  const finishReason = typeof stop_reason === 'string' ? stop_reason : null;
  const response =
    toolCalls.length === 0
      ? { content: text, finishReason }
      : { content: text, finishReason, toolCalls };
  const tokens = usageOf(usage);
  return tokens ? { response, usage: tokens } : { response };
}

function usageOf(usage: WireAnswer['usage']): TokenUsage | undefined {
  if (typeof usage?.input_tokens !== 'number' || typeof usage.output_tokens !== 'number')
    return undefined;
  return { input: usage.input_tokens, output: usage.output_tokens };
}
