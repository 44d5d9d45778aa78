// Routing by hash buckets: shares, stickiness while a canary grows, and changes decided on state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  abortChange,
  canaryChange,
  parseAbortIf,
  rollbackChange,
} from '../../../../core/src/channels/changes.js';
import { crossedRule, figuresOf, percentile } from '../../../../core/src/channels/health.js';
import { BUCKETS, route, stickyBucket } from '../../../../core/src/channels/routing.js';
import { checkSticky, stickyValue } from '../../../../core/src/channels/sticky.js';
import { versionStates } from '../../../../core/src/channels/version-states.js';
import { LockstepError } from '../../../../core/src/model/errors.js';
import type { ChannelState } from '../../../../core/src/store/channel-records.js';

const V1 = { version: `sha256:${'1'.repeat(64)}` as const, seq: 1 };
const V2 = { version: `sha256:${'2'.repeat(64)}` as const, seq: 2 };
const meta = { at: '2026-01-01T00:00:00.000Z', actor: 'ann', message: '' };

function canary(
  weight: number,
  sticky?: string,
): ChannelState & { targets: NonNullable<ChannelState['targets']> } {
  return {
    workflow: 'greet',
    channel: 'production',
    revision: 2,
    targets: { stable: V1, candidate: { ...V2, weight }, ...(sticky ? { sticky } : {}) },
    history: [],
    undoable: [1, 2],
  };
}

test('buckets of sticky keys spread evenly and never leave 0–9999', () => {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 20_000; i++) {
    const bucket = stickyBucket(V2.version, 'production', `customer-${i}`);
    assert.ok(Number.isInteger(bucket) && bucket >= 0 && bucket < BUCKETS);
    counts[Math.floor(bucket / 1000)]!++;
  }
  // 2 000 expected per tenth; 4 binomial standard deviations (p = 0.1, n = 20 000) ≈ 170.
  for (const count of counts) assert.ok(Math.abs(count - 2000) <= 170, `tenth holds ${count}`);
});

test('a sticky key never moves back from the candidate while the weight only grows', () => {
  const weights = [1, 5, 10, 25, 50, 75, 99, 100];
  const flips: string[] = [];
  for (let i = 0; i < 5_000; i++) {
    const value = `customer-${i}`;
    let onCandidate = false;
    for (const weight of weights) {
      const { decision } = route(canary(weight, 'inputs.customer'), { kind: 'sticky', value });
      const now = decision.target === 'candidate';
      if (onCandidate && !now) flips.push(`${value} at ${weight}%`);
      onCandidate = now;
    }
    assert.equal(onCandidate, true, `${value} is on the candidate at 100%`);
  }
  assert.deepEqual(flips, []);
});

test('a decision records channel, revision, bucket, version and how the bucket was found', () => {
  const sticky = route(canary(50), { kind: 'sticky', value: 'c-42' });
  assert.equal(sticky.decision.sticky, true);
  assert.equal(sticky.decision.revision, 2);
  assert.equal(sticky.decision.version, sticky.version.version);
  const random = route(canary(50), { kind: 'random', random: () => 0.99995 });
  assert.deepEqual(
    { ...random.decision },
    {
      channel: 'production',
      revision: 2,
      bucket: 9999,
      sticky: false,
      target: 'candidate',
      version: V2.version,
    },
  );
  const inherited = route(canary(50), { kind: 'inherited', bucket: 10 });
  assert.equal(inherited.decision.target, 'stable');
  assert.equal(inherited.decision.inherited, true);
  assert.equal(
    route(canary(0.01), { kind: 'inherited', bucket: 9999 }).decision.target,
    'candidate',
  );
  assert.equal(route(canary(0.01), { kind: 'inherited', bucket: 9998 }).decision.target, 'stable');
});

test('sticky expressions read only declared inputs, and give the same value every time', async () => {
  assert.equal(checkSticky('${{ inputs.customer }}', ['customer']), 'inputs.customer');
  for (const bad of ['steps.a.output', 'inputs.other', '$random()', 'inputs.customer &']) {
    assert.throws(
      () => checkSticky(bad, ['customer']),
      (e: LockstepError) => e.code === 'usage',
    );
  }
  assert.equal(await stickyValue('inputs.customer', { customer: 'c-1' }), 'c-1');
  assert.equal(await stickyValue('inputs.customer', {}), undefined);
});

