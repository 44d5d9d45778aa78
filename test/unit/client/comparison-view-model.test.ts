// The comparison tab's view model: what it shows of a recorded run and its replay (or any two
// runs), and which messages its page may send.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunComparison } from '../../../core/src/replay/compare.js';
import type { RunDetails, StepItem } from '../../../core/src/service/protocol.js';
import { isFromComparison } from '../../../client/src/webviews/comparison/messages.js';
import {
  INLINE_DIFF_LIMIT,
  comparisonViewModel,
  valueChange,
} from '../../../client/src/webviews/comparison/view-model.js';

const V1 = `sha256:${'ab12cd34'.padEnd(64, '0')}`;
const V2 = `sha256:${'9f8e7d6c'.padEnd(64, '0')}`;
const at = (ms: number) => new Date(Date.parse('2026-12-04T11:55:00.000Z') + ms).toISOString();

const step = (
  path: string,
  ms: number,
  tokens?: number,
  status: StepItem['status'] = 'succeeded',
): StepItem => ({
  path,
  step: path,
  status,
  startedAt: at(0),
  finishedAt: at(ms),
  effects: [],
  ...(tokens === undefined ? {} : { tokens: { input: tokens, output: 0 } }),
});

const details = (
  id: string,
  version: { id: string; seq?: number },
  steps: readonly StepItem[],
): RunDetails => ({
  run: {
    id,
    workflow: 'triage',
    version,
    status: 'succeeded',
    mode: 'live',
    startedAt: at(0),
    finishedAt: at(900),
    durationMs: 900,
    tokens: { input: 40, output: 0 },
  },
  input: { ticket: 'charged twice' },
  output: { reply: 'Refunded.' },
  steps,
  engine: '0.1.0',
  stepLines: {},
});

const LEFT = details('run-left-0001', { id: V1, seq: 3 }, [
  step('classify', 300, 40),
  step('draft', 500, 20),
  step('notify', 100, undefined, 'succeeded'),
]);
const RIGHT = details('run-right-0002', { id: V2 }, [
  step('classify', 300, 40),
  step('draft', 620, 32),
  step('notify', 100, undefined, 'failed'),
  step('audit', 50),
]);

const COMPARISON: RunComparison = {
  a: { run: 'run-left-0001', version: { id: V1, seq: 3 } as never, status: 'succeeded' },
  b: { run: 'run-right-0002', version: { id: V2 } as never, status: 'failed' },
  steps: [
    {
      path: 'classify',
      change: 'identical',
      a: { status: 'succeeded', output: 'billing' },
      b: { status: 'succeeded', output: 'billing' },
      provenance: 'recorded',
    },
    {
      path: 'draft',
      change: 'output-changed',
      a: { status: 'succeeded', output: 'Refunded.' },
      b: { status: 'succeeded', output: 'We refunded you.' },
      provenance: 'live',
      outputDiff: {
        kind: 'text',
        parts: [
          { removed: true, value: 'Refunded.' },
          { added: true, value: 'We refunded you.' },
        ],
      },
    },
    {
      path: 'notify',
      change: 'status-changed',
      a: { status: 'succeeded', output: null },
      b: { status: 'failed', output: null },
      provenance: 'tainted',
    },
    { path: 'audit', change: 'added', b: { status: 'succeeded', output: true } },
  ],
  firstDivergence: 'draft',
  output: {
    kind: 'structural',
    changes: [{ type: 'changed', path: 'reply', before: 'Refunded.', after: 'We refunded you.' }],
  },
  totals: { a: { tokens: { input: 40, output: 0 } }, b: { tokens: { input: 72, output: 0 } } },
};

test('chips, summary, title and sides', () => {
  const view = comparisonViewModel(COMPARISON, LEFT, RIGHT);
  assert.equal(view.title, 'triage v3 ↔ @9f8e7d6c');
  assert.deepEqual(view.counts, {
    changed: 2,
    added: 1,
    removed: 0,
    unchanged: 1,
    regressed: 1,
    fixed: 0,
  });
  assert.equal(view.summary, '3 of 4 steps differ, first at draft; the output changed.');
  assert.equal(view.left.role, 'recorded');
  assert.equal(view.right.role, 'replay');
  assert.equal(view.left.version, 'v3');
  assert.equal(view.versionsDiffer, true);
});

