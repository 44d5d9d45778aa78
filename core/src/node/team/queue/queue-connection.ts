/**
 * Failures of the run queue's PostgreSQL database, turned into errors that say what to check (the
 * queue's URL comes from --queue-url or LOCKSTEP_QUEUE, so the advice differs from the store's).
 * Connections themselves are the PostgreSQL store's (`createPool`, which survives the server
 * closing them); credentials come from the URL or libpq's PGPASSWORD / ~/.pgpass.
 */
import { LockstepError, StoreError } from '../../../model/errors.js';

/**
 * The error to show for a failure talking to the queue's database: Lockstep's own errors
 * unchanged, anything else as a StoreError naming the database (never its password) and what to
 * check.
 */
export function queueFailure(location: string, error: unknown): Error {
  if (error instanceof LockstepError) return error;
  const code = (error as { code?: unknown }).code;
  const message = (error instanceof Error ? error.message : String(error)).replace(
    /(postgres(?:ql)?:\/\/[^:@/\s]*):[^@\s]*@/gi,
    '$1@',
  );
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return new StoreError(
      'no-store',
      `cannot reach the run queue's database at ${location} (${message}): is the server running, and is the URL in --queue-url or LOCKSTEP_QUEUE right?`,
      { cause: error },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new StoreError(
      'no-store',
      `the run queue's database at ${location} refused the login (${message}): set the password in PGPASSWORD or ~/.pgpass, or in the URL`,
      { cause: error },
    );
  }
  if (code === '3D000') {
    return new StoreError(
      'no-store',
      `the run queue's database at ${location} does not exist (${message}): create it (createdb) first`,
      { cause: error },
    );
  }
  return new StoreError('unwritable', `the run queue at ${location} failed: ${message}`, {
    cause: error,
  });
}
