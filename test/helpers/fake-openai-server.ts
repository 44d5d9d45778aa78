/**
 * A small OpenAI-compatible chat-completions server on 127.0.0.1 for provider tests. It answers
 * `POST /v1/chat/completions` with the replies a test scripts (JSON completions, SSE streams,
 * error statuses, slow or truncated bodies; see `fake-http-server.ts` for the generic ones) and
 * records every request, so tests can assert what the client sent. Answers may call tools
 * (`message.tool_calls`, or streamed `delta.tool_calls` pieces); like the real API, a request whose
 * `role: 'tool'` message answers no earlier assistant tool call, or whose tools are not
 * `{ type: 'function', function: { name, parameters } }`, gets the API's 400 (using up the
 * scripted reply). A request to any other path, or one that arrives when no reply is scripted,
 * gets OpenAI's 404 or a 500 saying so.
 */
import type { ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import {
  json,
  pause,
  startFakeServer,
  text,
  write,
  type FakeServer,
  type RecordedRequest,
  type Reply,
} from './fake-http-server.js';

export const COMPLETIONS_PATH = '/v1/chat/completions';

export interface FakeOpenAi extends FakeServer {
  /** The base URL a model points at: `http://127.0.0.1:<port>/v1`. */
  readonly baseUrl: string;
}

/** Token usage as OpenAI reports it. */
export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
}

/** Starts the server; it is closed when `t` ends. Script replies with `server.script(…)`. */
export async function startFakeOpenAi(t: TestContext): Promise<FakeOpenAi> {
  const server = await startFakeServer(t, {
    fallback: (res, request) => {
      const reply =
        request.method === 'POST' && request.path === COMPLETIONS_PATH
          ? openAiError(500, 'the fake server has no reply scripted for this request')
          : openAiError(404, `Unknown request URL: ${request.method} ${request.path}`);
      return reply(res, request);
    },
  });
  const queue = server.script;
  return Object.assign(server, {
    baseUrl: `${server.origin}/v1`,
    script: (...replies: Reply[]) => queue(...replies.map(checked)),
  });
}

/** `reply`, once the request passed the tool checks the real API makes first. */
function checked(reply: Reply): Reply {
  return (res, request) => {
    const problem = toolProblem(request.body);
    return problem ? openAiError(400, problem)(res, request) : reply(res, request);
  };
}

/** What the real API says of a request's tools and tool messages, if it refuses them. */
function toolProblem(body: unknown): string | undefined {
  const { messages, tools } = (body ?? {}) as { messages?: unknown; tools?: unknown };
  if (tools !== undefined) {
    const bad = !Array.isArray(tools)
      ? 0
      : tools.findIndex((tool: { type?: unknown; function?: { name?: unknown } }) => {
          return tool?.type !== 'function' || typeof tool.function?.name !== 'string';
        });
    if (bad >= 0) return `Invalid value for 'tools[${bad}]': expected a function tool.`;
  }
  if (!Array.isArray(messages)) return undefined;
  const called = new Set<string>();
  for (const [i, message] of (messages as Record<string, unknown>[]).entries()) {
    if (message?.['role'] === 'assistant' && Array.isArray(message['tool_calls'])) {
      for (const call of message['tool_calls'] as { id?: unknown }[]) {
        if (typeof call?.id === 'string') called.add(call.id);
      }
    }
    if (message?.['role'] === 'tool' && !called.has(String(message['tool_call_id']))) {
      return `Invalid parameter: messages[${i}] with role 'tool' must be a response to a preceeding message with 'tool_calls'.`;
    }
  }
  return undefined;
}

/** A tool call an answer makes: its id, the function's name and its arguments (as JSON text). */
export interface FakeToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** A normal (non-streamed) completion with `usage`. */
export function completion(
  content: string | null,
  options: {
    usage?: OpenAiUsage | null;
    finishReason?: string | null;
    /** Tool calls the answer makes (finish_reason `tool_calls` unless given). */
    toolCalls?: readonly FakeToolCall[];
  } = {},
): Reply {
  const calls = options.toolCalls;
  const usage =
    options.usage === undefined ? { prompt_tokens: 12, completion_tokens: 5 } : options.usage;
  return (res, request) =>
    json(200, {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: modelOf(request),
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content,
            ...(calls ? { tool_calls: calls.map(wireCall) } : {}),
          },
          finish_reason:
            options.finishReason !== undefined
              ? options.finishReason
              : calls
                ? 'tool_calls'
                : 'stop',
        },
      ],
      ...(usage
        ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }
        : {}),
    })(res, request);
}

