/**
 * A cross-process lock (proper-lockfile: an atomic `mkdir`, refreshed while held, taken over
 * when stale), so that two processes never extend the control log at once.
 */
import { statSync } from 'node:fs';
import type { LockOptions } from 'proper-lockfile';
import { StoreError } from '../../../model/errors.js';
import { LockWaitTimedOut, waitForLock, type LockPatience } from './lock-wait.js';

/** A holder that stops refreshing for this long is presumed dead (a killed process). */
const STALE_MS = 10_000;

/**
 * A holder seen for three stale periods is alive (it keeps the lock fresh); a busy store, where
 * the lock changes hands (holders killed in a row, each taken over once stale), for two minutes.
 */
const PATIENCE: LockPatience = { perHolderMs: 3 * STALE_MS, totalMs: 120_000 };

/**
 * Runs `work` while holding the lock at `lockPath` (a folder name) for `target` (an existing file
 * or folder). When the lock is free it is taken synchronously (no thread-pool round trips, so the
 * lock is held for less time); otherwise this waits (see lock-wait.ts), taking over a lock left
 * by a killed process once it is stale, however many were killed in a row.
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
  const tryLock = (): (() => unknown) | undefined => {
    try {
      return lockfile.lockSync(target, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
      throw lockFailure(lockPath, error);
    }
  };
  let release: () => unknown;
  try {
    release = tryLock() ?? (await waitForLock(tryLock, () => holderOf(lockPath), PATIENCE));
  } catch (error) {
    if (error instanceof LockWaitTimedOut) throw lockTimeout(lockPath, error);
    throw error instanceof StoreError ? error : lockFailure(lockPath, error);
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

/**
 * Who holds the lock folder now, `undefined` when none does: its inode and birth time (a folder
 * made after another was removed may get its inode back, not its birth time).
 */
function holderOf(lockPath: string): string | undefined {
  const stat = statSync(lockPath, { bigint: true, throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.birthtimeNs}` : undefined;
}

function lockFailure(lockPath: string, error: unknown): StoreError {
  return new StoreError(
    'locked',
    `could not lock ${lockPath}: ${(error as Error).message}; retry, or remove the folder if no Lockstep process is running`,
    { cause: error },
  );
}

function lockTimeout(lockPath: string, error: LockWaitTimedOut): StoreError {
  const { timeout } = error;
  const why =
    timeout.reason === 'one-holder'
      ? `another Lockstep process has held it for over ${Math.floor(timeout.heldMs / 1000)} s and keeps it fresh (a long prune or migration, or a process that hangs); retry when it is done`
      : `other Lockstep processes kept it for over ${Math.floor(timeout.waitedMs / 1000)} s (it changed hands ${timeout.handovers} times); retry when the store is less busy`;
  return new StoreError(
    'locked',
    `could not lock ${lockPath}: ${why}, or remove the folder if no Lockstep process is running`,
    { cause: error },
  );
}
