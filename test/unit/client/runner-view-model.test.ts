// What the Runner view shows, computed by its pure view model from the runner's state (the run's
// progress folded event by event), and the form model under it: which control an input gets,
// the texts a form starts with, and the errors that stop a run before anything is sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputField, RunProgressParams } from '../../../core/src/service/protocol.js';
import {
  fieldErrors,
  fieldViews,
  formTexts,
  parseForm,
} from '../../../client/src/runner/form-model.js';
import {
  initialRunnerState,
  withProgress,
  WORKING_COPY,
  type RunProgress,
  type RunnerState,
  type TargetChoice,
} from '../../../client/src/runner/runner-state.js';
import { runnerView, UNTRUSTED_TEXT } from '../../../client/src/webviews/runner/view-model.js';

const ID = `sha256:${'ab12cd34'.padEnd(64, '0')}`;
const T0 = Date.parse('2026-12-04T11:55:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const URI = 'file:///w/workflows/triage.workflow.yaml';

const INPUTS: InputField[] = [
  { name: 'ticket', type: 'string', description: 'The ticket text', required: true },
  { name: 'count', type: 'integer', required: false },
  { name: 'ratio', type: 'number', default: 0.5, required: false },
  { name: 'urgent', type: 'boolean', required: false },
  { name: 'verbose', type: 'boolean', default: true, required: false },
  { name: 'lang', type: 'string', enum: ['en', 'fr'], default: 'en', required: false },
  { name: 'tier', type: 'integer', enum: [1, 2, 3], required: true },
  { name: 'meta', type: 'object', required: false },
  { name: 'tags', type: 'array', required: false },
];

const TARGETS: TargetChoice[] = [
  { group: 'Working Copy', ref: WORKING_COPY, label: 'Working copy', description: 'triage.yaml' },
  { group: 'Published Versions', ref: 'triage@3', label: 'v3', description: '2 h ago' },
  { group: 'Snapshots', ref: 'triage@sha256:ab12cd34', label: '@ab12cd34' },
  { group: 'Published Versions', ref: 'triage@2', label: 'v2' },
];

/** A trusted runner with a workflow chosen, its targets and inputs loaded. */
const state = (overrides: Partial<RunnerState> = {}): RunnerState => ({
  ...initialRunnerState(true),
  workflows: [
    { uri: URI, folder: 'file:///w', name: 'triage', label: 'workflows/triage.workflow.yaml' },
    { uri: 'file:///w/draft.workflow.yaml', folder: 'file:///w', label: 'draft.workflow.yaml' },
  ],
  workflow: URI,
  targets: TARGETS,
  inputs: INPUTS,
  texts: formTexts(INPUTS),
  ...overrides,
});

type Event = RunProgressParams['event'];
const fold = (run: RunProgress, events: readonly [Event, number][]): RunProgress =>
  events.reduce((r, [event, now]) => withProgress(r, event, now), run);

const starting: RunProgress = {
  folder: 'file:///w',
  status: 'starting',
  startedAt: T0,
  steps: [],
};
const started: RunProgress = {
  ...starting,
  started: { run: '0193a1b2-c3d4', workflow: 'triage', version: { id: ID, seq: 3 } },
};

/** classify ran (1.2 s, 812 tokens); the `notes` loop is in its first iteration. */
const midway = fold(started, [
  [{ type: 'step-started', path: 'classify', step: 'classify', at: at(0) }, T0],
  [
    {
      type: 'step-finished',
      path: 'classify',
      step: 'classify',
      status: 'succeeded',
      durationMs: 1200,
      tokens: { input: 700, output: 112 },
    },
    T0 + 1200,
  ],
  [{ type: 'step-started', path: 'notes', step: 'notes', at: at(1200) }, T0 + 1200],
  [{ type: 'step-started', path: 'notes[0]', step: 'notes', at: at(1300) }, T0 + 1300],
  [
    {
      type: 'step-finished',
      path: 'notes[0]',
      step: 'notes',
      status: 'succeeded',
      durationMs: 200,
    },
    T0 + 1500,
  ],
]);

test('an untrusted workspace: the form shows, Run is disabled and says why', () => {
  const view = runnerView(state({ trusted: false }), T0);
  assert.equal(view.trusted, false);
  assert.equal(view.canRun, false);
  assert.equal(view.runDisabledReason, UNTRUSTED_TEXT);
  assert.equal(view.fields.length, INPUTS.length);
  assert.equal(view.workflow, URI);
});

test('no workflow chosen: no workflow, the working copy target, Run disabled', () => {
  const view = runnerView(initialRunnerState(true), T0);
  assert.equal(view.trusted, true);
  assert.deepEqual(view.workflows, []);
  assert.ok(!('workflow' in view));
  assert.deepEqual(view.targetGroups, []);
  assert.equal(view.target, WORKING_COPY);
  assert.deepEqual(view.fields, []);
  assert.equal(view.canRun, false);
  assert.equal(view.runDisabledReason, 'Open or choose a workflow file to run.');
  assert.ok(!('run' in view) && !('notice' in view) && !('formError' in view));
});

test('a chosen workflow: labels of the workflow files, Run enabled', () => {
  const view = runnerView(state(), T0);
  assert.deepEqual(view.workflows, [
    { value: URI, label: 'triage (workflows/triage.workflow.yaml)' },
    { value: 'file:///w/draft.workflow.yaml', label: 'draft.workflow.yaml' },
  ]);
  assert.equal(view.canRun, true);
  assert.ok(!('runDisabledReason' in view));
  assert.equal(view.mode, 'live');
});

test('a scripted run needs a fixtures file', () => {
  const without = runnerView(state({ mode: 'scripted' }), T0);
  assert.equal(without.mode, 'scripted');
  assert.ok(!('fixtures' in without));
  assert.equal(without.canRun, false);
  assert.equal(without.runDisabledReason, 'Choose a fixtures file for a scripted run.');

  const withFixtures = runnerView(
    state({
      mode: 'scripted',
      fixtures: { uri: 'file:///w/triage.fixtures.yaml', label: 'triage.fixtures.yaml' },
    }),
    T0,
  );
  assert.equal(withFixtures.fixtures, 'triage.fixtures.yaml');
  assert.equal(withFixtures.canRun, true);
});

test('a broken workflow file: its error above the buttons, Run disabled', () => {
  const view = runnerView(state({ loadError: 'line 3: expected a mapping' }), T0);
  assert.equal(view.formError, 'line 3: expected a mapping');
  assert.equal(view.canRun, false);
  assert.equal(view.runDisabledReason, 'Fix the workflow file first.');
  // A problem that names no field shows there too.
  assert.equal(
    runnerView(state({ errors: { '': 'inputs: unknown input "x"' } }), T0).formError,
    'inputs: unknown input "x"',
  );
});

test('targets are grouped by their group, in the order the groups first come', () => {
  const view = runnerView(state({ target: 'triage@2' }), T0);
  assert.deepEqual(view.targetGroups, [
    {
      label: 'Working Copy',
      options: [{ value: WORKING_COPY, label: 'Working copy — triage.yaml' }],
    },
    {
      label: 'Published Versions',
      options: [
        { value: 'triage@3', label: 'v3 — 2 h ago' },
        { value: 'triage@2', label: 'v2' },
      ],
    },
    { label: 'Snapshots', options: [{ value: 'triage@sha256:ab12cd34', label: '@ab12cd34' }] },
  ]);
  assert.equal(view.target, 'triage@2');
  // A target that is not (or no longer) offered falls back to the working copy.
  assert.equal(runnerView(state({ target: 'triage@9' }), T0).target, WORKING_COPY);
});

test('fields carry their text and error', () => {
  const view = runnerView(
    state({
      texts: { ...formTexts(INPUTS), count: '1.5', ticket: 'charged twice' },
      errors: { count: 'an integer, not 1.5' },
    }),
    T0,
  );
  const byName = new Map(view.fields.map((f) => [f.name, f]));
  assert.deepEqual(byName.get('count'), {
    name: 'count',
    kind: 'integer',
    required: false,
    typeLabel: 'an integer',
    placeholder: 'optional',
    text: '1.5',
    error: 'an integer, not 1.5',
  });
  assert.deepEqual(byName.get('ticket'), {
    name: 'ticket',
    kind: 'text',
    required: true,
    help: 'The ticket text',
    typeLabel: 'text',
    text: 'charged twice',
  });
  assert.equal(byName.get('verbose')?.text, 'true');
  assert.equal(byName.get('tier')?.text, '1');
  assert.ok(!('formError' in view));
});

test('recent inputs: when they ran and what they were, on one line', () => {
  const view = runnerView(
    state({
      recent: [
        { run: 'r2', startedAt: '2026-12-04T11:50:09.123Z', input: { ticket: 'charged twice' } },
        { run: 'r1', startedAt: '2026-12-03T09:00:00.000Z', input: { ticket: 'x'.repeat(100) } },
      ],
    }),
    T0,
  );
  assert.deepEqual(view.recent[0], {
    value: 'r2',
    label: '2026-12-04 11:50 · {"ticket":"charged twice"}',
  });
  assert.equal(view.recent[1]?.value, 'r1');
  assert.equal(view.recent[1]?.label.length, '2026-12-03 09:00 · '.length + 60);
  assert.ok(view.recent[1]?.label.endsWith('…'));
});

test('a notice, with a button for the missing secrets', () => {
  const view = runnerView(
    state({
      notice: {
        kind: 'error',
        text: 'The workflow reads secrets that have no value.',
        setSecrets: ['OPENAI_API_KEY', 'SLACK_TOKEN'],
      },
    }),
    T0,
  );
  assert.deepEqual(view.notice, {
    kind: 'error',
    text: 'The workflow reads secrets that have no value.',
    action: 'Set secrets.OPENAI_API_KEY, secrets.SLACK_TOKEN…',
  });
  const info = runnerView(state({ notice: { kind: 'info', text: 'Saved.' } }), T0);
  assert.deepEqual(info.notice, { kind: 'info', text: 'Saved.' });
});

test('a run starting: no steps yet, cancellable, no details', () => {
  const view = runnerView(state({ run: starting }), T0 + 100);
  assert.equal(view.canRun, false);
  assert.equal(view.runDisabledReason, 'A run is in progress.');
  assert.deepEqual(view.run, {
    title: 'Starting the run…',
    status: 'starting',
    symbol: '…',
    steps: [],
    announcement: 'Run starting',
    canCancel: true,
    canOpenDetails: false,
    canReplay: false,
  });
});

test('a running run: rows for its top-level steps only, running steps timed from now', () => {
  const view = runnerView(state({ run: midway }), T0 + 3700);
  const run = view.run!;
  assert.equal(run.title, 'triage v3');
  assert.equal(run.status, 'running');
  assert.equal(run.symbol, '●');
  assert.deepEqual(run.steps, [
    {
      path: 'classify',
      status: 'succeeded',
      symbol: '✓',
      statusText: 'classify succeeded',
      elapsed: '1.2 s',
      tokens: '812 tok',
    },
    {
      path: 'notes',
      status: 'running',
      symbol: '●',
      statusText: 'notes running',
      elapsed: '2.5 s',
    },
  ]);
  assert.equal(run.announcement, 'notes running');
  assert.ok(!('result' in run));
  assert.equal(run.canCancel, true);
  assert.equal(run.canOpenDetails, true);
  assert.equal(run.canReplay, false, 'a running run cannot be replayed yet');
  assert.equal(view.canRun, false);
  // A second later, only the running step's time moves.
  const later = runnerView(state({ run: midway }), T0 + 4700).run!;
  assert.equal(later.steps[0]?.elapsed, '1.2 s');
  assert.equal(later.steps[1]?.elapsed, '3.5 s');
});

test('a run being cancelled cannot be cancelled again', () => {
  const run = runnerView(state({ run: { ...midway, cancelling: true } }), T0 + 3700).run!;
  assert.equal(run.canCancel, false);
  assert.equal(run.announcement, 'Cancelling the run');
  const early = runnerView(state({ run: { ...starting, cancelling: true } }), T0).run!;
  assert.equal(early.canCancel, false);
  assert.equal(early.announcement, 'Cancelling the run');
});

test('a run that succeeded: its result line with the output, Run enabled again', () => {
  const done = fold(midway, [
    [
      { type: 'step-finished', path: 'notes', step: 'notes', status: 'succeeded', durationMs: 600 },
      T0 + 1800,
    ],
    [
      {
        type: 'run-finished',
        status: 'succeeded',
        output: { category: 'billing' },
        durationMs: 1400,
      },
      T0 + 1900,
    ],
  ]);
  const view = runnerView(state({ run: done }), T0 + 60_000);
  const run = view.run!;
  assert.equal(run.status, 'succeeded');
  assert.equal(run.symbol, '✓');
  assert.deepEqual(
    run.steps.map((s) => [s.path, s.status, s.elapsed]),
    [
      ['classify', 'succeeded', '1.2 s'],
      ['notes', 'succeeded', '600 ms'],
    ],
  );
  assert.equal(run.result, '✓ succeeded in 1.4 s · 812 tok → {"category":"billing"}');
  assert.equal(run.announcement, 'Run ✓ succeeded in 1.4 s · 812 tok → {"category":"billing"}');
  assert.equal(run.canCancel, false);
  assert.equal(run.canOpenDetails, true);
  assert.equal(run.canReplay, true);
  assert.equal(view.canRun, true);
});

test('a run that failed: the failed step has its error, the result line the run error', () => {
  const failed = fold(started, [
    [{ type: 'step-started', path: 'lookup', step: 'lookup', at: at(0) }, T0],
    // A retried step starts again in its place.
    [{ type: 'step-started', path: 'lookup', step: 'lookup', at: at(300) }, T0 + 300],
    [{ type: 'step-started', path: 'notify', step: 'notify', at: at(400) }, T0 + 400],
    [
      {
        type: 'step-finished',
        path: 'lookup',
        step: 'lookup',
        status: 'failed',
        durationMs: 700,
        error: { code: 'LS_HTTP', message: 'HTTP 503 from billing' },
      },
      T0 + 1000,
    ],
    [
      {
        type: 'run-finished',
        status: 'failed',
        output: undefined,
        error: { code: 'LS_STEP_FAILED', message: 'step lookup failed' },
        durationMs: 2000,
      },
      T0 + 2000,
    ],
  ]);
  const run = runnerView(state({ run: failed }), T0 + 9000).run!;
  assert.equal(run.status, 'failed');
  assert.equal(run.symbol, '✗');
  assert.deepEqual(run.steps, [
    {
      path: 'lookup',
      status: 'failed',
      symbol: '✗',
      statusText: 'lookup failed',
      elapsed: '700 ms',
      error: 'LS_HTTP: HTTP 503 from billing',
    },
    // Still running when the run ended: stopped with it.
    {
      path: 'notify',
      status: 'cancelled',
      symbol: '⊘',
      statusText: 'notify cancelled',
      elapsed: '1.6 s',
    },
  ]);
  assert.equal(run.result, '✗ failed in 2.0 s — LS_STEP_FAILED: step lookup failed');
  assert.equal(run.canCancel, false);
});

test('fieldViews: a control per input type', () => {
  const views = fieldViews(INPUTS);
  assert.deepEqual(
    views.map((v) => [v.name, v.kind, v.typeLabel]),
    [
      ['ticket', 'text', 'text'],
      ['count', 'integer', 'an integer'],
      ['ratio', 'number', 'a number'],
      ['urgent', 'boolean', 'true or false'],
      ['verbose', 'boolean', 'true or false'],
      ['lang', 'select', 'text'],
      ['tier', 'select', 'an integer'],
      ['meta', 'json', 'a mapping (JSON)'],
      ['tags', 'json', 'a list (JSON)'],
    ],
  );
  const byName = new Map(views.map((v) => [v.name, v]));
  assert.equal(byName.get('ticket')?.help, 'The ticket text');
  assert.ok(!('placeholder' in byName.get('ticket')!));
  assert.equal(byName.get('count')?.placeholder, 'optional');
  assert.equal(byName.get('ratio')?.placeholder, 'default: 0.5');
  assert.equal(byName.get('lang')?.placeholder, 'default: "en"');
  // An optional enum may be left empty; a required one may not.
  assert.deepEqual(byName.get('lang')?.options, [
    { value: '', label: '' },
    { value: 'en', label: 'en' },
    { value: 'fr', label: 'fr' },
  ]);
  assert.deepEqual(byName.get('tier')?.options, [
    { value: '1', label: '1' },
    { value: '2', label: '2' },
    { value: '3', label: '3' },
  ]);
  assert.ok(!('options' in byName.get('count')!));
});

test('formTexts: a new form, and a past input', () => {
  assert.deepEqual(formTexts(INPUTS), {
    ticket: '',
    count: '',
    ratio: '',
    urgent: 'false',
    verbose: 'true',
    lang: '',
    tier: '1',
    meta: '',
    tags: '',
  });
  assert.deepEqual(
    formTexts(INPUTS, {
      ticket: 'charged "twice"',
      count: 3,
      urgent: true,
      lang: 'fr',
      tier: 2,
      meta: { a: 1 },
      tags: ['billing', 'refund'],
      unknown: 'ignored',
    }),
    {
      ticket: 'charged "twice"',
      count: '3',
      ratio: '',
      urgent: 'true',
      verbose: 'true',
      lang: 'fr',
      tier: '2',
      meta: '{"a":1}',
      tags: '["billing","refund"]',
    },
  );
  // A value that is no mapping (an old run's) fills nothing.
  assert.deepEqual(formTexts(INPUTS, ['x']), formTexts(INPUTS));
  assert.deepEqual(formTexts(INPUTS, null), formTexts(INPUTS));
});

test('parseForm: the inputs a valid form stands for, empty optional fields left out', () => {
  const texts = {
    ...formTexts(INPUTS),
    ticket: '  charged twice ',
    count: ' 42 ',
    ratio: '1e-3',
    tier: '3',
    tags: '["a"]',
  };
  assert.deepEqual(parseForm(INPUTS, texts), {
    input: {
      ticket: '  charged twice ',
      count: 42,
      ratio: 0.001,
      urgent: false,
      verbose: true,
      tier: 3,
      tags: ['a'],
    },
    errors: {},
  });
});

test('parseForm: one error per field a user can fix', () => {
  const result = parseForm(INPUTS, {
    ticket: '   ',
    count: '1.5',
    ratio: 'abc',
    urgent: 'yes',
    verbose: 'true',
    lang: 'de',
    tier: '4',
    meta: '{"a":',
    tags: '{"a":1}',
  });
  assert.ok(!('input' in result));
  const { meta, ...rest } = result.errors;
  assert.deepEqual(rest, {
    ticket: 'required: text',
    count: 'an integer, not 1.5',
    ratio: 'a number, not abc',
    urgent: 'true or false',
    lang: 'one of en, fr',
    tier: 'one of 1, 2, 3',
    tags: 'a list (JSON), not {"a":1}',
  });
  assert.match(meta ?? '', /^not JSON: /);
  assert.deepEqual(parseForm(INPUTS, { ...formTexts(INPUTS), meta: '[1]' }).errors, {
    ticket: 'required: text',
    meta: 'a mapping (JSON), not [1]',
  });
});

test("fieldErrors: the service's problems by the field they name", () => {
  assert.deepEqual(
    fieldErrors(INPUTS, [
      `input 'count' must be an integer, not "x"`,
      `input 'count' must be at least 1`,
      `input 'nope' is not declared`,
      'inputs must be a mapping',
    ]),
    {
      count: 'must be an integer, not "x"; must be at least 1',
      '': `input 'nope' is not declared; inputs must be a mapping`,
    },
  );
  assert.deepEqual(fieldErrors(INPUTS, []), {});
});