test('rows: change, provenance, deltas, verdicts, inline diffs, the first divergence', () => {
  const view = comparisonViewModel(COMPARISON, LEFT, RIGHT, {
    left: 'recorded',
    right: 'working copy',
  });
  const [classify, draft, notify, audit] = view.rows;
  assert.equal(classify!.changed, false);
  assert.equal(classify!.deltaDuration, '±0 ms');
  assert.equal(classify!.deltaTokens, undefined, 'no token change, no delta');
  assert.equal(draft!.changeText, 'output changed');
  assert.equal(draft!.provenance, 'live');
  assert.equal(draft!.deltaDuration, '+120 ms');
  assert.equal(draft!.deltaTokens, '+12 tok');
  assert.equal(draft!.firstDivergence, true);
  assert.deepEqual(draft!.output, {
    inline: true,
    lines: [
      [
        { kind: 'removed', text: 'Refunded.' },
        { kind: 'added', text: 'We refunded you.' },
      ],
    ],
  });
  assert.equal(notify!.verdict, 'regressed');
  assert.equal(notify!.provenance, 'tainted');
  assert.equal(audit!.left, undefined);
  assert.equal(audit!.right?.status, 'succeeded');
  assert.equal(audit!.deltaDuration, undefined, 'an added step has nothing to compare with');
  assert.deepEqual(view.output, {
    changed: true,
    change: {
      inline: true,
      lines: [
        [
          { kind: 'same', text: 'reply: ' },
          { kind: 'removed', text: '"Refunded."' },
          { kind: 'same', text: ' → ' },
          { kind: 'added', text: '"We refunded you."' },
        ],
      ],
    },
  });
});

test('identical runs say so', () => {
  const same: RunComparison = {
    ...COMPARISON,
    b: { ...COMPARISON.a, run: 'run-right-0002' },
    steps: [COMPARISON.steps[0]!],
    output: { kind: 'same' },
  };
  delete (same as { firstDivergence?: string }).firstDivergence;
  const view = comparisonViewModel(
    same,
    LEFT,
    details('run-right-0002', { id: V1, seq: 3 }, LEFT.steps),
  );
  assert.equal(view.summary, 'Identical: every step and the output are the same.');
  const exact = comparisonViewModel(
    same,
    LEFT,
    details('run-right-0002', { id: V1, seq: 3 }, LEFT.steps),
    { left: 'recorded', right: 'exact replay', exact: true },
  );
  assert.equal(
    exact.summary,
    'Verified: the replay matched the recording, every step and the output.',
  );
  const diverged = comparisonViewModel(COMPARISON, LEFT, RIGHT, {
    left: 'recorded',
    right: 'exact replay',
    exact: true,
  });
  assert.match(diverged.summary, /^Not verified: 3 of 4 steps differ/);
  assert.equal(view.output.changed, false);
  assert.equal(view.versionsDiffer, false);
});

test('long values are summarised for the diff editor', () => {
  const long = 'x'.repeat(INLINE_DIFF_LIMIT + 1);
  assert.deepEqual(valueChange({ kind: 'text', parts: [{ added: true, value: long }] }), {
    inline: false,
    summary: '1 added and 0 removed parts',
  });
  assert.deepEqual(valueChange({ kind: 'same' }), undefined);
});

test('the view crosses postMessage as plain data', () => {
  const view = comparisonViewModel(COMPARISON, LEFT, RIGHT);
  assert.deepEqual(JSON.parse(JSON.stringify(view)), view);
});

test('messages from the page are checked before use', () => {
  for (const ok of [
    { type: 'ready' },
    { type: 'openDiff', path: 'draft', part: 'output' },
    { type: 'openOutputDiff' },
    { type: 'openDefinitionDiff' },
    { type: 'openRun', side: 'right', path: 'draft' },
    { type: 'openRun', side: 'left' },
  ]) {
    assert.equal(isFromComparison(ok), true, JSON.stringify(ok));
  }
  for (const bad of [
    null,
    'ready',
    { type: 'openDiff', path: 'draft', part: 'effect-request' },
    { type: 'openDiff', part: 'output' },
    { type: 'openRun', side: 'middle' },
    { type: 'openRun', side: 'left', path: 3 },
    { type: 'runShell' },
  ]) {
    assert.equal(isFromComparison(bad), false, JSON.stringify(bad));
  }
});
