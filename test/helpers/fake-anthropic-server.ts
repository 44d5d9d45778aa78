/**
 * A small Anthropic Messages API server on 127.0.0.1 for provider tests. It answers
 * `POST /v1/messages` with the replies a test scripts (whole messages, SSE streams with
 * Anthropic's named events, error bodies, slow or truncated answers; see `fake-http-server.ts`
 * for the generic ones) and records every request. Like the real API it first checks what every
 * request must carry — a key (`x-api-key`, or the bearer token the official client sends), an
 * `anthropic-version`, a JSON body with `model`, `max_tokens` and `messages` of user and
 * assistant turns, each `tool_result` answering a `tool_use` of the assistant turn just before
 * it — and answers a request that lacks one with the API's own 400 or 401 (using up the scripted
 * reply), so a test cannot pass with a client that the real API would refuse. Answers may use
 * tools (`tool_use` blocks, streamed as `input_json_delta` pieces). A request to another path gets
 * the API's 404; one with no reply scripted, a 500 saying so.
 */
import type { ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import {
  json,
  pause,
  startFakeServer,
  write,
  type FakeServer,
  type RecordedRequest,
  type Reply,
} from './fake-http-server.js';

export const MESSAGES_PATH = '/v1/messages';

export interface FakeAnthropic extends FakeServer {
  /** The base URL a model (or the official client) points at: `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
}

/** Token usage as Anthropic reports it. */
export interface AnthropicUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
}

/** Starts the server; it is closed when `t` ends. Script replies with `server.script(…)`. */
export async function startFakeAnthropic(t: TestContext): Promise<FakeAnthropic> {
  const server = await startFakeServer(t, {
    fallback: (res, request) => {
      const reply =
        request.method === 'POST' && request.path === MESSAGES_PATH
          ? anthropicError(
              500,
              'api_error',
              'the fake server has no reply scripted for this request',
            )
          : anthropicError(404, 'not_found_error', `Not found: ${request.method} ${request.path}`);
      return reply(res, request);
    },
  });
  const queue = server.script;
  return Object.assign(server, {
    baseUrl: server.origin,
    script: (...replies: Reply[]) => queue(...replies.map(checked)),
  });
}

/** `reply`, once the request passed the checks the real API makes first. */
function checked(reply: Reply): Reply {
  return (res, request) => {
    const problem = requestProblem(request);
    return problem ? problem(res, request) : reply(res, request);
  };
}

/** The API's answer to a request it would refuse before looking at it, if any. */
function requestProblem(request: RecordedRequest): Reply | undefined {
  const { headers } = request;
  if (!headers['x-api-key'] && !headers.authorization) {
    return anthropicError(401, 'authentication_error', 'x-api-key header is required');
  }
  if (!headers['anthropic-version']) {
    return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
  }
  const body = request.body as Record<string, unknown> | undefined;
  if (body === undefined || typeof body !== 'object' || Array.isArray(body)) {
    return anthropicError(400, 'invalid_request_error', 'The request body is not valid JSON.');
  }
  for (const field of ['model', 'max_tokens', 'messages']) {
    if (body[field] === undefined) {
      return anthropicError(400, 'invalid_request_error', `${field}: Field required`);
    }
  }
  const messages = body['messages'];
  if (!Array.isArray(messages)) {
    return anthropicError(400, 'invalid_request_error', 'messages: Input should be a valid list');
  }
  const wrong = messages.findIndex(
    (m) =>
      (m as { role?: unknown }).role !== 'user' && (m as { role?: unknown }).role !== 'assistant',
  );
  if (wrong >= 0) {
    return anthropicError(
      400,
      'invalid_request_error',
      `messages.${wrong}.role: Input should be 'user' or 'assistant'`,
    );
  }
  const unanswered = toolResultProblem(messages as { role?: unknown; content?: unknown }[]);
  if (unanswered) return anthropicError(400, 'invalid_request_error', unanswered);
  return undefined;
}

/** The API's complaint about a `tool_result` that answers no `tool_use` of the turn before. */
function toolResultProblem(
  messages: readonly { role?: unknown; content?: unknown }[],
): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (message.role !== 'user' || !Array.isArray(message.content)) continue;
    const before = messages[i - 1];
    const used = new Set(
      (Array.isArray(before?.content) ? before.content : [])
        .filter((b: { type?: unknown }) => b?.type === 'tool_use')
        .map((b: { id?: unknown }) => String(b.id)),
    );
    for (const [j, block] of (
      message.content as { type?: unknown; tool_use_id?: unknown }[]
    ).entries()) {
      if (block?.type === 'tool_result' && !used.has(String(block.tool_use_id))) {
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  return undefined;
}

/** A `tool_use` block: the model calls tool `name` with `input`. */
export function toolUse(id: string, name: string, input: object): AnswerBlock {
  return { type: 'tool_use', id, name, input };
}

/** A content block of an answer as the API sends it. */
export type AnswerBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: string; readonly [field: string]: unknown };

export interface MessageOptions {
  /** Default `{ input_tokens: 12, output_tokens: 5 }`; null sends none. */
  readonly usage?: AnthropicUsage | null;
  /** Default `end_turn`. */
  readonly stopReason?: string | null;
}

/** A whole (non-streamed) message: `content` is its one text block, or the blocks given. */
export function message(
  content: string | readonly AnswerBlock[],
  options: MessageOptions = {},
): Reply {
  return (res, request) =>
    json(200, messageObject(content, modelOf(request), options))(res, request);
}

/** The JSON text of a whole message (to send part of it). */
export function messageText(text: string): string {
  return JSON.stringify(messageObject(text, 'claude-test', {}));
}

function messageObject(
  content: string | readonly AnswerBlock[],
  model: string,
  options: MessageOptions,
): object {
  const usage =
    options.usage === undefined ? { input_tokens: 12, output_tokens: 5 } : options.usage;
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model,
    content: typeof content === 'string' ? [{ type: 'text', text: content }] : content,
    stop_reason: options.stopReason === undefined ? 'end_turn' : options.stopReason,
    stop_sequence: null,
    ...(usage ? { usage } : {}),
  };
}

