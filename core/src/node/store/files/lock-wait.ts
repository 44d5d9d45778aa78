/**
 * How a process waits for a lock another one holds: tries again with growing, randomized pauses,
 * and counts its patience per holder. A holder killed while holding leaves a lock that goes stale
 * and is taken over; on a busy store the one taking it over may be killed too (by a deploy, a CI
 * job cancelled), so one budget for the whole wait would give up behind a string of dead holders
 * although each was taken over in time.
 */

/** How long to wait: for one holder, and in all however often the lock changes hands. */
export interface LockPatience {
  /** Longer than a dead holder's lock takes to go stale: a holder seen longer is alive. */
  readonly perHolderMs: number;
  /** A busy store, handing the lock from one process to the next, is waited for this long. */
  readonly totalMs: number;
}

/** Time, for the wait (a test passes its own). */
export interface LockClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Why a wait gave up. */
export type LockWaitTimeout =
  | { readonly reason: 'one-holder'; readonly heldMs: number }
  | { readonly reason: 'busy'; readonly waitedMs: number; readonly handovers: number };

/** Thrown by `waitForLock` when its patience ran out. */
export class LockWaitTimedOut extends Error {
  constructor(readonly timeout: LockWaitTimeout) {
    super(
      timeout.reason === 'one-holder'
        ? `held by one process for ${Math.round(timeout.heldMs / 1000)} s`
        : `held for ${Math.round(timeout.waitedMs / 1000)} s, changing hands ${timeout.handovers} times`,
    );
    this.name = 'LockWaitTimedOut';
  }
}

/**
 * Calls `tryLock` until it returns the lock (anything but `undefined`), pausing between tries.
 * `holder` names the lock's current holder (for a lock folder: its inode and birth time, which a
 * new holder's folder does not share), `undefined` while none holds it; the patience for one
 * holder starts again whenever that name changes.
 * @throws LockWaitTimedOut when one holder kept the lock past `patience.perHolderMs`, or the wait
 * passed `patience.totalMs`; whatever `tryLock` or `holder` throws.
 */
export async function waitForLock<Lock>(
  tryLock: () => Lock | undefined,
  holder: () => string | undefined,
  patience: LockPatience,
  clock: LockClock = SYSTEM_CLOCK,
): Promise<Lock> {
  const start = clock.now();
  let seen = holder();
  let seenSince = start;
  let handovers = 0;
  for (let attempt = 0; ; attempt++) {
    const lock = tryLock();
    if (lock !== undefined) return lock;
    const now = clock.now();
    const current = holder();
    if (current !== seen) {
      if (current !== undefined) handovers++;
      seen = current;
      seenSince = now;
    }
    if (now - seenSince > patience.perHolderMs) {
      throw new LockWaitTimedOut({ reason: 'one-holder', heldMs: now - seenSince });
    }
    if (now - start > patience.totalMs) {
      throw new LockWaitTimedOut({ reason: 'busy', waitedMs: now - start, handovers });
    }
    await clock.sleep(pause(attempt));
  }
}

/** 2 ms, growing by 1.3× to 150 ms, each doubled at most at random (so waiters spread out). */
function pause(attempt: number): number {
  return Math.min(150, 2 * 1.3 ** attempt) * (1 + Math.random());
}

const SYSTEM_CLOCK: LockClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
