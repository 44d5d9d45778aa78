// What the run details webview shows, computed by its pure view model; the messages it may send;
// and the page itself, read as text: it never turns data into markup or code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { RunDetails, StepItem } from '../../../core/src/service/protocol.js';
import { isFromWebview } from '../../../client/src/webviews/run-details/messages.js';
import {
  PREVIEW_LIMIT,
  runDetailsViewModel,
} from '../../../client/src/webviews/run-details/view-model.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const ID = `sha256:${'ab12cd34'.padEnd(64, '0')}`;
const RUN = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const at = (ms: number) => new Date(Date.parse('2026-12-04T11:55:00.000Z') + ms).toISOString();
const NOW = new Date(at(60_000));

const step = (overrides: Partial<StepItem> & Pick<StepItem, 'path'>): StepItem => ({
  step: overrides.path,
  status: 'succeeded',
  startedAt: at(0),
  finishedAt: at(0),
  effects: [],
  ...overrides,
});

/** A run of 1.4 s: classify (a quarter), lookup fails (half, 3 attempts), notify skipped, fallback fails. */
const finished = (overrides: Partial<RunDetails> = {}): RunDetails => ({
  run: {
    id: RUN,
    workflow: 'triage',
    version: { id: ID, seq: 7 },
    status: 'failed',
    mode: 'live',
    startedAt: at(0),
    finishedAt: at(1400),
    durationMs: 1400,
    tokens: { input: 700, output: 112 },
  },
  input: { ticket: 'charged twice' },
  output: undefined,
  error: { code: 'LS_STEP_FAILED', message: 'step lookup failed' },
  steps: [
    step({
      path: 'classify',
      kind: 'llm',
      finishedAt: at(350),
      input: { ticket: 'charged twice' },
      output: { label: 'billing' },
      tokens: { input: 700, output: 112 },
      provenance: 'live',
      effects: [
        {
          kind: 'llm',
          key: 'k1',
          occurrence: 0,
          request: { prompt: 'Classify ⟦secret:API_KEY⟧' },
          response: { text: 'billing' },
          latencyMs: 320,
          tokens: { input: 700, output: 112 },
        },
      ],
    }),
    step({
      path: 'lookup',
      kind: 'http',
      status: 'failed',
      startedAt: at(350),
      finishedAt: at(1050),
      attempts: 3,
      error: { code: 'LS_HTTP', message: 'HTTP 503 from billing' },
      effects: [
        {
          kind: 'http',
          key: 'k2',
          occurrence: 0,
          request: { url: 'https://billing.example/api' },
          error: { code: 'LS_HTTP', message: 'HTTP 503' },
          latencyMs: 1200,
        },
      ],
    }),
    step({ path: 'notify', status: 'skipped', startedAt: at(1050), finishedAt: at(1050) }),
    step({ path: 'fallback', status: 'failed', startedAt: at(1050), finishedAt: at(1400) }),
  ],
  engine: '0.1.0',
  stepLines: { classify: { line: 5, endLine: 9 } },
  ...overrides,
});

test('the header: workflow, version, mode, status, start (UTC), duration, tokens; the title', () => {
  const view = runDetailsViewModel(finished(), NOW);
  assert.deepEqual(view.header, {
    workflow: 'triage',
    version: 'v7',
    mode: 'live',
    status: 'failed',
    look: { icon: 'error', symbol: '✗', text: 'failed' },
    started: '2026-12-04 11:55:00 UTC',
    duration: '1.4 s',
    tokens: '812 tok (700 in · 112 out)',
  });
  assert.equal(view.title, 'Run 11:55 · triage v7');
  assert.equal(view.runId, RUN);
  assert.equal(view.running, false);
  assert.deepEqual(view.error, { code: 'LS_STEP_FAILED', message: 'step lookup failed' });
  assert.equal(view.progress, 'Run failed in 1.4 s');
  // A failed run can be replayed, not kept as a baseline.
  assert.equal(view.canReplay, true);
  assert.equal(view.canAddBaseline, false);
});

test('a snapshot’s version is its short hash; a published one its number', () => {
  const details = finished();
  const snapshot = { ...details, run: { ...details.run, version: { id: ID } } };
  assert.equal(runDetailsViewModel(snapshot, NOW).header.version, '@ab12cd34');
  assert.equal(runDetailsViewModel(snapshot, NOW).title, 'Run 11:55 · triage @ab12cd34');
  assert.equal(runDetailsViewModel(details, NOW).header.version, 'v7');
});

