/** Waiting for a condition without fixed sleeps: poll it until it holds or a deadline passes. */
import { setTimeout as delay } from 'node:timers/promises';

export interface PollOptions {
  /** Give up after this long (ms). Default 10 000. */
  readonly timeoutMs?: number;
  /** Time between checks (ms). Default 10. */
  readonly intervalMs?: number;
  /** Says what was awaited, for the timeout message. */
  readonly what?: string;
}

/**
 * Calls `check` until it returns a value other than undefined/false, and returns that value.
 * @throws Error naming `what` when the deadline passes first.
 */
export async function pollUntil<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${options.what ?? 'a condition'}`,
      );
    }
    await delay(options.intervalMs ?? 10);
  }
}
