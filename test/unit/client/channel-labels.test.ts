// What the History view says about channels: their line, warning, figures and changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  AutoAbortItem,
  ChannelChangeItem,
  ChannelFiguresItem,
  ChannelItem,
  ChannelVersionHealth,
} from '../../../core/src/service/protocol.js';
import {
  changeDescription,
  changeIcon,
  changeTooltip,
  channelDescription,
  channelTooltip,
  channelVersionLabel,
  figuresDescription,
  figuresTooltip,
} from '../../../client/src/views/history/channel-labels.js';

const NOW = new Date('2026-12-05T12:00:00.000Z');

const abortChange: ChannelChangeItem = {
  revision: 3,
  action: 'auto-abort',
  at: '2026-12-05T11:55:00.000Z',
  actor: 'lockstep (canary health)',
  message: 'automatic abort: failure_rate 40% > 5% over 20 runs',
  from: 'v1 90% · v2 10%',
  to: 'v1 100%',
  rolledBack: false,
  trigger: 'failure_rate 40% > 5% over 20 runs',
};

const channel: ChannelItem = {
  channel: 'production',
  revision: 3,
  summary: 'v1 100%',
  stable: { id: 'sha256:a', seq: 1 },
  canRollBack: true,
  lastChange: abortChange,
};

const unseen: AutoAbortItem = {
  channel: 'production',
  revision: 3,
  at: abortChange.at,
  trigger: abortChange.trigger!,
};

const figures = (overrides: Partial<ChannelFiguresItem> = {}): ChannelFiguresItem => ({
  runs: 12,
  failed: 1,
  failureRate: 1 / 12,
  p50LatencyMs: 310,
  p95LatencyMs: 812.4,
  tokens: 5120,
  cost: 0.0372,
  costPerRun: 0.0031,
  text: '12 runs, 8.3% failed, p50 310 ms, p95 812 ms, 5120 tokens, $0.0372',
  ...overrides,
});

test('a channel leads with its automatic abort until it is seen', () => {
  assert.equal(channelDescription(channel, undefined), 'v1 100%');
  assert.equal(channelDescription(channel, unseen), 'canary aborted automatically · v1 100%');
  const tooltip = channelTooltip(
    { ...channel, abortIf: ['failure_rate > 5% (at least 20 runs)'] },
    unseen,
    NOW,
  );
  assert.match(tooltip, /^production → v1 100% \(revision 3\)\n/);
  assert.match(
    tooltip,
    /⚠ The canary was aborted automatically 5 min ago: failure_rate 40% > 5% over 20 runs/,
  );
  assert.match(tooltip, /abort if failure_rate > 5% \(at least 20 runs\)/);
  assert.match(
    tooltip,
    /last change: r3 auto-abort v1 90% · v2 10% → v1 100% · 5 min ago · lockstep \(canary health\)/,
  );
  assert.doesNotMatch(channelTooltip(channel, undefined, NOW), /⚠/);
});

test('a version on a channel: its share, and its figures per window', () => {
  const version: ChannelVersionHealth = {
    id: 'sha256:b',
    seq: 2,
    target: 'candidate',
    share: 10,
    lastHour: figures(),
    lastDay: figures({ runs: 0, failed: 0, failureRate: 0, text: 'no runs' }),
  };
  assert.equal(channelVersionLabel(version), 'v2 · candidate 10%');
  assert.equal(
    figuresDescription('last hour', version.lastHour),
    'last hour: 12 runs · 8.3% failed · p95 812 ms · $0.0031/run',
  );
  assert.equal(figuresDescription('last day', version.lastDay), 'last day: no runs');
  const {
    p95LatencyMs: _p95,
    costPerRun: _cost,
    ...bare
  } = figures({ runs: 1, failed: 0, failureRate: 0 });
  assert.equal(figuresDescription('last hour', bare), 'last hour: 1 run · 0% failed');
  assert.equal(
    figuresDescription('last hour', { ...bare, cost: 0, costPerRun: 0 }),
    'last hour: 1 run · 0% failed',
    'runs that call no priced model cost nothing worth a column',
  );
  assert.equal(
    figuresTooltip(version),
    'v2 · candidate 10% (sha256:b)\nlast hour: 12 runs, 8.3% failed, p50 310 ms, p95 812 ms, 5120 tokens, $0.0372\nlast day: no runs',
  );
});

test('a change: what it did, when, by whom; undone ones say so', () => {
  assert.equal(
    changeDescription({ ...abortChange, actor: 'Ada Lovelace <ada@example.com>' }, NOW),
    'v1 90% · v2 10% → v1 100% · 5 min ago · Ada Lovelace',
  );
  assert.match(changeDescription({ ...abortChange, rolledBack: true }, NOW), / · \(rolled back\)$/);
  const tooltip = changeTooltip(abortChange);
  assert.match(
    tooltip,
    /^r3 auto-abort\nv1 90% · v2 10% → v1 100%\nautomatic: failure_rate 40% > 5% over 20 runs\n/,
  );
  assert.match(tooltip, /lockstep \(canary health\), 2026-12-05 11:55:00 UTC$/);
  assert.equal(changeIcon('auto-abort'), 'warning');
  assert.equal(changeIcon('rollback'), 'discard');
});
