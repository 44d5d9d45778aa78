/**
 * Waiting that a cancelled run does not sit through: between retries of a step, and between a
 * provider's retries of one request.
 */
import { EngineError } from './engine-error.js';

/**
 * Resolves after `ms`, or rejects with EngineError `cancelled` as soon as `signal` is aborted
 * (at once when it already is). The timer is cleared on abort, so nothing keeps the process up.
 */
export function cancellableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = (): EngineError => new EngineError('cancelled', 'the run was cancelled');
    if (signal.aborted) {
      reject(cancelled());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
