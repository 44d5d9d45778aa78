import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreChangeFeed } from '../../../../core/src/service/store-change-feed.js';
import type { StoreChange } from '../../../../core/src/service/protocol.js';
import type { Store } from '../../../../core/src/store/store.js';
import { pollUntil } from '../../../helpers/store-wait.js';

/** A store that tells of its changes, as the PostgreSQL store does. */
function notifyingStore() {
  const state = { listener: undefined as ((change: string) => void) | undefined, stopped: false };
  const store = {
    onChange(listener: (change: string) => void) {
      state.listener = listener;
      return () => {
        state.stopped = true;
      };
    },
  } as unknown as Store;
  return { store, state };
}

test('the store’s own notifications become what the editor reloads', async () => {
  const { store, state } = notifyingStore();
  const seen: StoreChange[][] = [];
  const feed = new StoreChangeFeed(
    async () => store,
    (changes) => seen.push(changes),
  );
  const tell = await pollUntil(() => state.listener, { what: 'the feed listening' });
  for (const change of ['control', 'runs', 'local', 'baselines', 'reconnected']) tell(change);
  assert.deepEqual(seen, [
    ['versions'],
    ['runs'],
    ['runs'],
    ['baselines'],
    ['versions', 'runs', 'baselines'],
  ]);
  feed.close();
  assert.equal(state.stopped, true);
});

test('the feed waits for a store to exist, and ignores one that tells nothing', async () => {
  const { store, state } = notifyingStore();
  let asked = 0;
  const feed = new StoreChangeFeed(
    async () => (++asked === 1 ? undefined : store),
    () => undefined,
  );
  await pollUntil(() => state.listener, { what: 'the feed listening once there is a store' });
  assert.equal(asked, 2);
  feed.close();

  const files = new StoreChangeFeed(
    async () => ({}) as Store,
    () => assert.fail('no change'),
  );
  files.close();
});
