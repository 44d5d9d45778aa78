/**
 * What every model provider does with its endpoint, whatever its dialect: POST the request with
 * the retries and timeout of `fetchWithRetries`, turn a refusal into an error that names its cause
 * (a refused key names the secret it came from; other statuses carry the provider's own error
 * message), read the body (a dropped connection is a truncated answer, not a crash), and split an
 * event stream into its events.
 */
import type { JsonValue } from '../model/workflow.js';
import type { TokenUsage } from '../model/runs.js';
import type { EffectOutcome } from '../engine/host.js';
import { EngineError } from '../engine/engine-error.js';
import type { ModelCall, ModelResponse, ModelTransport } from '../engine/steps/llm-step.js';
import { fetchWithRetries, type FetchPolicy } from './fetch-with-retries.js';

/** How long one model request may take unless the model sets `timeout`. */
const DEFAULT_MODEL_TIMEOUT_MS = 120_000;

/**
 * A provider's client: sends one model call and returns the answer.
 * @param where the step path, to start error messages with.
 * @throws EngineError: `connection`, `auth`, `not-found`, `http-status`, `rate-limited`,
 *   `server-error`, `timeout`, `malformed-response`, `empty-response`, `cancelled`.
 */
export type ModelClient = (
  call: ModelCall,
  where: string,
  signal: AbortSignal,
  policy?: FetchPolicy,
) => Promise<EffectOutcome>;

/** A provider's answer before it is recorded. */
export interface Answer {
  readonly response: ModelResponse;
  readonly usage?: TokenUsage;
}

/** One request to a model endpoint, in the provider's dialect. */
export interface ModelPost {
  /** Where requests go (`base_url`, or the provider's endpoint), without a trailing slash. */
  readonly base: string;
  /** The URL posted to. */
  readonly url: string;
  /** The provider's headers (the key among them), besides content-type and accept. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, sent as JSON. */
  readonly body: unknown;
  /** Statuses retried besides fetchWithRetries' own (Anthropic's 529). */
  readonly retriedStatuses?: readonly number[];
  /** What a 404 says about the base URL, after "is the base_url right". */
  readonly baseUrlNote?: string;
}

/**
 * POSTs `post` for `call` and reads the answer with `read` (given a 2xx response).
 * @throws EngineError: `auth` for 401 and 403, `not-found` for 404, `http-status` for other
 *   statuses, what fetchWithRetries throws, what `read` throws (an abort while it reads the body
 *   as `timeout` or `cancelled`).
 */
export async function postToModel(
  call: ModelCall,
  post: ModelPost,
  where: string,
  signal: AbortSignal,
  policy: FetchPolicy,
  read: (response: Response) => Promise<Answer>,
): Promise<EffectOutcome> {
  const { transport } = call;
  const stream = transport.stream === true;
  const headers = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    ...post.headers,
  };
  const { response, explain } = await fetchWithRetries(
    post.url,
    { method: 'POST', headers, body: JSON.stringify(post.body) },
    {
      where,
      what: `the model endpoint ${post.base}`,
      timeoutMs: transport.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS,
      signal,
      detailOf: errorMessageOf,
      ...(post.retriedStatuses ? { retriedStatuses: post.retriedStatuses } : {}),
      ...policy,
    },
  );
  if (response.status === 401 || response.status === 403) {
    throw await refusedKey(response, transport, where, post.base);
  }
  if (response.status === 404) {
    throw new EngineError(
      'not-found',
      `${where}: ${post.url} answered 404: is the base_url right${post.baseUrlNote ?? ''}, and does the server have the model '${call.request.model}'? ${await errorMessage(response)}`.trim(),
    );
  }
  if (!response.ok) {
    throw new EngineError(
      'http-status',
      `${where}: ${post.base} answered ${response.status}: ${await errorMessage(response)}`.trim(),
      { status: response.status },
    );
  }
  let answer: Answer;
  try {
    answer = await read(response);
  } catch (error) {
    throw explain(error);
  }
  const recorded = answer.response as unknown as JsonValue;
  return answer.usage ? { response: recorded, usage: answer.usage } : { response: recorded };
}

/**
 * The body as text.
 * @throws what `malformed` makes of a connection dropped mid-body (a truncated answer); an abort
 *   (timeout, cancellation) as it is, for fetchWithRetries' `explain`.
 */
export async function readBody(
  response: Response,
  malformed: (detail: string) => EngineError,
): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError')
      throw error;
    throw malformed(`the body was cut off (${(error as Error).message})`);
  }
}

/** `N bytes, starting "…"`: enough of a body to recognise it (an HTML error page, say). */
export function describeBody(text: string): string {
  return `${text.length} bytes${text.length === 0 ? '' : `, starting ${JSON.stringify(text.slice(0, 60))}`}`;
}

/**
 * The `auth` error for a 401 or 403: says whether the key's secret was set, and names it, so the
 * fix is obvious; never the key itself.
 */
async function refusedKey(
  response: Response,
  transport: ModelTransport,
  where: string,
  base: string,
): Promise<EngineError> {
  const secret = transport.apiKeySecret;
  const hint = transport.apiKey
    ? secret
      ? `the secret ${secret} is set, but its value was refused: check it`
      : 'check the model’s api_key'
    : secret
      ? `the secret ${secret} is not set: set the ${secret} environment variable (it is listed under secrets in .lockstep/config.yaml)`
      : 'the model has no api_key: add api_key: ${{ secrets.NAME }}';
  return new EngineError(
    'auth',
    `${where}: ${base} refused the request (${response.status}): ${hint}`,
    { status: response.status, body: (await response.text().catch(() => '')).slice(0, 500) },
  );
}

/** The provider's own error message from an error response, else the start of its body. */
async function errorMessage(response: Response): Promise<string> {
  return errorMessageOf(await response.text().catch(() => ''));
}

/**
 * The message of an error body, OpenAI's `{ error: { message } }` and Anthropic's
 * `{ type: 'error', error: { type, message } }` alike (or `{ error: '…' }`), else its first 200
 * characters.
 */
export function errorMessageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string } | null;
    const message = typeof parsed?.error === 'string' ? parsed.error : parsed?.error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: show the text
  }
  return text.slice(0, 200);
}

/** One server-sent event: its `event:` name (when given) and its `data:` lines, joined. */
export interface StreamEvent {
  readonly event?: string;
  readonly data: string;
}

/** The events of an SSE body (`\n` or `\r\n` line endings); comments and empty events are skipped. */
export function streamEvents(text: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice('event:'.length).trim();
      else if (line.startsWith('data:')) data.push(line.slice('data:'.length).trim());
    }
    if (data.length > 0)
      events.push(
        event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') },
      );
  }
  return events;
}
