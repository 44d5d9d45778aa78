/**
 * A cross-process lock (proper-lockfile: an atomic `mkdir`, refreshed while held, taken over
 * when stale), so that two processes never extend the control log at once.
 */
import type { LockOptions } from 'proper-lockfile';
import { StoreError } from '../../../model/errors.js';

/** A holder that stops refreshing for this long is presumed dead (a killed process). */
const STALE_MS = 10_000;

/**
 * Runs `work` while holding the lock at `lockPath` (a folder name) for `target` (an existing file
 * or folder). When the lock is free it is taken synchronously (no thread-pool round trips, so the
 * lock is held for less time); otherwise this waits for other holders a little longer than the
 * stale period, so a lock left by a killed process is taken over instead of failing.
 * @throws StoreError when the lock cannot be had, or was lost while held.
 */
export async function withLock<T>(
  target: string,
  lockPath: string,
  work: () => Promise<T>,
): Promise<T> {
  // Loaded at the first lock: a process that only reads the store (listing runs) never needs it.
  const { default: lockfile } = await import('proper-lockfile');
  let compromised: Error | undefined;
  const options: LockOptions = {
    lockfilePath: lockPath,
    realpath: false,
    stale: STALE_MS,
    update: STALE_MS / 5,
    onCompromised: (error: Error) => {
      compromised = error;
    },
  };
  let release: () => unknown;
  try {
    release = lockfile.lockSync(target, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw lockFailure(lockPath, error);
    try {
      release = await lockfile.lock(target, {
        ...options,
        retries: { retries: 120, factor: 1.3, minTimeout: 2, maxTimeout: 150, randomize: true },
      });
    } catch (waitError) {
      throw lockFailure(lockPath, waitError);
    }
  }
  try {
    const result = await work();
    if (compromised) {
      throw new StoreError(
        'lock-lost',
        `lost the lock ${lockPath} while writing (${compromised.message}); run \`lockstep verify\``,
      );
    }
    return result;
  } finally {
    // Called with no argument: proper-lockfile's release takes an optional callback first.
    try {
      await release();
    } catch {
      // Releasing can only fail when the lock was already lost, which is reported above.
    }
  }
}

function lockFailure(lockPath: string, error: unknown): StoreError {
  return new StoreError(
    'locked',
    `could not lock ${lockPath}: another Lockstep process has held it for over ${STALE_MS / 1000} s (${(error as Error).message}); retry, or remove the folder if no Lockstep process is running`,
    { cause: error },
  );
}
