/**
 * Anthropic's Messages API dialect (`anthropic-version: 2023-06-01`), pure: the body a canonical
 * model request becomes, and the answer a message gives. What is recorded stays the neutral
 * `ModelRequest` / `ModelResponse`; only this file knows the wire's names. An answer is read
 * block by block (a message's `content` is a list of typed blocks) so that tool use — a `tools`
 * list, `tool_use` and `tool_result` blocks — adds cases here rather than a new recorded shape.
 */
import { EngineError } from '../engine/engine-error.js';
import type { ModelRequest } from '../engine/steps/llm-step.js';
import type { TokenUsage } from '../model/runs.js';
import type { Answer } from './model-endpoint.js';

/** The API version Lockstep speaks (sent as the `anthropic-version` header). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** The path of the Messages API under the base URL. */
export const MESSAGES_PATH = '/v1/messages';

/** A message of the conversation, as the API takes it. */
export interface WireMessage {
  readonly role: 'user' | 'assistant';
  /** A string is the API's short form of one text block. */
  readonly content: string;
}

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
  readonly stream?: true;
}

/** A content block of an answer. Only text is read today; other kinds are passed over. */
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
  const messages = conversation.map((message, i): WireMessage => {
    if (message.role === 'system') {
      throw new EngineError(
        'invalid-definition',
        `${where}: messages[${system === undefined ? i : i + 1}] is a system message, and the anthropic provider takes one system message, the first`,
      );
    }
    return { role: message.role, content: message.content };
  });
  const { stop } = request;
  return {
    model: request.model,
    ...(request.max_tokens === undefined ? {} : { max_tokens: request.max_tokens }),
    ...(system === undefined ? {} : { system }),
    messages,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.top_p === undefined ? {} : { top_p: request.top_p }),
    ...(stop === undefined ? {} : { stop_sequences: typeof stop === 'string' ? [stop] : stop }),
    ...(stream ? { stream: true as const } : {}),
  };
}

/**
 * The answer a message gives: its text blocks joined, its `stop_reason`, its token usage.
 * @param malformed makes the error for a message without a content list.
 * @throws EngineError: `malformed-response`; `empty-response` when there is no text.
 */
export function answerOf(
  message: unknown,
  malformed: (detail: string) => EngineError,
  empty: () => EngineError,
): Answer {
  const { content, stop_reason, usage } = (message ?? {}) as Partial<WireAnswer>;
  if (!Array.isArray(content)) throw malformed('the message has no content list');
  let text = '';
  for (const block of content as readonly ContentBlock[]) {
    switch (block?.type) {
      case 'text':
        if (typeof block.text !== 'string') throw malformed('a text block has no text');
        text += block.text;
        break;
      default:
        // Kinds this step did not ask for (thinking, say) are not part of its answer.
        break;
    }
  }
  if (text === '') throw empty();
  const finishReason = typeof stop_reason === 'string' ? stop_reason : null;
  const tokens = usageOf(usage);
  return tokens
    ? { response: { content: text, finishReason }, usage: tokens }
    : { response: { content: text, finishReason } };
}

function usageOf(usage: WireAnswer['usage']): TokenUsage | undefined {
  if (typeof usage?.input_tokens !== 'number' || typeof usage.output_tokens !== 'number')
    return undefined;
  return { input: usage.input_tokens, output: usage.output_tokens };
}
