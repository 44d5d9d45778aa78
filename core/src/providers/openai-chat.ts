/**
 * An OpenAI-compatible chat-completions client (`POST <base>/chat/completions` with a bearer
 * token): OpenAI, Ollama, vLLM, LM Studio, llama.cpp server. JSON and streamed (SSE) answers.
 * Transient failures (connection refused or reset, 429 with Retry-After, 5xx) are retried a few
 * times; everything else becomes an EngineError that says what happened and what to do.
 */
import type { JsonValue } from '../model/workflow.js';
import type { EffectOutcome } from '../engine/host.js';
import { EngineError } from '../engine/engine-error.js';
import type { ModelCall, ModelResponse } from '../engine/steps/llm-step.js';
import type { TokenUsage } from '../model/runs.js';
import { fetchWithRetries, type FetchPolicy } from './fetch-with-retries.js';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** How long one model request may take unless the model sets `timeout`. */
export const DEFAULT_MODEL_TIMEOUT_MS = 120_000;

/**
 * Sends one chat completion (streamed when the model asks for it) and returns the answer.
 * @param where the step path, to start error messages with.
 * @throws EngineError: `connection`, `auth`, `not-found`, `http-status`, `rate-limited`,
 *   `server-error`, `timeout`, `malformed-response`, `empty-response`, `cancelled`.
 */
export async function callChatCompletions(
  call: ModelCall,
  where: string,
  signal: AbortSignal,
  policy: FetchPolicy = {},
): Promise<EffectOutcome> {
  const { request, transport } = call;
  const base = (transport.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/chat/completions`;
  const stream = transport.stream === true;
  const { provider: _provider, ...fields } = request;
  // OpenAI reports a stream's token usage only when asked to (others ignore the option).
  const body = stream
    ? { ...fields, stream: true, stream_options: { include_usage: true } }
    : fields;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
  };
  if (transport.apiKey) headers['authorization'] = `Bearer ${transport.apiKey}`;

  const { response, explain } = await fetchWithRetries(
    url,
    { method: 'POST', headers, body: JSON.stringify(body) },
    {
      where,
      what: `the model endpoint ${base}`,
      timeoutMs: transport.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS,
      signal,
      ...policy,
    },
  );
  if (response.status === 401 || response.status === 403) {
    const secret = transport.apiKeySecret;
    const hint = transport.apiKey
      ? secret
        ? `the secret ${secret} is set, but its value was refused: check it`
        : 'check the model’s api_key'
      : secret
        ? `the secret ${secret} is not set: set the ${secret} environment variable (it is listed under secrets in .lockstep/config.yaml)`
        : 'the model has no api_key: add api_key: ${{ secrets.NAME }}';
    throw new EngineError(
      'auth',
      `${where}: ${base} refused the request (${response.status}): ${hint}`,
      { status: response.status, body: await excerpt(response) },
    );
  }
  if (response.status === 404) {
    throw new EngineError(
      'not-found',
      `${where}: ${url} answered 404: is the base_url right, and does the server have the model '${request.model}'? ${await errorMessage(response)}`.trim(),
    );
  }
  if (!response.ok) {
    throw new EngineError(
      'http-status',
      `${where}: ${base} answered ${response.status}: ${await errorMessage(response)}`.trim(),
      { status: response.status },
    );
  }
  let answer: Answer;
  try {
    answer = stream
      ? await readStream(response, where, base)
      : await readJson(response, where, base);
  } catch (error) {
    throw explain(error);
  }
  const recorded = answer.response as unknown as JsonValue;
  return answer.usage ? { response: recorded, usage: answer.usage } : { response: recorded };
}

interface Answer {
  response: ModelResponse;
  usage?: TokenUsage;
}

async function readJson(response: Response, where: string, base: string): Promise<Answer> {
  const text = await readBody(response, where, base);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed(
      where,
      base,
      `the body is not JSON (${text.length} bytes${text.length === 0 ? '' : `, starting ${JSON.stringify(text.slice(0, 60))}`})`,
    );
  }
  const choice = (
    parsed as { choices?: { message?: { content?: unknown }; finish_reason?: unknown }[] }
  ).choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== 'string') {
    throw malformed(where, base, 'the body has no choices[0].message.content');
  }
  if (content === '')
    throw new EngineError('empty-response', `${where}: ${base} answered with empty text`);
  const usage = usageOf((parsed as { usage?: unknown }).usage);
  const finishReason = typeof choice?.finish_reason === 'string' ? choice.finish_reason : null;
  return usage
    ? { response: { content, finishReason }, usage }
    : { response: { content, finishReason } };
}

/** Reads `data:` events until `[DONE]`, joining the content deltas. */
async function readStream(response: Response, where: string, base: string): Promise<Answer> {
  const text = await readBody(response, where, base);
  let content = '';
  let finishReason: string | null = null;
  let usage: TokenUsage | undefined;
  let done = false;
  let events = 0;
  for (const block of text.split(/\r?\n\r?\n/)) {
    for (const line of block.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice('data:'.length).trim();
      events++;
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      let event: {
        choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
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
        const message =
          typeof event.error === 'string'
            ? event.error
            : typeof event.error.message === 'string'
              ? event.error.message
              : JSON.stringify(event.error);
        throw new EngineError(
          'server-error',
          `${where}: ${base} reported an error in the middle of the stream: ${message}`,
        );
      }
      const choice = event.choices?.[0];
      if (typeof choice?.delta?.content === 'string') content += choice.delta.content;
      if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason;
      usage = usageOf(event.usage) ?? usage;
    }
  }
  if (events === 0) {
    throw malformed(
      where,
      base,
      `the body is not an event stream (${text.length} bytes${text.length === 0 ? '' : `, starting ${JSON.stringify(text.slice(0, 60))}`})`,
    );
  }
  if (!done && finishReason === null) {
    throw malformed(
      where,
      base,
      `the stream was cut off before it finished (${content.length} characters received)`,
    );
  }
  if (content === '') throw new EngineError('empty-response', `${where}: ${base} streamed no text`);
  return usage
    ? { response: { content, finishReason }, usage }
    : { response: { content, finishReason } };
}

/** The body as text; a connection dropped mid-body is a malformed (truncated) response. */
async function readBody(response: Response, where: string, base: string): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError')
      throw error;
    throw malformed(where, base, `the body was cut off (${(error as Error).message})`);
  }
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

/** The provider's own error message (`{ error: { message } }`), else the start of the body. */
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string };
    const message = typeof parsed.error === 'string' ? parsed.error : parsed.error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: show the text
  }
  return text.slice(0, 200);
}

async function excerpt(response: Response): Promise<string> {
  return (await response.text().catch(() => '')).slice(0, 500);
}