test('cost only when prices are configured', () => {
  assert.equal(runDetailsViewModel(finished(), NOW).header.cost, undefined);
  assert.ok(!('cost' in runDetailsViewModel(finished(), NOW).header));
  assert.equal(runDetailsViewModel(finished({ cost: 0.0012 }), NOW).header.cost, '$0.0012');
  assert.equal(runDetailsViewModel(finished({ cost: 1.5 }), NOW).header.cost, '$1.50');
});

test('rows: status icons, durations, bars on the run’s span, tokens, attempts, provenance', () => {
  const rows = runDetailsViewModel(finished(), NOW).steps;
  assert.deepEqual(
    rows.map((r) => [r.path, r.status, r.look.icon, r.duration, r.bar]),
    [
      ['classify', 'succeeded', 'pass', '350 ms', { offsetPct: 0, widthPct: 25 }],
      ['lookup', 'failed', 'error', '700 ms', { offsetPct: 25, widthPct: 50 }],
      ['notify', 'skipped', 'debug-step-over', '', { offsetPct: 75, widthPct: 0 }],
      ['fallback', 'failed', 'error', '350 ms', { offsetPct: 75, widthPct: 25 }],
    ],
  );
  const [classify, lookup] = rows;
  assert.equal(classify!.kind, 'llm');
  assert.equal(classify!.tokens, '812 tok (700 in · 112 out)');
  assert.equal(classify!.provenance, 'live');
  assert.equal(classify!.attempts, undefined, 'one attempt is not worth saying');
  assert.equal(lookup!.attempts, 3);
  assert.deepEqual(lookup!.error, { code: 'LS_HTTP', message: 'HTTP 503 from billing' });
});

test('only the first failed step opens expanded, and it is firstFailed', () => {
  const view = runDetailsViewModel(finished(), NOW);
  assert.equal(view.firstFailed, 1);
  assert.deepEqual(
    view.steps.map((r) => r.expanded),
    [false, true, false, false],
  );
  const passed = finished({
    steps: [step({ path: 'a' }), step({ path: 'b' })],
    error: undefined,
  });
  const clean = runDetailsViewModel(passed, NOW);
  assert.equal(clean.firstFailed, undefined);
  assert.ok(clean.steps.every((r) => !r.expanded));
});

test('sections: input, output and effects as pretty JSON with what opens them whole', () => {
  const [classify, lookup, notify] = runDetailsViewModel(finished(), NOW).steps;
  assert.deepEqual(classify!.input, {
    text: '{\n  "ticket": "charged twice"\n}',
    large: false,
    open: { path: 'classify', part: 'input' },
  });
  assert.equal(classify!.output?.text, '{\n  "label": "billing"\n}');
  assert.deepEqual(classify!.effects[0], {
    kind: 'llm',
    key: 'k1',
    latency: '320 ms',
    tokens: '812 tok (700 in · 112 out)',
    request: {
      text: '{\n  "prompt": "Classify ⟦secret:API_KEY⟧"\n}',
      large: false,
      open: { path: 'classify', part: 'effect-request', index: 0 },
    },
    response: {
      text: '{\n  "text": "billing"\n}',
      large: false,
      open: { path: 'classify', part: 'effect-response', index: 0 },
    },
  });
  // A failed effect: its error, no response.
  assert.equal(lookup!.effects[0]!.response, undefined);
  assert.deepEqual(lookup!.effects[0]!.error, { code: 'LS_HTTP', message: 'HTTP 503' });
  assert.equal(lookup!.effects[0]!.latency, '1.2 s');
  // Nothing recorded: no section value (the page says "None").
  assert.equal(notify!.input, undefined);
  assert.equal(notify!.output, undefined);
});