export interface StreamOptions {
  /**
   * Sent as a last chunk with empty `choices` — like OpenAI, only when the request asked for it
   * with `stream_options: { include_usage: true }`.
   */
  readonly usage?: OpenAiUsage;
  /** The last content chunk's finish_reason (default 'stop'; null sends none). */
  readonly finishReason?: string | null;
  /** How the stream ends: `[DONE]` (default), a clean end without it, or a destroyed socket. */
  readonly end?: 'done' | 'end' | 'destroy';
  /** Write every event in two halves, in separate TCP writes. */
  readonly split?: boolean;
  /** Use `\r\n` line endings. */
  readonly crlf?: boolean;
  /**
   * Tool calls, streamed as OpenAI does after the content: a first delta with the call's index,
   * id and name, then its arguments in pieces of a few characters (finish_reason `tool_calls`).
   */
  readonly toolCalls?: readonly FakeToolCall[];
}

/** An SSE stream of `chat.completion.chunk` events, one per piece of content. */
export function streamed(pieces: readonly string[], options: StreamOptions = {}): Reply {
  return async (res: ServerResponse, request: RecordedRequest) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const nl = options.crlf ? '\r\n' : '\n';
    const chunk = (choices: unknown[], extra: object = {}): string =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: modelOf(request),
        choices,
        ...extra,
      })}${nl}${nl}`;
    const events = [
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      ...pieces.map((piece) =>
        chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]),
      ),
    ];
    (options.toolCalls ?? []).forEach((call, index) => {
      const first = {
        index,
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: '' },
      };
      events.push(chunk([{ index: 0, delta: { tool_calls: [first] }, finish_reason: null }]));
      for (const piece of argumentPieces(call.arguments)) {
        const delta = { tool_calls: [{ index, function: { arguments: piece } }] };
        events.push(chunk([{ index: 0, delta, finish_reason: null }]));
      }
    });
    const finish =
      options.finishReason !== undefined
        ? options.finishReason
        : options.toolCalls
          ? 'tool_calls'
          : 'stop';
    if (finish !== null) events.push(chunk([{ index: 0, delta: {}, finish_reason: finish }]));
    const asked =
      (request.body as { stream_options?: { include_usage?: unknown } } | undefined)?.stream_options
        ?.include_usage === true;
    if (options.usage && asked) {
      const { usage } = options;
      events.push(
        chunk([], {
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        }),
      );
    }
    if ((options.end ?? 'done') === 'done') events.push(`data: [DONE]${nl}${nl}`);
    for (const event of events) {
      if (options.split) {
        const half = Math.floor(event.length / 2);
        await write(res, event.slice(0, half));
        await pause();
        await write(res, event.slice(half));
        await pause();
      } else {
        await write(res, event);
      }
    }
    if (options.end === 'destroy') res.socket?.destroy();
    else res.end();
  };
}

/** An OpenAI-style error: `{ error: { message, type } }` with `status`. */
export function openAiError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  return json(
    status,
    { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'invalid_request_error' } },
    headers,
  );
}

/** An HTML page (a proxy's error page, say) with status 200. */
export function htmlPage(): Reply {
  return text(200, '<!DOCTYPE html><html><body><h1>Bad Gateway</h1></body></html>', {
    'content-type': 'text/html; charset=utf-8',
  });
}

/** The JSON text of a whole completion (to send part of it). */
export function completionText(content: string): string {
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
  });
}

function wireCall(call: FakeToolCall): object {
  return {
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  };
}

/** JSON text cut in pieces of at most 7 characters, as a model streams it. */
function argumentPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 7) out.push(text.slice(i, i + 7));
  return out;
}

function modelOf(request: RecordedRequest): string {
  const model = (request.body as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' ? model : 'unknown';
}
