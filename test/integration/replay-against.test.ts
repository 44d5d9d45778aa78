// Replays against another version, run comparison and side-by-side runs through the real CLI,
// in temporary copies of examples/. Editing the prompt of a middle step (notes) and replaying
// against the working copy reports exactly that step as changed and what reads it as tainted or
// changed, and every step upstream as identical and recorded: with --on-miss stub (fixtures),
// and live against a fake model on 127.0.0.1. --on-miss fail stops at the edited step.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  assertExit,
  assertOneLineError,
  describeRun,
  lockstep,
  writeFiles,
} from '../helpers/cli-workspace.js';
import {
  cliJson,
  examplesRepo,
  listRuns,
  NO_SECRETS,
  pointedAt,
  readRuns,
  SECRETS,
  startExampleServers,
  stepChanges,
  type ComparisonJson,
  type ReplayJson,
  type RunJson,
} from '../helpers/replay-workspace.js';

const TRIAGE = 'support-triage.workflow.yaml';
const NOTE_BEFORE = "prompt: 'One-line note on: ${{ paragraph }}'";
const NOTE_AFTER = "prompt: 'A one-line note about: ${{ paragraph }}'";
const UPSTREAM = ['classify', 'customer', 'paragraphs'];

/** Edits a workflow file of the working copy in `dir`. */
function edit(dir: string, file: string, from: string, to: string): void {
  const full = path.join(dir, file);
  const text = readFileSync(full, 'utf8');
  assert.ok(text.includes(from), `${file} has ${from}`);
  writeFileSync(full, text.replace(from, to));
}

function recordTriage(dir: string, env: Record<string, string | undefined> = {}, fixtures = true) {
  return cliJson<RunJson>(
    dir,
    [
      'run',
      TRIAGE,
      '--input-file',
      'inputs/ticket.json',
      ...(fixtures ? ['--fixtures', 'fixtures.yaml'] : []),
    ],
    env,
  );
}

/** The comparison's notes iterations (2 paragraphs in the example ticket). */
function iterationsOf(comparison: ComparisonJson): string[] {
  const paths = comparison.steps.map((s) => s.path).filter((p) => p.startsWith('notes['));
  assert.equal(paths.length, 2, `two notes iterations in ${JSON.stringify(paths)}`);
  return paths;
}

