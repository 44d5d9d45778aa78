/**
 * Handler isolation: a feature that throws logs the error to the client's console and answers
 * its neutral result (no hover, no items…), so one bug never takes the server down or leaves a
 * request unanswered. Errors meant for the user (`ResponseError`, e.g. an invalid rename) pass.
 */
import { ResponseError } from 'vscode-languageserver';
import { errorText } from './error-text.js';

/**
 * Test-only seam: called with the feature's name before each handler runs; a test makes it throw
 * to prove that a crashing handler is contained.
 */
export type FaultInjector = (feature: string) => void;

/** Wraps a handler: failures are logged and answered with `fallback`. */
export type Guard = <P, R>(
  feature: string,
  fallback: R,
  handler: (params: P) => R | Promise<R>,
) => (params: P) => Promise<R>;

/** A guard that logs with `log`; `inject` is the test-only fault seam. */
export function createGuard(log: (message: string) => void, inject?: FaultInjector): Guard {
  return (feature, fallback, handler) => async (params) => {
    try {
      inject?.(feature);
      return await handler(params);
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      log(`${feature} failed: ${errorText(error)}`);
      return fallback;
    }
  };
}
