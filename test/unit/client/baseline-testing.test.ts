/** The Testing view's pure parts: item ids, labels, failure messages; and command subjects. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BaselineItem, BaselineTestItem } from '../../../core/src/service/protocol.js';
import { isRunSubject, shortRunId } from '../../../client/src/run-subject.js';
import {
  baselineDescription,
  baselineLabel,
  failureText,
} from '../../../client/src/testing/baseline-labels.js';
import {
  subjectOfTestId,
  testIdOf,
  type TestSubject,
} from '../../../client/src/testing/test-ids.js';

const RUN = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const FOLDER = 'file:///home/ada/my%7Cproject';

test('test ids round-trip, even for folders and names holding the separator', () => {
  const subjects: TestSubject[] = [
    { kind: 'folder', folder: FOLDER },
    { kind: 'workflow', folder: FOLDER, workflow: 'triage' },
    { kind: 'baseline', folder: 'file:///a|b', workflow: 'triage', run: RUN },
  ];
  for (const subject of subjects) assert.deepEqual(subjectOfTestId(testIdOf(subject)), subject);
  // package.json's menus match these prefixes.
  assert.match(testIdOf(subjects[2]!), /^baseline\|/);
  assert.match(testIdOf(subjects[1]!), /^workflow\|/);
});

test('ids this extension did not make name nothing', () => {
  for (const id of [
    '',
    'baseline',
    'baseline|not json',
    'baseline|["a","b"]',
    'workflow|["a",3]',
    'folder|{"folder":"a"}',
    'suite|["a"]',
  ]) {
    assert.equal(subjectOfTestId(id), undefined, id);
  }
});

const baseline = (overrides: Partial<BaselineItem> = {}): BaselineItem => ({
  id: `sha256:${'1'.repeat(64)}`,
  location: `/w/.lockstep/baselines/triage/${'1'.repeat(64)}.json`,
  file: `/w/.lockstep/baselines/triage/${'1'.repeat(64)}.json`,
  workflow: 'triage',
  run: RUN,
  version: { id: `sha256:${'ab12cd34'.padEnd(64, '0')}`, seq: 3 },
  startedAt: '2026-12-02T10:00:00.000Z',
  input: { ticket: 'My invoice is wrong', priority: 2 },
  ...overrides,
});

test('a baseline is labelled by its input, shortened, and described by its run and version', () => {
  assert.equal(baselineLabel(baseline()), 'ticket: "My invoice is wrong", priority: 2');
  const long = baselineLabel(baseline({ input: { ticket: 'x'.repeat(200) } }));
  assert.equal(long.length, 60);
  assert.ok(long.endsWith('…'));
  assert.equal(baselineLabel(baseline({ input: {} })), 'run 0193a1b2-c3d4 (no input)');
  assert.equal(
    baselineDescription(baseline(), new Date('2026-12-04T10:00:00.000Z')),
    'run 0193a1b2-c3d4 · v3 · 2 days ago',
  );
  assert.equal(
    baselineDescription(
      baseline({ version: { id: `sha256:${'ab12cd34'.padEnd(64, '0')}` } }),
      new Date('2026-12-02T10:00:10.000Z'),
    ),
    'run 0193a1b2-c3d4 · @ab12cd34 · just now',
  );
});

const verdict = (overrides: Partial<BaselineTestItem> = {}): BaselineTestItem => ({
  baseline: RUN,
  pass: false,
  message: 'text (exact): differs',
  replay: '0193a1b2-0000-7000-8000-000000000000',
  replayStatus: 'succeeded',
  expected: 'Hello, Ada',
  actual: 'Well, Hello, Ada',
  outputs: [{ output: 'text', rule: 'exact', pass: false, expected: 'Hello, Ada', actual: 'x' }],
  firstChangedStep: 'hello',
  location: { line: 6, endLine: 7 },
  durationMs: 12,
  ...overrides,
});

test('a failure says why, where it first changed and which replay; strings diff as they are', () => {
  const text = failureText(verdict());
  assert.equal(
    text.message,
    'text (exact): differs\nfirst changed step: hello\nreplay: run 0193a1b2-0000-7000-8000-000000000000',
  );
  assert.equal(text.expected, 'Hello, Ada');
  assert.equal(text.actual, 'Well, Hello, Ada');
  const json = failureText(verdict({ expected: { a: 1 }, actual: { a: 2 } }));
  assert.equal(json.expected, '{\n  "a": 1\n}');
  assert.equal(json.actual, '{\n  "a": 2\n}');
});

test('a replay that could not start has no diff, only its reason', () => {
  const text = failureText({
    baseline: RUN,
    pass: false,
    message: "input 'ticket' is required",
    outputs: [],
    durationMs: 3,
  });
  assert.deepEqual(text, { message: "input 'ticket' is required" });
});

test('a run subject passed by a page or a command is checked field by field', () => {
  const good = {
    folder: FOLDER,
    run: { id: RUN, workflow: 'triage', version: { id: 'sha256:1', seq: 1 } },
  };
  assert.ok(isRunSubject(good));
  assert.ok(isRunSubject({ ...good, file: '/w/triage.workflow.yaml' }));
  for (const bad of [
    null,
    'run',
    { ...good, folder: 3 },
    { ...good, file: 3 },
    { ...good, run: null },
    { ...good, run: { ...good.run, id: 1 } },
    { ...good, run: { ...good.run, version: null } },
    { ...good, run: { ...good.run, version: {} } },
  ]) {
    assert.ok(!isRunSubject(bad), JSON.stringify(bad));
  }
});

test('messages name a run by 13 characters: UUIDv7 ids share their first 8 for a minute', () => {
  assert.equal(shortRunId('01a2456b-8ba2-706b-ba5c-2ccbead79b3c'), '01a2456b-8ba2');
  assert.notEqual(
    shortRunId('01a2456b-8ba2-706b-ba5c-2ccbead79b3c'),
    shortRunId('01a2456b-de97-769b-a1db-53e9327c5dd2'),
  );
});