test('an edited prompt, replayed with --on-miss stub: the step changed, its readers tainted, nothing upstream', async (t) => {
  const dir = examplesRepo(t);
  const source = await recordTriage(dir);
  edit(dir, TRIAGE, NOTE_BEFORE, NOTE_AFTER);
  const args = ['replay', source.id, '--against', TRIAGE];

  const report = await cliJson<ReplayJson>(
    dir,
    [...args, '--on-miss', 'stub', '--fixtures', 'fixtures.yaml'],
    NO_SECRETS,
  );
  assert.equal(report.kind, 'against');
  assert.equal(report.verified, undefined);
  assert.equal(report.replay.status, 'succeeded');
  const iterations = iterationsOf(report.comparison);
  assert.deepEqual(stepChanges(report.comparison), {
    ...Object.fromEntries(UPSTREAM.map((p) => [p, 'identical recorded'])),
    ...Object.fromEntries(iterations.map((p) => [p, 'input-changed stubbed'])),
    notes: 'input-changed stubbed',
    // The stubbed notes are the same text as recorded: the reply is reused, but tainted.
    draft: 'identical tainted',
  });
  assert.equal(report.comparison.firstDivergence, iterations[0]);
  for (const path of iterations) {
    const step = report.comparison.steps.find((s) => s.path === path)!;
    assert.equal(step.inputDiff?.kind, 'structural');
    assert.match(JSON.stringify(step.inputDiff), /A one-line note about: /);
  }
  assert.equal(report.comparison.output.kind, 'same');

  // The replay is a run of its own: listed as a replay-against, naming its source.
  const [replayed, recorded] = await readRuns(dir, [report.replay.id, source.id]);
  assert.deepEqual(replayed!.header.mode, { kind: 'replay-against', source: source.id });
  assert.notEqual(replayed!.header.version.id, recorded!.header.version.id, 'the working copy');
  assert.deepEqual(replayed!.header.input, recorded!.header.input);
  const listed = (await listRuns(dir, 'support-triage')).find((r) => r.id === report.replay.id);
  assert.equal(listed?.mode, 'replay-against');

  // --on-miss fail: stops at the edited step with a divergence.
  const failed = await cliJson<ReplayJson>(dir, [...args, '--on-miss', 'fail'], NO_SECRETS, 1);
  assert.ok(failed.divergence);
  assert.ok(iterations.includes(failed.divergence.path), failed.divergence.path);
  assert.equal(failed.divergence.kind, 'llm');
  assert.match(failed.divergence.diff, /^-.*"One-line note on: /m);
  assert.match(failed.divergence.diff, /^\+.*"A one-line note about: /m);
  assert.equal(failed.replay.status, 'failed');
  const failedChanges = stepChanges(failed.comparison);
  for (const step of UPSTREAM) assert.equal(failedChanges[step], 'identical recorded');
  assert.equal(failedChanges[failed.divergence.path], 'status-changed missing');
  assert.equal(failedChanges['draft'], 'removed');

  // For people: one line per step, with its provenance.
  const shown = await lockstep(
    dir,
    [...args, '--on-miss', 'stub', '--fixtures', 'fixtures.yaml'],
    NO_SECRETS,
  );
  assertExit(shown, 0);
  assert.match(shown.stdout, /^ {2}classify +identical {2}\[recorded\]$/m, describeRun(shown));
  assert.match(
    shown.stdout,
    /^ {2}notes\[\w+\] +input changed {2}\[stubbed\] {2}← first divergence$/m,
  );
  assert.match(shown.stdout, /^ {2}notes +input changed {2}\[stubbed\]$/m);
  assert.match(shown.stdout, /^ {2}draft +identical {2}\[tainted\]$/m);
  assert.match(
    shown.stdout,
    /^ {6}input ~ messages\.0\.content: "One-line note on: .*→ "A one-line/m,
  );
});

test('an edited prompt, replayed with --on-miss live: only the edited step and its readers call the model', async (t) => {
  const servers = await startExampleServers(t);
  servers.answers.push({ match: /^A one-line note about: /, content: 'A different note.' });
  const dir = examplesRepo(t, (files) => pointedAt(files, servers));
  const source = await recordTriage(dir, SECRETS, false);
  assert.equal(source.status, 'succeeded', JSON.stringify(source));
  edit(dir, TRIAGE, NOTE_BEFORE, NOTE_AFTER);
  const model = servers.model.requests.length;
  const crm = servers.crm.requests.length;

  const report = await cliJson<ReplayJson>(
    dir,
    ['replay', source.id, '--against', TRIAGE, '--on-miss', 'live'],
    SECRETS,
  );
  assert.equal(report.replay.status, 'succeeded', JSON.stringify(report.comparison));
  const iterations = iterationsOf(report.comparison);
  assert.deepEqual(stepChanges(report.comparison), {
    ...Object.fromEntries(UPSTREAM.map((p) => [p, 'identical recorded'])),
    ...Object.fromEntries(iterations.map((p) => [p, 'input-changed live'])),
    notes: 'input-changed live',
    // It read the new notes: the child workflow was called with other inputs, live.
    draft: 'input-changed live',
  });
  const called = servers.model.requests.slice(model).map((r) => {
    const body = r.body as { messages: { role: string; content: string }[] };
    return body.messages.at(-1)!.content.split('\n')[0];
  });
  assert.deepEqual(called.sort(), [
    'A one-line note about: Could you refund the second payment? Thanks, Ada',
    'A one-line note about: Hello, I was charged twice for my subscription this month.',
    'Customer: Ada',
  ]);
  assert.equal(servers.crm.requests.length, crm, 'the CRM lookup was answered from the recording');
  const notes = report.comparison.steps.find((s) => s.path === 'notes')!;
  assert.deepEqual(notes.b?.output, ['A different note.', 'A different note.']);
});

test('a replay against a version with a new required input fails clearly', async (t) => {
  const dir = examplesRepo(t);
  const source = await recordTriage(dir);
  edit(dir, TRIAGE, '  customer_id:\n', '  priority:\n    type: string\n  customer_id:\n');
  const result = await lockstep(dir, ['replay', source.id, '--against', TRIAGE], NO_SECRETS);
  const line = assertOneLineError(result, 2);
  assert.match(line, /priority/);
  assert.match(line, /required/);
});

const CMP = 'cmp.workflow.yaml';
const CMP_A = `name: cmp
inputs:
  x: { type: string }
models:
  m: { provider: openai, model: small-model, base_url: http://127.0.0.1:9/v1 }
steps:
  - id: same
    transform: \${{ inputs.x }}
  - id: data
    transform: '\${{ {"name": inputs.x, "tags": ["a", "b"], "n": 1} }}'
  - id: letter
    transform: '\${{ "Dear " & inputs.x & ",\\nthanks for writing.\\nBye" }}'
  - id: greeting
    transform: '\${{ "Hello " & inputs.x & ", welcome back" }}'
  - id: ask
    llm: { model: m, prompt: 'Say hi to \${{ inputs.x }}' }
  - id: gate
    when: \${{ inputs.x = "Ada" }}
    transform: 1
  - id: old
    transform: 2
  - id: last
    transform: done
outputs:
  letter: \${{ steps.letter.output }}
`;
const CMP_B = CMP_A.replace('"n": 1', '"n": 2')
  .replace('"tags": ["a", "b"]', '"tags": ["a", "c"]')
  .replace('thanks for writing', 'thank you for writing')
  .replace('welcome back', 'welcome home')
  .replace('Say hi to', 'Say hello to')
  .replace('inputs.x = "Ada"', 'inputs.x = "Bob"')
  .replace('  - id: old\n    transform: 2\n', '  - id: fresh\n    transform: 3\n')
  .replace('    transform: done\n', '    transform: \'${{ $error("boom") }}\'\n');
const CMP_FIXTURES = `models:
  - step: ask
    prompt: Say hi
    answer: Hi Ada!
    usage: { input: 100, output: 20 }
  - step: ask
    answer: Hi Ada!
    usage: { input: 150, output: 30 }
`;

test('lockstep compare: every classification, diffs, first divergence, totals with prices', async (t) => {
  const dir = examplesRepo(t, (files) => ({
    ...files,
    '.lockstep/config.yaml': `${files['.lockstep/config.yaml']}prices:\n  small-model: { input: 0.5, output: 1.5 }\n`,
    [CMP]: CMP_A,
    'cmp-fixtures.yaml': CMP_FIXTURES,
  }));
  const run = ['run', CMP, '--fixtures', 'cmp-fixtures.yaml', '--input', 'x=Ada'];
  const a = await cliJson<RunJson>(dir, run);
  assert.equal(a.status, 'succeeded', JSON.stringify(a));
  writeFiles(dir, { [CMP]: CMP_B });
  const b = await cliJson<RunJson>(dir, run, {}, 1);
  assert.equal(b.status, 'failed');

  const [comparison, text] = await Promise.all([
    cliJson<ComparisonJson>(dir, ['compare', a.id, b.id], {}, 1),
    lockstep(dir, ['compare', a.id, b.id]),
  ]);
  assert.equal(comparison.a.run, a.id);
  assert.equal(comparison.b.run, b.id);
  assert.deepEqual(stepChanges(comparison), {
    same: 'identical',
    data: 'output-changed',
    letter: 'output-changed',
    greeting: 'output-changed',
    ask: 'input-changed',
    gate: 'branch-changed',
    fresh: 'added',
    old: 'removed',
    last: 'status-changed',
  });
  assert.deepEqual(
    comparison.steps.map((s) => s.path),
    ['same', 'data', 'letter', 'greeting', 'ask', 'gate', 'fresh', 'old', 'last'],
    'in run order',
  );
  assert.equal(comparison.firstDivergence, 'data');
  const at = (p: string) => comparison.steps.find((s) => s.path === p)!;
  assert.deepEqual(at('data').outputDiff, {
    kind: 'structural',
    changes: [
      { type: 'changed', path: 'tags.1', before: 'b', after: 'c' },
      { type: 'changed', path: 'n', before: 1, after: 2 },
    ],
  });
  assert.deepEqual(at('letter').outputDiff, {
    kind: 'text',
    parts: [
      { value: 'Dear Ada,\n' },
      { removed: true, value: 'thanks for writing.\n' },
      { added: true, value: 'thank you for writing.\n' },
      { value: 'Bye' },
    ],
  });
  assert.deepEqual(at('greeting').outputDiff, {
    kind: 'text',
    parts: [
      { value: 'Hello Ada, welcome ' },
      { removed: true, value: 'back' },
      { added: true, value: 'home' },
    ],
  });
  assert.equal(at('ask').inputDiff?.kind, 'structural');
  assert.deepEqual(at('gate').b, { status: 'skipped', output: null });
  assert.deepEqual(at('last').b?.status, 'failed');
  assert.equal(comparison.output.kind, 'replaced');
  assert.deepEqual(comparison.totals.a.tokens, { input: 100, output: 20 });
  assert.deepEqual(comparison.totals.b.tokens, { input: 150, output: 30 });
  assert.ok(Math.abs(comparison.totals.a.cost! - 80e-6) < 1e-12, String(comparison.totals.a.cost));
  assert.ok(Math.abs(comparison.totals.b.cost! - 120e-6) < 1e-12, String(comparison.totals.b.cost));
  assert.equal(typeof comparison.totals.a.latencyMs, 'number');
  assert.equal(typeof comparison.totals.b.latencyMs, 'number');

  assertExit(text, 1);
  const out = text.stdout;
  for (const line of [
    /^A \S+ \(sha256:[0-9a-f]{12}, succeeded\)$/m,
    /^B \S+ \(sha256:[0-9a-f]{12}, failed\)$/m,
    /^ {2}same +identical$/m,
    /^ {2}data +output changed {2}← first divergence$/m,
    /^ {6}~ tags\.1: "b" → "c"$/m,
    /^ {6}~ n: 1 → 2$/m,
    /^ {6}- thanks for writing\.$/m,
    /^ {6}\+ thank you for writing\.$/m,
    /^ {6}- back$/m,
    /^ {6}\+ home$/m,
    /^ {2}ask +input changed$/m,
    /^ {6}input ~ messages\.0\.content: "Say hi to Ada" → "Say hello to Ada"$/m,
    /^ {2}gate +branch changed \(succeeded → skipped\)$/m,
    /^ {2}fresh +added$/m,
    /^ {2}old +removed$/m,
    /^ {2}last +status changed \(succeeded → failed\)$/m,
    /^Output: changed$/m,
    /^Tokens: 120 → 180 \(\+60\)$/m,
    /^Cost: \$0\.000080 → \$0\.000120$/m,
    /^Latency: \d+ ms → \d+ ms/m,
  ]) {
    assert.match(out, line, describeRun(text));
  }
});

test('lockstep run --side-by-side runs both versions on the same input and compares them', async (t) => {
  const candidate = (files: Record<string, string>): string =>
    files[TRIAGE]!.replace('name: support-triage', 'name: support-triage-candidate').replace(
      NOTE_BEFORE,
      NOTE_AFTER,
    );
  const dir = examplesRepo(t, (files) => ({
    ...files,
    'triage-candidate.workflow.yaml': candidate(files),
  }));
  const args = [
    'run',
    '--side-by-side',
    TRIAGE,
    'triage-candidate.workflow.yaml',
    '--fixtures',
    'fixtures.yaml',
    '--input-file',
    'inputs/ticket.json',
  ];
  const [result, text] = await Promise.all([
    cliJson<{ a: RunJson; b: RunJson; comparison: ComparisonJson }>(dir, args),
    lockstep(dir, args),
  ]);
  assert.equal(result.a.status, 'succeeded');
  assert.equal(result.b.status, 'succeeded');
  assert.equal(result.comparison.a.run, result.a.id);
  assert.equal(result.comparison.b.run, result.b.id);
  const iterations = iterationsOf(result.comparison);
  assert.deepEqual(stepChanges(result.comparison), {
    ...Object.fromEntries(UPSTREAM.map((p) => [p, 'identical'])),
    ...Object.fromEntries(iterations.map((p) => [p, 'input-changed'])),
    notes: 'input-changed',
    draft: 'identical',
  });
  // Both runs were recorded, each under its workflow.
  const [triageRuns, candidateRuns] = await Promise.all([
    listRuns(dir, 'support-triage'),
    listRuns(dir, 'support-triage-candidate'),
  ]);
  assert.ok(triageRuns.some((r) => r.id === result.a.id && r.mode === 'scripted'));
  assert.ok(candidateRuns.some((r) => r.id === result.b.id && r.mode === 'scripted'));

  assertExit(text, 0);
  assert.match(text.stdout, /^A \S+ \(sha256:[0-9a-f]{12}, succeeded\)$/m, describeRun(text));
  assert.match(text.stdout, /^B \S+ \(sha256:[0-9a-f]{12}, succeeded\)$/m);
  assert.match(text.stdout, /^ {2}notes\[\w+\] +input changed {2}← first divergence$/m);
  assert.match(text.stdout, /^Output: identical$/m);
});
