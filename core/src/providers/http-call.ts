/** Performs an `http` step's request. The response body is parsed as JSON when it says it is. */
import type { JsonValue } from '../format/types.js';
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
 * @throws EngineError: `connection`, `timeout`, `cancelled`, `rate-limited`, `server-error`,
 *   `malformed-response` (a body that says it is JSON and is not, or is too large).
 */
export async function performHttpCall(
  request: HttpRequest,
  where: string,
  signal: AbortSignal,
  policy: FetchPolicy = {},
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
      timeoutMs: DEFAULT_HTTP_TIMEOUT_MS,
      signal,
      ...policy,
      ...(idempotent ? {} : { maxRetries: 0 }),
    },
  );
  let text: string;
  try {
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_HTTP_BODY_BYTES) throw tooLarge(where, host, length);
    text = await response.text();
    if (text.length > MAX_HTTP_BODY_BYTES) throw tooLarge(where, host, text.length);
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

function tooLarge(where: string, host: string, bytes: number): EngineError {
  return new EngineError(
    'malformed-response',
    `${where}: the response from ${host} is ${(bytes / 1024 / 1024).toFixed(1)} MiB; at most ${MAX_HTTP_BODY_BYTES / 1024 / 1024} MiB are recorded`,
  );
}
