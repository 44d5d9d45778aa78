/**
 * What canary health and channel figures sample: only the runs the channel routed, however many
 * direct runs of the same version came after them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelFigures } from '../../../../core/src/channels/figures.js';
import { candidateRuns } from '../../../../core/src/channels/health.js';
import type { ChannelState } from '../../../../core/src/store/channel-records.js';
import { MemoryStore } from '../../../../core/src/store/memory-store.js';
import { recordRun, routedBy, versionId } from '../../../helpers/run-records.js';

const STABLE = { version: versionId('v1'), seq: 1 };
const CANDIDATE = { version: versionId('v2'), seq: 2 };
/** The candidate as a run names its version. */
const V2 = { id: CANDIDATE.version, seq: 2 };

/** production: v1 90 %, v2 10 %, with no recorded history (the canary's start is unknown). */
const PRODUCTION: ChannelState = {
  workflow: 'triage',
  channel: 'production',
  revision: 2,
  targets: { stable: STABLE, candidate: { ...CANDIDATE, weight: 10 } },
  history: [],
  undoable: [],
};

test('direct runs of the candidate do not crowd the routed ones out of the health sample', async () => {
  const store = new MemoryStore();
  const routed = await recordRun(
    store,
    {
      workflow: 'triage',
      version: V2,
      at: new Date(Date.now() - 60_000),
      routing: routedBy('production', 9_950, 'candidate', CANDIDATE.version),
    },
    'failed',
  );
  // More direct runs of v2 (`triage@2`, replays) than the sample holds, all newer.
  for (let i = 0; i < 520; i++) {
    await recordRun(store, { workflow: 'triage', version: V2 });
  }
  await recordRun(store, {
    workflow: 'triage',
    version: V2,
    routing: routedBy('staging', 12, 'candidate', CANDIDATE.version),
  });

  const sample = await candidateRuns(store, PRODUCTION);
  assert.deepEqual(
    sample.map((record) => record.header.id),
    [routed],
    'the one run production routed to v2, and neither direct runs nor staging’s',
  );

  const [stable, candidate] = await channelFigures(store, PRODUCTION, {}, Date.now());
  assert.equal(stable?.lastDay.runs, 0);
  assert.equal(candidate?.lastDay.runs, 1);
  assert.equal(candidate?.lastDay.failed, 1);
});
