/**
 * An OpenAI-compatible chat-completions client (`POST <base>/chat/completions` with a bearer
 * token): OpenAI, Ollama, vLLM, LM Studio, llama.cpp server. JSON and streamed (SSE) answers,
 * with tool calls (openai-tools.ts). Transient failures (connection refused or reset, 429 with
 * Retry-After, 5xx) are retried a few times; everything else becomes an EngineError that says
 * what happened and what to do.
 */
import { EngineError } from '../engine/engine-error.js';
import { PROVIDER_ENDPOINTS } from '../model/providers.js';
import type { TokenUsage } from '../model/runs.js';
import {
  describeBody,
  errorMessageOf,
  postToModel,
  readBody,
  streamEvents,
  type Answer,
  type ModelClient,
} from './model-endpoint.js';
import { chatCompletionFields, ToolCallDeltas, toolCallsOf } from './openai-tools.js';
import type { ToolCall } from '../engine/steps/model-request.js';

/** Sends one chat completion (streamed when the model asks for it) and returns the answer. */
export const callChatCompletions: ModelClient = async (call, where, signal, policy = {}) => {
  const { request, transport } = call;
  const base = (transport.baseUrl ?? PROVIDER_ENDPOINTS.openai).replace(/\/+$/, '');
  const stream = transport.stream === true;
  const fields = chatCompletionFields(request);
  // OpenAI reports a stream's token usage only when asked to (others ignore the option).
  const body = stream
    ? { ...fields, stream: true, stream_options: { include_usage: true } }
    : fields;
  const headers: Record<string, string> = {};
  if (transport.apiKey) headers['authorization'] = `Bearer ${transport.apiKey}`;
  const post = { base, url: `${base}/chat/completions`, headers, body };
  return postToModel(call, post, where, signal, policy, (response) =>
    stream ? readStream(response, where, base) : readJson(response, where, base),
  );
};

async function readJson(response: Response, where: string, base: string): Promise<Answer> {
  const text = await readBody(response, (detail) => malformed(where, base, detail));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed(where, base, `the body is not JSON (${describeBody(text)})`);
  }
  const choice = (
    parsed as {
      choices?: {
        message?: { content?: unknown; tool_calls?: unknown };
        finish_reason?: unknown;
      }[];
    }
  ).choices?.[0];
  const calls = toolCallsOf(choice?.message?.tool_calls);
  if (calls !== undefined && !Array.isArray(calls)) throw malformed(where, base, calls.malformed);
  // An answer that calls tools may have no text (`content: null`).
  const content = choice?.message?.content ?? (calls ? '' : undefined);
  if (typeof content !== 'string') {
    throw malformed(where, base, 'the body has no choices[0].message.content');
  }
  if (content === '' && !calls)
    throw new EngineError('empty-response', `${where}: ${base} answered with empty text`);
  const finishReason = typeof choice?.finish_reason === 'string' ? choice.finish_reason : null;
  return answer(content, finishReason, calls, usageOf((parsed as { usage?: unknown }).usage));
}

function answer(
  content: string,
  finishReason: string | null,
  toolCalls: readonly ToolCall[] | undefined,
  usage: TokenUsage | undefined,
): Answer {
  const response = toolCalls ? { content, finishReason, toolCalls } : { content, finishReason };
  return usage ? { response, usage } : { response };
}

/** Reads `data:` events until `[DONE]`, joining the content and tool-call deltas. */
async function readStream(response: Response, where: string, base: string): Promise<Answer> {
  const text = await readBody(response, (detail) => malformed(where, base, detail));
  let content = '';
  let finishReason: string | null = null;
  let usage: TokenUsage | undefined;
  let done = false;
  const deltas = new ToolCallDeltas();
  const events = streamEvents(text);
  for (const { data } of events) {
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    let event: {
      choices?: { delta?: { content?: unknown; tool_calls?: unknown }; finish_reason?: unknown }[];
      usage?: unknown;
      error?: { message?: unknown } | string;
    };
    try {
      event = JSON.parse(data) as typeof event;
    } catch {
      throw malformed(
        where,
        base,
        `a stream event is not JSON (${JSON.stringify(data.slice(0, 60))})`,
      );
    }
    if (event.error !== undefined && event.error !== null) {
      // A failure after the 200 status: what came before it is not the whole answer.
      throw new EngineError(
        'server-error',
        `${where}: ${base} reported an error in the middle of the stream: ${errorMessageOf(data)}`,
      );
    }
    const choice = event.choices?.[0];
    if (typeof choice?.delta?.content === 'string') content += choice.delta.content;
    deltas.add(choice?.delta?.tool_calls);
    if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason;
    usage = usageOf(event.usage) ?? usage;
  }
  if (events.length === 0) {
    throw malformed(where, base, `the body is not an event stream (${describeBody(text)})`);
  }
  if (!done && finishReason === null) {
    throw malformed(
      where,
      base,
      `the stream was cut off before it finished (${content.length} characters received)`,
    );
  }
  const calls = deltas.result();
  if (calls !== undefined && !Array.isArray(calls)) throw malformed(where, base, calls.malformed);
  if (content === '' && !calls)
    throw new EngineError('empty-response', `${where}: ${base} streamed no text`);
  return answer(content, finishReason, calls, usage);
}

function usageOf(value: unknown): TokenUsage | undefined {
  const usage = value as
    { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;
  if (typeof usage?.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number')
    return undefined;
  return { input: usage.prompt_tokens, output: usage.completion_tokens };
}

function malformed(where: string, base: string, detail: string): EngineError {
  return new EngineError(
    'malformed-response',
    `${where}: ${base} answered something that is not a chat completion: ${detail}`,
  );
}
