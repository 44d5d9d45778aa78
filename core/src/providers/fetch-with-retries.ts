/**
 * fetch() with the retries a client of a remote service needs: connection refused or reset, 429
 * (honouring Retry-After), 502/503/504 and any status the caller adds (Anthropic's 529) are tried
 * again with backoff; a per-request timeout and the run's cancellation both abort it. Failures
 * become EngineErrors naming what was called.
 */
import { EngineError } from '../engine/engine-error.js';
import { cancellableSleep } from '../engine/cancellable-sleep.js';

/** Knobs for tests and embedders. */
export interface FetchPolicy {
  readonly fetch?: typeof fetch;
  /** Retries after the first attempt (default 2). */
  readonly maxRetries?: number;
  /** The first backoff (default 500 ms), doubled each time. */
  readonly backoffMs?: number;
  /** The longest Retry-After honoured (default 60 s); longer is reported instead of waited. */
  readonly maxRetryAfterMs?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface FetchTarget {
  /** The step path, to start messages with. */
  readonly where: string;
  /** What is being called, for messages: `the model endpoint http://…`. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /**
   * Return the last 429/5xx response (once retries are spent, or when none are allowed) instead of
   * throwing: for callers that judge statuses themselves (an http step's `expect`).
   */
  readonly returnFinalStatus?: boolean;
  /** Statuses retried like 503 besides 429 and 502–504 (Anthropic's 529, overloaded). */
  readonly retriedStatuses?: readonly number[];
  /** What of a final error body a message shows (default: its first 200 characters). */
  readonly detailOf?: (body: string) => string;
}

/** A response, and how to explain an abort while its body is read. */
export interface FetchedResponse {
  readonly response: Response;
  /** Turns an error thrown while reading the body into a timeout or cancellation error. */
  readonly explain: (error: unknown) => unknown;
}

const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * @throws EngineError: `timeout`, `cancelled`, `connection`; `rate-limited`, `server-error` unless
 *   `returnFinalStatus`.
 */
export async function fetchWithRetries(
  url: string,
  init: RequestInit,
  target: FetchTarget & FetchPolicy,
): Promise<FetchedResponse> {
  const doFetch = target.fetch ?? fetch;
  const maxRetries = target.maxRetries ?? 2;
  const sleep = target.sleep ?? cancellableSleep;
  let backoff = target.backoffMs ?? 500;
  /** Waits before a retry; a cancelled run ends the wait with an error naming the step. */
  const pause = async (ms: number): Promise<void> => {
    try {
      await sleep(ms, target.signal);
    } catch (error) {
      if (target.signal.aborted) throw new EngineError('cancelled', `${target.where}: cancelled`);
      throw error;
    }
  };
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(target.timeoutMs);
    const signal = AbortSignal.any([target.signal, timeout]);
    const explain = (error: unknown): unknown => {
      if (target.signal.aborted) return new EngineError('cancelled', `${target.where}: cancelled`);
      if (timeout.aborted) {
        return new EngineError(
          'timeout',
          `${target.where}: ${target.what} did not answer within ${formatMs(target.timeoutMs)}`,
        );
      }
      return error;
    };
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal });
    } catch (error) {
      const explained = explain(error);
      if (explained !== error) throw explained;
      const code = connectionCode(error);
      if (code && attempt < maxRetries) {
        await pause(backoff);
        backoff *= 2;
        continue;
      }
      throw new EngineError(
        'connection',
        `${target.where}: could not reach ${target.what} (${code ?? (error as Error).message})${code === 'ECONNREFUSED' ? ': is the server running?' : ''}`,
      );
    }
    const retried =
      RETRIED_STATUSES.has(response.status) ||
      (target.retriedStatuses?.includes(response.status) ?? false);
    if (retried || response.status === 500) {
      const wait = retryAfterMs(response.headers.get('retry-after'));
      const retriable = retried && attempt < maxRetries;
      const tooLong = wait !== undefined && wait > (target.maxRetryAfterMs ?? 60_000);
      if (retriable && !tooLong) {
        await response.body?.cancel().catch(() => undefined);
        await pause(wait ?? backoff);
        backoff *= 2;
        continue;
      }
      if (target.returnFinalStatus) return { response, explain };
      const body = await response.text().catch(() => '');
      const detail = target.detailOf ? target.detailOf(body) : body.slice(0, 200);
      if (response.status === 429) {
        throw new EngineError(
          'rate-limited',
          `${target.where}: ${target.what} is rate limiting (429) after ${attempt + 1} attempt(s)${tooLong ? ` and asks to wait ${formatMs(wait!)}` : ''}; retry later or lower the concurrency`,
          { status: 429 },
        );
      }
      throw new EngineError(
        'server-error',
        `${target.where}: ${target.what} answered ${response.status} after ${attempt + 1} attempt(s)${detail ? `: ${detail}` : ''}`,
        { status: response.status },
      );
    }
    return { response, explain };
  }
}

function connectionCode(error: unknown): string | undefined {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
    if (typeof code === 'string' && (code === 'ENOTFOUND' || code === 'ECONNREFUSED')) return code;
  }
  return undefined;
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
