/**
 * The one place where the language server turns an error into the line its log shows: a
 * deliberate error (a LockstepError) as its message and stable code, anything else as a stack
 * trace, because it is a bug to report.
 */
import { LockstepError } from '../../core/src/model/errors.js';

/** What the log says about `error`. */
export function errorText(error: unknown): string {
  if (error instanceof LockstepError) return `${error.message} (${error.code})`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
