/**
 * The channel part of the store contract: every backend folds channel changes the same way and
 * serialises them with a compare and swap on the channel's revision.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { LockstepError } from '../../../../core/src/model/errors.js';
import type {
  ChannelChangeRequest,
  ChannelTargets,
} from '../../../../core/src/store/channel-records.js';
import { entryHashProblem } from '../../../../core/src/store/records.js';
import type { Store } from '../../../../core/src/store/store.js';
import { at, draft, publishOf } from '../../../helpers/store-drafts.js';
import type { OpenStore } from './contract.js';

/** Publishes `count` distinct versions of `triage`; returns their targets by seq (1-based). */
async function publishVersions(store: Store, count: number): Promise<ChannelTargets['stable'][]> {
  const published: ChannelTargets['stable'][] = [];
  for (let value = 1; value <= count; value++) {
    const { publication } = await store.publish(publishOf(draft('triage', value)));
    published.push({ version: publication.version, seq: publication.seq });
  }
  return published;
}

function change(
  expectedRevision: number,
  to: ChannelTargets | null,
  extra: Partial<ChannelChangeRequest> = {},
): ChannelChangeRequest {
  return {
    workflow: 'triage',
    channel: 'production',
    action: 'promote',
    expectedRevision,
    to,
    message: 'ship it',
    at: at(200 + expectedRevision),
    actor: 'cy <cy@example.com>',
    ...extra,
  };
}

/** Registers the channel tests for a backend. */
export function channelContract(label: string, open: OpenStore): void {
  const fresh = async (t: TestContext): Promise<Store> => {
    const store = await open(t);
    t.after(() => store.close());
    return store;
  };

  describe(`${label}: channels`, () => {
    test('changes are appended to the chain and folded into state and history', async (t) => {
      const store = await fresh(t);
      const [v1, v2] = await publishVersions(store, 2);
      assert.equal(await store.getChannel('triage', 'production'), undefined);
      await store.changeChannel(change(0, { stable: v1! }));
      const canary = await store.changeChannel(
        change(
          1,
          { stable: v1!, candidate: { ...v2!, weight: 10 }, sticky: 'inputs.customer' },
          {
            action: 'canary',
          },
        ),
      );
      assert.equal(canary.revision, 2);
      assert.deepEqual(canary.targets?.candidate, { ...v2!, weight: 10 });
      assert.deepEqual(
        canary.history.map((h) => [h.action, h.revision, h.from?.stable.seq ?? null]),
        [
          ['promote', 1, null],
          ['canary', 2, 1],
        ],
      );
      assert.deepEqual(canary.undoable, [1, 2]);
      const log = await store.readControlLog();
      assert.deepEqual(
        log.map((e) => e.type),
        ['publish', 'publish', 'channel', 'channel'],
      );
      for (const entry of log) assert.equal(entryHashProblem(entry), undefined);
      assert.equal(log[3]!.prev, log[2]!.hash);
      assert.deepEqual(
        (await store.listChannels('triage')).map((c) => c.channel),
        ['production'],
      );
      assert.equal((await store.verify()).ok, true);
    });

    test('a change decided on an old revision is refused as a conflict', async (t) => {
      const store = await fresh(t);
      const [v1, v2] = await publishVersions(store, 2);
      await store.changeChannel(change(0, { stable: v1! }));
      await assert.rejects(
        store.changeChannel(change(0, { stable: v2! })),
        (error: LockstepError) =>
          error.code === 'conflict' &&
          /'production' of triage/.test(error.message) &&
          /revision 1/.test(error.message) &&
          /not 0/.test(error.message),
      );
      assert.equal((await store.getChannel('triage', 'production'))?.revision, 1);
      assert.equal((await store.readControlLog()).length, 3);
    });

    test('only published versions of the workflow go on a channel', async (t) => {
      const store = await fresh(t);
      const [v1] = await publishVersions(store, 1);
      const { publication: other } = await store.publish(publishOf(draft('other', 1)));
      await assert.rejects(
        store.changeChannel(change(0, { stable: { version: other.version, seq: 1 } })),
        (error: LockstepError) => error.code === 'unknown-version',
      );
      await assert.rejects(
        store.changeChannel(change(0, { stable: { version: v1!.version, seq: 2 } })),
        (error: LockstepError) => error.code === 'unknown-version',
      );
      await assert.rejects(
        store.changeChannel({ ...change(0, { stable: v1! }), channel: 'v2' }),
        (error: LockstepError) => error.code === 'bad-name',
      );
      assert.equal((await store.readControlLog()).length, 2);
    });

    test('rollbacks pop the changes not rolled back yet', async (t) => {
      const store = await fresh(t);
      const [v1, v2, v3] = await publishVersions(store, 3);
      await store.changeChannel(change(0, { stable: v1! }));
      await store.changeChannel(change(1, { stable: v2! }));
      await store.changeChannel(change(2, { stable: v3! }));
      const back = await store.changeChannel(
        change(3, { stable: v2! }, { action: 'rollback', rollsBack: 3 }),
      );
      assert.deepEqual(back.undoable, [1, 2]);
      const again = await store.changeChannel(
        change(4, { stable: v1! }, { action: 'rollback', rollsBack: 2 }),
      );
      assert.deepEqual(again.undoable, [1]);
      assert.equal(again.targets?.stable.seq, 1);
      assert.equal((await store.verify()).ok, true);
    });
  });
}