test('large values are cut at 2 000 characters and say so', () => {
  const big = 'x'.repeat(3000);
  const details = finished({ steps: [step({ path: 'a', output: { big }, input: 'short' })] });
  const [row] = runDetailsViewModel(details, NOW).steps;
  assert.equal(PREVIEW_LIMIT, 2000);
  assert.equal(row!.output!.large, true);
  assert.equal(row!.output!.text.length, 2000);
  assert.ok(JSON.stringify({ big }, null, 2).startsWith(row!.output!.text));
  assert.deepEqual(row!.input, {
    text: '"short"',
    large: false,
    open: { path: 'a', part: 'input' },
  });
  // Exactly at the limit is not cut.
  const exact = 'y'.repeat(PREVIEW_LIMIT - 2);
  const [same] = runDetailsViewModel(
    finished({ steps: [step({ path: 'a', output: exact })] }),
    NOW,
  ).steps;
  assert.equal(same!.output!.large, false);
  // A cut never splits a surrogate pair (the emoji start at odd offsets after the quote).
  const emoji = '😀'.repeat(1500);
  const [wide] = runDetailsViewModel(
    finished({ steps: [step({ path: 'a', output: emoji })] }),
    NOW,
  ).steps;
  assert.equal(wide!.output!.large, true);
  assert.equal(wide!.output!.text.length, PREVIEW_LIMIT - 1);
  assert.ok(wide!.output!.text.endsWith('😀'));
});

test('a running run: elapsed so far, the running row up to now, progress', () => {
  const details = finished({
    run: {
      id: RUN,
      workflow: 'triage',
      version: { id: ID, seq: 7 },
      status: 'running',
      mode: 'live',
      startedAt: at(0),
      currentStep: 'lookup',
    },
    error: undefined,
    steps: [
      step({ path: 'classify', finishedAt: at(500), tokens: { input: 10, output: 5 } }),
      step({ path: 'lookup', status: 'running', startedAt: at(500), finishedAt: undefined }),
    ],
  });
  const view = runDetailsViewModel(details, new Date(at(2000)));
  assert.equal(view.running, true);
  assert.equal(view.header.duration, '2.0 s');
  assert.deepEqual(view.header.look, { icon: 'loading~spin', symbol: '◌', text: 'running' });
  // No total yet: the steps' tokens so far.
  assert.equal(view.header.tokens, '15 tok (10 in · 5 out)');
  const running = view.steps[1]!;
  assert.equal(running.status, 'running');
  assert.equal(running.look.icon, 'loading~spin');
  assert.equal(running.duration, '1.5 s');
  assert.deepEqual(running.bar, { offsetPct: 25, widthPct: 75 });
  assert.equal(view.progress, 'Running: 1 step finished, on step lookup');
  assert.equal(view.canReplay, false);
  assert.equal(view.canAddBaseline, false);
  // Later, the same run has moved on: time passes in the view too.
  assert.equal(runDetailsViewModel(details, new Date(at(4000))).steps[1]!.duration, '3.5 s');
});

test('a step left running by a run that ended is interrupted, not spinning', () => {
  const details = finished({
    run: {
      id: RUN,
      workflow: 'triage',
      version: { id: ID, seq: 7 },
      status: 'interrupted',
      mode: 'live',
      startedAt: at(0),
    },
    steps: [
      step({ path: 'a', finishedAt: at(400) }),
      step({ path: 'b', status: 'running', startedAt: at(400), finishedAt: undefined }),
    ],
  });
  const view = runDetailsViewModel(details, NOW);
  assert.equal(view.steps[1]!.status, 'interrupted');
  assert.notEqual(view.steps[1]!.look.icon, 'loading~spin');
  assert.equal(view.header.duration, '');
  // The span ends at the last thing recorded: a fills it.
  assert.deepEqual(view.steps[0]!.bar, { offsetPct: 0, widthPct: 100 });
});

test('the view crosses postMessage as plain data', () => {
  const view = runDetailsViewModel(finished({ cost: 0.5 }), NOW);
  assert.deepEqual(JSON.parse(JSON.stringify(view)), view);
});

test('messages from the webview are checked before use', () => {
  assert.ok(isFromWebview({ type: 'ready' }));
  assert.ok(isFromWebview({ type: 'openDefinition' }));
  assert.ok(isFromWebview({ type: 'openDefinition', step: 'classify' }));
  assert.ok(isFromWebview({ type: 'replay' }));
  assert.ok(isFromWebview({ type: 'addBaseline' }));
  assert.ok(isFromWebview({ type: 'openValue', path: 'a', part: 'effect-request', index: 0 }));
  assert.ok(!isFromWebview({ type: 'openDefinition', step: 3 }));
  assert.ok(!isFromWebview({ type: 'openValue', path: 'a', part: 'secrets' }));
  assert.ok(!isFromWebview({ type: 'openValue', path: 'a', part: 'input', index: -1 }));
  assert.ok(!isFromWebview({ type: 'runShell' }));
  assert.ok(!isFromWebview(null));
  assert.ok(!isFromWebview('ready'));
});

