// The wait between retries: it ends early, as `cancelled`, when the run is cancelled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancellableSleep } from '../../../../core/src/engine/cancellable-sleep.js';
import { EngineError } from '../../../../core/src/engine/engine-error.js';

const isCancelled = (error: unknown): boolean =>
  error instanceof EngineError && error.code === 'cancelled';

test('resolves after the time when nothing cancels it', async () => {
  await cancellableSleep(5, new AbortController().signal);
});

test('an already cancelled run does not wait at all', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(cancellableSleep(60_000, controller.signal), isCancelled);
});

test('cancelling during the wait ends it at once, with no timer left behind', async () => {
  const controller = new AbortController();
  const waiting = cancellableSleep(60_000, controller.signal);
  controller.abort();
  // A leftover 60 s timer would keep this test file's process alive past the suite's end.
  await assert.rejects(waiting, isCancelled);
});
