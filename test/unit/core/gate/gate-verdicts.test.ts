/**
 * The gate's pure parts: which runs it may sample (live and finished only, in an order that does
 * not depend on the candidate), how a replayed run counts (a failure repeated is unchanged), and
 * which recorded gate admits a promotion.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citation, requireGate } from '../../../../core/src/gate/admission.js';
import { judgeGateRun, type GateOutcome } from '../../../../core/src/gate/judge-run.js';
import { sampleRuns } from '../../../../core/src/gate/sample.js';
import type { RunSummary } from '../../../../core/src/model/runs.js';
import type { RunComparison } from '../../../../core/src/replay/compare.js';
import type { ChannelState } from '../../../../core/src/store/channel-records.js';
import { MemoryStore } from '../../../../core/src/store/memory-store.js';
import { versionId } from '../../../helpers/run-records.js';

function summary(id: string, mode: RunSummary['mode'], status: RunSummary['status']): RunSummary {
  return {
    id,
    workflow: 'triage',
    version: { id: versionId('v1'), seq: 1 },
    status,
    mode,
    startedAt: '2026-12-05T12:00:00.000Z',
  };
}

test('the sample: live runs that finished, in the same order whatever the list order', () => {
  const runs = [
    ...Array.from({ length: 30 }, (_, i) =>
      summary(`live-${i}`, 'live', i % 5 ? 'succeeded' : 'failed'),
    ),
    summary('replayed', 'replay', 'succeeded'),
    summary('against', 'replay-against', 'succeeded'),
    summary('scripted', 'scripted', 'succeeded'),
    summary('running', 'live', 'running'),
    summary('cancelled', 'live', 'cancelled'),
    summary('interrupted', 'live', 'interrupted'),
  ];
  const sample = sampleRuns(runs, 10).map((r) => r.id);
  assert.equal(sample.length, 10);
  assert.ok(
    sample.every((id) => id.startsWith('live-')),
    sample.join(', '),
  );
  assert.deepEqual(
    sampleRuns([...runs].reverse(), 10).map((r) => r.id),
    sample,
  );
  assert.deepEqual(
    sampleRuns(runs, 4).map((r) => r.id),
    sample.slice(0, 4),
  );
  assert.equal(sampleRuns(runs, 100).length, 30);
});

const COMPARISON = { steps: [], firstDivergence: 'classify' } as unknown as RunComparison;

function outcome(fields: Partial<GateOutcome>): GateOutcome {
  return {
    expected: { category: 'billing' },
    actual: { category: 'billing' },
    status: 'succeeded',
    comparison: COMPARISON,
    originalStatus: 'succeeded',
    ...fields,
  };
}

test('a replayed run: unchanged, changed, regressed, fixed, or failing otherwise', () => {
  const exact = () => ({ kind: 'exact' }) as const;
  assert.equal(judgeGateRun(outcome({}), exact).change, 'unchanged');
  const changed = judgeGateRun(outcome({ actual: { category: 'bug' } }), exact);
  assert.equal(changed.change, 'changed');
  assert.equal(changed.firstChangedStep, 'classify');
  assert.match(changed.message ?? '', /^category \(exact\)/);
  const regressed = judgeGateRun(
    outcome({ actual: null, status: 'failed', error: { code: 'timeout', message: 'slow' } }),
    exact,
  );
  assert.equal(regressed.change, 'regressed');

  const refused = { code: 'http-status', message: 'HTTP 400: too long' };
  const failedAgain = judgeGateRun(
    outcome({
      expected: null,
      actual: null,
      status: 'failed',
      error: refused,
      originalStatus: 'failed',
      originalError: refused,
    }),
    exact,
  );
  assert.equal(failedAgain.change, 'unchanged', 'a run that failed and fails the same way');
  const otherFailure = judgeGateRun(
    outcome({
      expected: null,
      actual: null,
      status: 'failed',
      error: { code: 'timeout', message: 'slow' },
      originalStatus: 'failed',
      originalError: refused,
    }),
    exact,
  );
  assert.equal(otherFailure.change, 'changed');
  assert.match(
    otherFailure.message ?? '',
    /^failed differently: was failed \(http-status: .*\), now failed \(timeout: slow\)$/,
  );
  const fixed = judgeGateRun(
    outcome({ expected: null, originalStatus: 'failed', originalError: refused }),
    exact,
  );
  assert.equal(fixed.change, 'fixed');
  assert.match(fixed.message ?? '', /^succeeded where the recorded run failed/);
});

test('admission: the latest gate of the candidate against the channel’s current version decides', async () => {
  const store = new MemoryStore();
  const v1 = { version: versionId('v1'), seq: 1 };
  const v2 = { version: versionId('v2'), seq: 2 };
  const production: ChannelState = {
    workflow: 'triage',
    channel: 'production',
    revision: 1,
    targets: { stable: v1 },
    history: [],
    undoable: [1],
  };
  await assert.rejects(
    requireGate(store, 'triage', 'production', v2, undefined),
    /points at no version, so there is nothing to gate v2 against/,
  );
  const gate = (pass: boolean, baseline = v1.version) =>
    store.recordGate({
      workflow: 'triage',
      candidate: v2.version,
      baseline,
      channel: 'production',
      sample: ['a', 'b'],
      changed: pass ? 0 : 1,
      maxChangedPercent: 0,
      pass,
      report: versionId('report'),
      actor: 'Ada',
      at: '2026-12-05T12:00:00.000Z',
    });
  await gate(true, versionId('v0')); // against another baseline: not evidence here
  await assert.rejects(
    requireGate(store, 'triage', 'production', v2, production),
    /no gate of triage v2/,
  );
  await gate(true);
  await gate(false);
  await assert.rejects(
    requireGate(store, 'triage', 'production', v2, production),
    /the latest gate .* failed: 1 of 2 runs changed/,
  );
  await gate(true);
  const admitted = await requireGate(store, 'triage', 'production', v2, production);
  assert.deepEqual(citation(admitted).sample, ['a', 'b']);
  assert.equal('workflow' in citation(admitted), false);
});