const PAGE = readFileSync(path.join(REPO_ROOT, 'media/run-details.js'), 'utf8');
const STYLES = readFileSync(path.join(REPO_ROOT, 'media/run-details.css'), 'utf8');

test('the page builds DOM from text: no innerHTML, no eval, no new Function', () => {
  assert.ok(PAGE.includes('textContent'), 'the test reads the page');
  for (const banned of [
    /\binnerHTML\b/,
    /\bouterHTML\b/,
    /\binsertAdjacentHTML\b/,
    /\bdocument\.write\b/,
    /\beval\s*\(/,
    /\bnew\s+Function\b/,
  ]) {
    assert.doesNotMatch(PAGE, banned);
  }
});

test('the page posts only messages the extension accepts, and says when it is ready', () => {
  const types = [...PAGE.matchAll(/post\(\{\s*type:\s*'([^']+)'/g)].map((m) => m[1]!);
  assert.ok(types.includes('ready'));
  assert.deepEqual([...new Set(types)].sort(), [
    'addBaseline',
    'copyRunId',
    'openDefinition',
    'openValue',
    'openVersion',
    'ready',
    'replay',
  ]);
});

test('the styles take colours only from the theme', () => {
  const variables = [...STYLES.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1]!);
  assert.ok(variables.length > 10, 'the test reads the styles');
  assert.deepEqual(
    variables.filter((v) => !v.startsWith('--vscode-')),
    [],
  );
  assert.doesNotMatch(STYLES, /#[0-9a-f]{3,8}\b|\brgba?\(|\bhsla?\(/i);
});

test('the run’s input, and its output once it finished with one', () => {
  const failed = runDetailsViewModel(finished({ output: null }), NOW);
  assert.deepEqual(failed.input, {
    text: '{\n  "ticket": "charged twice"\n}',
    large: false,
    open: { path: '', part: 'input' },
  });
  assert.equal(failed.output, undefined, 'a failed run’s null output is not shown');
  const succeeded = runDetailsViewModel(
    finished({ output: { answer: 'refund' }, run: { ...finished().run, status: 'succeeded' } }),
    NOW,
  );
  assert.deepEqual(succeeded.output?.open, { path: '', part: 'output' });
  assert.match(succeeded.output?.text ?? '', /"answer": "refund"/);
  assert.equal(succeeded.canAddBaseline, true, 'a run that succeeded can become a baseline');
  const running = runDetailsViewModel(
    finished({ output: { partial: true }, run: { ...finished().run, status: 'running' } }),
    NOW,
  );
  assert.equal(running.output, undefined, 'a running run has no output yet');
});

test('a run a channel routed says which channel, revision, side and bucket', () => {
  const routed = (routing: RunDetails['routing']) =>
    runDetailsViewModel(finished(routing ? { routing } : {}), NOW).header.channel;
  assert.equal(
    routed({ channel: 'production', revision: 2, bucket: 8123, sticky: true, target: 'candidate' }),
    'production r2 · candidate · bucket 8123 (sticky)',
  );
  assert.equal(
    routed({ channel: 'staging', revision: 1, bucket: 42, sticky: false, target: 'stable' }),
    'staging r1 · stable · bucket 42 (random)',
  );
  assert.equal(runDetailsViewModel(finished(), NOW).header.channel, undefined);
});

test('a step’s output is shown when it produced one, a failed or skipped step’s null is not', () => {
  const view = runDetailsViewModel(
    finished({
      steps: [
        step({ path: 'none', status: 'succeeded', output: null }),
        step({ path: 'explode', status: 'failed', output: null }),
        step({ path: 'notify', status: 'skipped', output: null }),
      ],
    }),
    NOW,
  );
  const outputs = view.steps.map((row) => [row.path, row.output?.text]);
  assert.deepEqual(outputs, [
    ['none', 'null'],
    ['explode', undefined],
    ['notify', undefined],
  ]);
});
