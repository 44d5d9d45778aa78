/** Performs an `http` step's request. The response body is parsed as JSON when it says it is. */
import type { JsonValue } from '../model/workflow.js';
import { EngineError } from '../engine/engine-error.js';
import type { EffectOutcome } from '../engine/host.js';
import type { HttpRequest, HttpResponse } from '../engine/steps/http-step.js';
import { fetchWithRetries, type FetchPolicy } from './fetch-with-retries.js';

/** How long an HTTP call may take unless the step sets `timeout`. */
export const DEFAULT_HTTP_TIMEOUT_MS = 60_000;
/** Bodies larger than this are refused rather than recorded. */
export const MAX_HTTP_BODY_BYTES = 10 * 1024 * 1024;
/** Response headers never recorded: they carry credentials. */
const UNRECORDED_HEADERS = new Set([
  'set-cookie',
  'set-cookie2',
  'www-authenticate',
  'proxy-authenticate',
]);

/**
 * Any status is returned as the response (429 and 502/503/504 after the retries an idempotent
 * method gets), for the step to check against `expect`.
 * @throws EngineError: `connection`, `timeout`, `cancelled`, `malformed-response` (a body that
 *   says it is JSON and is not, is cut off, or is too large).
 */
export async function performHttpCall(
  request: HttpRequest,
  where: string,
  signal: AbortSignal,
  policy: FetchPolicy = {},
  /** The step's timeout, when it sets one: it replaces the default (which it may exceed). */
  timeoutMs: number = DEFAULT_HTTP_TIMEOUT_MS,
): Promise<EffectOutcome> {
  const headers: Record<string, string> = { ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined && request.body !== null) {
    if (typeof request.body === 'string') body = request.body;
    else {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  const host = new URL(request.url).origin;
  // Only idempotent methods are retried: a POST that reached the server must not be sent twice.
  const idempotent =
    request.method === 'GET' ||
    request.method === 'HEAD' ||
    request.method === 'PUT' ||
    request.method === 'DELETE';
  const { response, explain } = await fetchWithRetries(
    request.url,
    { method: request.method, headers, ...(body === undefined ? {} : { body }) },
    {
      where,
      what: host,
      timeoutMs,
      signal,
      ...policy,
      ...(idempotent ? {} : { maxRetries: 0 }),
      // Any status is an answer: the step checks it against `expect`.
      returnFinalStatus: true,
    },
  );
  let text: string;
  try {
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_HTTP_BODY_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(where, host, length);
    }
    text = await readLimited(response, where, host);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    const explained = explain(error);
    if (explained !== error) throw explained;
    throw new EngineError(
      'malformed-response',
      `${where}: the response from ${host} was cut off (${(error as Error).message})`,
    );
  }
  const recordedHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!UNRECORDED_HEADERS.has(name)) recordedHeaders[name] = value;
  });
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: JsonValue = text;
  if (/[/+]json\b/i.test(contentType) && text.trim() !== '') {
    try {
      parsed = JSON.parse(text) as JsonValue;
    } catch {
      throw new EngineError(
        'malformed-response',
        `${where}: ${host} said the body is JSON (${contentType}) but it is not: ${JSON.stringify(text.slice(0, 80))}`,
        { status: response.status },
      );
    }
  }
  const result: HttpResponse = { status: response.status, headers: recordedHeaders, body: parsed };
  return { response: result as unknown as JsonValue };
}

/**
 * The body as text, counting bytes as they arrive: a body without a content-length (or with a
 * wrong one) is refused as soon as it passes the limit, not after it was all held in memory.
 */
async function readLimited(response: Response, where: string, host: string): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > MAX_HTTP_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(where, host);
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** `bytes` when the size is known (content-length), else the body passed the limit. */
function tooLarge(where: string, host: string, bytes?: number): EngineError {
  const size =
    bytes === undefined
      ? `more than ${MAX_HTTP_BODY_BYTES / 1024 / 1024} MiB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return new EngineError(
    'malformed-response',
    `${where}: the response from ${host} is ${size}; at most ${MAX_HTTP_BODY_BYTES / 1024 / 1024} MiB are recorded`,
  );
}
