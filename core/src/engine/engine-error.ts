/** Errors raised while a run executes: they become the failed step's (and run's) recorded error. */
import type { JsonValue } from '../model/workflow.js';
import { LockstepError, type ErrorCode } from '../model/errors.js';
import type { RecordedError } from '../model/runs.js';

export class EngineError extends LockstepError {
  constructor(
    /** Stable kind: `expression`, `timeout`, `http-status`, `invalid-json`, `schema`, … */
    code: ErrorCode,
    message: string,
    /** What the error is about, recorded with it (the model's text that was not JSON, say). */
    readonly detail?: JsonValue,
  ) {
    super(code, message);
  }

  /** The error as a run records it. */
  toRecord(): RecordedError {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

/** Any thrown value as a recorded error (unexpected ones keep their message). */
export function recordError(error: unknown): RecordedError {
  if (error instanceof EngineError) return error.toRecord();
  if (error instanceof Error && error.name === 'AbortError') {
    return { code: 'cancelled', message: 'the run was cancelled' };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
