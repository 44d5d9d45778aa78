// What the History view says about versions and runs, and the filter's queries: pure modules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunItem, VersionItem } from '../../../core/src/service/protocol.js';
import { validateWorkflowText } from '../../../core/src/validate/validate-workflow.js';
import { workflowTemplate } from '../../../client/src/commands/history/workflow-template.js';
import {
  formatDuration,
  runDescription,
  runTooltip,
  statusIcon,
  versionDescription,
  channelBadges,
  versionLabel,
  versionTooltip,
} from '../../../client/src/views/history/labels.js';
import {
  NO_FILTER,
  describeFilter,
  isFiltered,
  runsQuery,
} from '../../../client/src/views/history/run-filter.js';

const NOW = new Date('2026-12-04T12:00:00.000Z');
const ID = `sha256:${'ab12cd34'.padEnd(64, '0')}`;

const run = (overrides: Partial<RunItem> = {}): RunItem => ({
  id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  workflow: 'triage',
  version: { id: ID, seq: 7 },
  status: 'succeeded',
  mode: 'live',
  startedAt: '2026-12-04T11:55:00.000Z',
  finishedAt: '2026-12-04T11:55:01.400Z',
  durationMs: 1400,
  tokens: { input: 700, output: 112 },
  ...overrides,
});

test('versions: v7 or the snapshot’s short hash; age, author, runs; message, commit, hash', () => {
  const published: VersionItem = {
    id: ID,
    workflow: 'triage',
    seq: 7,
    message: 'Tighter prompt',
    createdAt: '2026-12-04T08:00:00.000Z',
    publishedAt: '2026-12-04T10:00:00.000Z',
    author: 'Ada Lovelace <ada@example.com>',
    git: { commit: '0123456789abcdef0123', dirty: true },
    runs: 12,
  };
  assert.equal(versionLabel(published), 'v7');
  assert.equal(versionLabel({ id: ID }), '@ab12cd34');
  assert.equal(versionDescription(published, NOW), '2 h ago · Ada Lovelace · 12 runs');
  assert.equal(
    versionDescription({ ...published, runs: 1 }, NOW),
    '2 h ago · Ada Lovelace · 1 run',
  );
  // Its channels come first, with their shares.
  assert.equal(
    versionDescription(
      { ...published, channels: [{ channel: 'production', share: 10, candidate: true }] },
      NOW,
    ),
    'production 10% candidate · 2 h ago · Ada Lovelace · 12 runs',
  );
  assert.equal(
    channelBadges([
      { channel: 'production', share: 90 },
      { channel: 'staging', share: 100 },
    ]),
    'production 90% · staging 100%',
  );
  assert.equal(channelBadges([]), '');
  const tooltip = versionTooltip(published);
  assert.match(tooltip, /^Tighter prompt\ncommit 0123456789ab \(uncommitted changes\)\n/);
  assert.ok(tooltip.endsWith(ID));
  assert.match(
    versionTooltip({ ...published, seq: undefined, message: undefined } as VersionItem),
    /^Snapshot/,
  );
});

test('runs: status mark, duration, tokens, mode; a running one says where it is', () => {
  assert.equal(runDescription(run(), NOW), '✓ 1.4 s · 812 tok · live');
  assert.equal(
    runDescription(run({ status: 'failed', tokens: undefined, mode: 'replay-against' }), NOW),
    '✗ 1.4 s · replay against',
  );
  assert.equal(
    runDescription(
      run({ routing: { channel: 'production', bucket: 4711, target: 'candidate' } }),
      NOW,
    ),
    '✓ 1.4 s · 812 tok · live · via production (candidate)',
  );
  assert.equal(
    runDescription(run({ routing: { channel: 'staging', bucket: 2, target: 'stable' } }), NOW),
    '✓ 1.4 s · 812 tok · live · via staging',
  );
  assert.equal(
    runDescription(
      run({
        status: 'running',
        finishedAt: undefined,
        durationMs: undefined,
        currentStep: 'notes[2]',
      }),
      NOW,
    ),
    'running 5 min 0 s · notes[2] · live',
  );
  assert.equal(statusIcon('running'), 'loading~spin');
  assert.equal(statusIcon('failed'), 'error');
  assert.match(
    runTooltip(run(), { ticket: 'charged twice' }),
    /Input:\n\{\n {2}"ticket": "charged twice"\n\}/,
  );
  assert.match(
    runTooltip(
      run({ routing: { channel: 'production', bucket: 4711, target: 'candidate' } }),
      undefined,
    ),
    /\nrouted by production to its candidate version \(bucket 4711\)$/,
  );
});

test('durations read as people say them', () => {
  assert.equal(formatDuration(320), '320 ms');
  assert.equal(formatDuration(1400), '1.4 s');
  assert.equal(formatDuration(125_000), '2 min 5 s');
  assert.equal(formatDuration(-1), '');
});

test('the filter: the query it makes and what it says', () => {
  assert.equal(isFiltered(NO_FILTER), false);
  assert.deepEqual(runsQuery(NO_FILTER, 'triage', ID, 20), {
    workflow: 'triage',
    version: ID,
    limit: 20,
  });
  const failedLive = {
    statuses: ['failed' as const],
    modes: ['live' as const],
    publishedOnly: true,
  };
  assert.equal(isFiltered(failedLive), true);
  assert.deepEqual(runsQuery(failedLive, 'triage', ID, 40), {
    workflow: 'triage',
    version: ID,
    limit: 40,
    statuses: ['failed'],
    modes: ['live'],
  });
  assert.equal(describeFilter(failedLive), 'failed · live · published versions');
  assert.equal(describeFilter(NO_FILTER), undefined);
});

test('a new workflow’s template validates', () => {
  const result = validateWorkflowText(workflowTemplate('hello-world'));
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.definition?.name, 'hello-world');
});