test('changes are decided on the state read, and refuse what cannot be done', () => {
  const state = canary(10);
  const grow = canaryChange('greet', 'production', state, V2, { weight: 30 }, meta);
  assert.equal(grow.expectedRevision, 2);
  assert.equal(grow.to?.candidate?.weight, 30);
  const done = canaryChange('greet', 'production', state, V2, { weight: 100 }, meta);
  assert.deepEqual(done.to, { stable: V2 });
  assert.deepEqual(abortChange('greet', 'production', state, meta).to, { stable: V1 });
  assert.throws(
    () => canaryChange('greet', 'production', undefined, V2, { weight: 10 }, meta),
    (e: LockstepError) => e.code === 'invalid-change' && /promote greet@<n>/.test(e.message),
  );
  assert.throws(() => canaryChange('greet', 'production', state, V1, { weight: 10 }, meta));
  const back = rollbackChange(
    'greet',
    'production',
    {
      ...state,
      history: [
        {
          workflow: 'greet',
          channel: 'production',
          action: 'canary',
          revision: 2,
          from: { stable: V1 },
          to: state.targets,
          message: '',
          entry: 4,
          at: meta.at,
          actor: 'ann',
          hash: V1.version,
        },
      ],
    },
    meta,
  );
  assert.deepEqual(back.to, { stable: V1 });
  assert.equal(back.rollsBack, 2);
});

test('--abort-if conditions parse to thresholds, and figures cross them over a minimum sample', () => {
  assert.deepEqual(parseAbortIf('failure_rate > 5%', 20), {
    metric: 'failure_rate',
    threshold: 0.05,
    minRuns: 20,
  });
  assert.deepEqual(parseAbortIf('p95_latency > 2s', 5), {
    metric: 'p95_latency',
    threshold: 2000,
    minRuns: 5,
  });
  assert.deepEqual(parseAbortIf('cost_per_run > $0.02', 5), {
    metric: 'cost_per_run',
    threshold: 0.02,
    minRuns: 5,
  });
  assert.throws(
    () => parseAbortIf('failure_rate >= 5%', 5),
    (e: LockstepError) => e.code === 'usage',
  );
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  const empty = figuresOf([], {});
  assert.equal(empty.runs, 0);
  const rule = parseAbortIf('failure_rate > 5%', 10);
  assert.equal(crossedRule([rule], { ...empty, runs: 9, failed: 9, failureRate: 1 }), undefined);
  assert.deepEqual(crossedRule([rule], { ...empty, runs: 10, failed: 1, failureRate: 0.1 }), {
    metric: 'failure_rate',
    value: 0.1,
    threshold: 0.05,
    runs: 10,
  });
});

test('retirement keeps the newest, any version on a channel and any with runs in flight', () => {
  const publication = (seq: number) => ({
    workflow: 'greet',
    seq,
    version: `sha256:${String(seq).repeat(64)}` as const,
    message: '',
    at: meta.at,
    author: 'ann',
    git: null,
    entry: seq,
  });
  const pubs = [1, 2, 3, 4, 5].map(publication);
  const onChannel: ChannelState = {
    ...canary(25),
    targets: {
      stable: { version: pubs[0]!.version, seq: 1 },
      candidate: { version: pubs[4]!.version, seq: 5, weight: 25 },
    },
  };
  const states = versionStates(pubs, [onChannel], new Set([pubs[1]!.version]), 2);
  assert.deepEqual(
    states.map((s) => [s.seq, s.state, s.keptBecause ?? null, s.channels.map((c) => c.share)]),
    [
      [1, 'executable', 'channel', [75]],
      [2, 'executable', 'runs in flight', []],
      [3, 'retired', null, []],
      [4, 'executable', null, []],
      [5, 'executable', null, [25]],
    ],
  );
});