export interface StreamOptions {
  /** The usage: input tokens in `message_start`, output tokens in `message_delta`. */
  readonly usage?: AnthropicUsage;
  /** `message_delta`'s stop reason (default `end_turn`). */
  readonly stopReason?: string;
  /** How the stream ends: `message_stop` (default), a clean end without it, or a destroyed socket. */
  readonly end?: 'stop' | 'end' | 'destroy';
  /** Write every event in two halves, in separate TCP writes. */
  readonly split?: boolean;
  /** Use `\r\n` line endings. */
  readonly crlf?: boolean;
  /** An `error` event (overloaded) after the first text delta, in place of the rest. */
  readonly errorMidway?: boolean;
}

/** A streamed `tool_use` block: its input is sent as `input_json_delta` pieces of its JSON text. */
export interface StreamedToolUse {
  readonly id: string;
  readonly name: string;
  readonly input: object;
}

/**
 * An SSE stream as the Messages API sends it: `message_start`, a `ping`, then for each block (a
 * list of text deltas, or a tool use) `content_block_start`, its `content_block_delta`s and
 * `content_block_stop`, then `message_delta` and `message_stop`.
 */
export function streamedMessage(
  blocks: readonly (readonly string[] | StreamedToolUse)[],
  options: StreamOptions = {},
): Reply {
  return async (res: ServerResponse, request: RecordedRequest) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const nl = options.crlf ? '\r\n' : '\n';
    const event = (type: string, data: object): string =>
      `event: ${type}${nl}data: ${JSON.stringify({ type, ...data })}${nl}${nl}`;
    const usage = options.usage ?? { input_tokens: 12, output_tokens: 5 };
    const events = [
      event('message_start', {
        message: {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model: modelOf(request),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
        },
      }),
      event('ping', {}),
    ];
    blocks.forEach((block, index) => {
      if (!Array.isArray(block)) {
        const { id, name, input } = block as StreamedToolUse;
        const content_block = { type: 'tool_use', id, name, input: {} };
        events.push(event('content_block_start', { index, content_block }));
        const json = JSON.stringify(input);
        for (let i = 0; i < json.length; i += 6) {
          const delta = { type: 'input_json_delta', partial_json: json.slice(i, i + 6) };
          events.push(event('content_block_delta', { index, delta }));
        }
        events.push(event('content_block_stop', { index }));
        return;
      }
      events.push(
        event('content_block_start', { index, content_block: { type: 'text', text: '' } }),
      );
      for (const text of block as readonly string[]) {
        events.push(event('content_block_delta', { index, delta: { type: 'text_delta', text } }));
      }
      events.push(event('content_block_stop', { index }));
    });
    events.push(
      event('message_delta', {
        delta: { stop_reason: options.stopReason ?? 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      }),
    );
    if ((options.end ?? 'stop') === 'stop') events.push(event('message_stop', {}));
    if (options.errorMidway) {
      const firstDelta = events.findIndex((e) => e.includes('"content_block_delta"'));
      events.splice(
        firstDelta + 1,
        events.length,
        event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
      );
    }
    for (const chunk of events) {
      if (options.split) {
        const half = Math.floor(chunk.length / 2);
        await write(res, chunk.slice(0, half));
        await pause();
        await write(res, chunk.slice(half));
        await pause();
      } else {
        await write(res, chunk);
      }
    }
    if (options.end === 'destroy') res.socket?.destroy();
    else res.end();
  };
}

/** An Anthropic error: `{ type: 'error', error: { type, message } }` with `status`. */
export function anthropicError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  return json(status, { type: 'error', error: { type, message } }, headers);
}

/** Anthropic's 529: the API is overloaded (transient). */
export function overloaded(): Reply {
  return anthropicError(529, 'overloaded_error', 'Overloaded');
}

function modelOf(request: RecordedRequest): string {
  const model = (request.body as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' ? model : 'unknown';
}
