/**
 * Telling a lost or refused database connection from a refused statement, by the error alone:
 * no driver is needed to ask, so callers that only classify errors do not load it.
 */

/** Whether `error` (as `storeFailure` made it) says the server could not be reached at all. */
export function isUnreachable(error: unknown): boolean {
  if (isTransient(error)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && isTransient(cause);
}

/** Connection failures worth retrying: the server restarting, a dropped or reset connection. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown (the server is restarting, or the backend was terminated)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (the server is starting)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** Whether `error` is a lost or refused connection rather than a refused statement. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    message,
  );
}
