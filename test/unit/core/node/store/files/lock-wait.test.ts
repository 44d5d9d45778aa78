import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LockWaitTimedOut,
  waitForLock,
  type LockClock,
  type LockPatience,
} from '../../../../../../core/src/node/store/files/lock-wait.js';

const PATIENCE: LockPatience = { perHolderMs: 30_000, totalMs: 120_000 };

/**
 * A lock held by `holders` in turn, each for its milliseconds (`undefined`: free for that long),
 * then free; on a clock that moves only when the waiter sleeps.
 */
function lockHeldBy(holders: readonly (readonly [string | undefined, number])[]): {
  tryLock: () => 'mine' | undefined;
  holder: () => string | undefined;
  clock: LockClock;
  tries: () => number;
} {
  let now = 0;
  let tries = 0;
  const holderAt = (time: number): string | undefined | 'free' => {
    let end = 0;
    for (const [name, ms] of holders) {
      end += ms;
      if (time < end) return name;
    }
    return 'free';
  };
  return {
    tryLock: () => {
      tries++;
      return holderAt(now) === 'free' || holderAt(now) === undefined ? 'mine' : undefined;
    },
    holder: () => {
      const current = holderAt(now);
      return current === 'free' ? undefined : current;
    },
    clock: {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    },
    tries: () => tries,
  };
}

test('a wait outlasts holders killed in a row, each taken over once stale', async () => {
  // Three dead holders, each found stale and taken over ~11 s after the one before: 33 s in all,
  // longer than the patience for one holder, which each of them stayed within.
  const lock = lockHeldBy([
    ['ino1:born1', 11_000],
    ['ino1:born2', 11_000],
    ['ino2:born3', 11_000],
  ]);
  assert.equal(await waitForLock(lock.tryLock, lock.holder, PATIENCE, lock.clock), 'mine');
  assert.ok(lock.clock.now() >= 33_000, `got it at ${lock.clock.now()} ms`);
});

test('a folder made again with the inode of the last one counts as a new holder', async () => {
  // ext4 hands a removed folder's inode to the next one made: its birth time tells them apart.
  const lock = lockHeldBy([
    ['2147675:1796621608228841490', 25_000],
    ['2147675:1796621608244841490', 25_000],
  ]);
  assert.equal(await waitForLock(lock.tryLock, lock.holder, PATIENCE, lock.clock), 'mine');
});

test('one holder kept past its patience ends the wait, naming how long', async () => {
  const lock = lockHeldBy([['alive', 60_000]]);
  await assert.rejects(
    waitForLock(lock.tryLock, lock.holder, PATIENCE, lock.clock),
    (error: unknown) => {
      assert.ok(error instanceof LockWaitTimedOut);
      assert.equal(error.timeout.reason, 'one-holder');
      assert.ok(error.timeout.reason === 'one-holder' && error.timeout.heldMs > 30_000);
      assert.match(error.message, /held by one process for 3\d s/);
      return true;
    },
  );
  // It gave up soon after the patience ran out, not at the end of the hold.
  assert.ok(lock.clock.now() < 31_000, `gave up at ${lock.clock.now()} ms`);
});

test('a lock changing hands without end is waited for in all only so long', async () => {
  const holders = Array.from({ length: 100 }, (_, i) => [`holder${i}`, 5_000] as const);
  const lock = lockHeldBy(holders);
  await assert.rejects(
    waitForLock(lock.tryLock, lock.holder, PATIENCE, lock.clock),
    (error: unknown) => {
      assert.ok(error instanceof LockWaitTimedOut);
      assert.equal(error.timeout.reason, 'busy');
      assert.ok(error.timeout.reason === 'busy' && error.timeout.handovers >= 23);
      assert.match(error.message, /held for 12\d s, changing hands \d+ times/);
      return true;
    },
  );
});

test('pauses start small and stay short, so a freed lock is taken soon', async () => {
  const lock = lockHeldBy([['brief', 20]]);
  await waitForLock(lock.tryLock, lock.holder, PATIENCE, lock.clock);
  assert.ok(lock.tries() >= 3, `${lock.tries()} tries`);
  const long = lockHeldBy([['long', 20_000]]);
  await waitForLock(long.tryLock, long.holder, PATIENCE, long.clock);
  // No pause over 300 ms: taken within that of being freed.
  assert.ok(long.clock.now() - 20_000 <= 300, `taken ${long.clock.now() - 20_000} ms late`);
});
