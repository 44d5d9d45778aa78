// Exact replay through the real CLI, in temporary copies of examples/: every example run,
// scripted and live (against a fake model and CRM on 127.0.0.1), replays verified with the same
// outputs byte for byte, calls nothing and needs no secret. Replays are runs: listed with mode
// `replay`, naming their source. A run recorded with retries (in the provider and by the step),
// a concurrent foreach, clock, random and env reads replays exactly; an edited prompt is reported
// as a divergence at the edited step.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { canonicalJson } from '../../core/src/hash/canonical.js';
import type { RunRecord } from '../../core/src/model/runs.js';
import { assertExit, describeRun, lockstep, treeOf } from '../helpers/cli-workspace.js';
import { json } from '../helpers/fake-http-server.js';
import { openAiError } from '../helpers/fake-openai-server.js';
import {
  assertReproduced,
  cliJson,
  examplesRepo,
  inspectRun,
  listRuns,
  NO_SECRETS,
  pointedAt,
  readRuns,
  SECRETS,
  startExampleServers,
  type ReplayJson,
  type RunJson,
} from '../helpers/replay-workspace.js';

/** The three example workflows' runs, as their README runs them (polite-reply with inputs). */
const EXAMPLE_RUNS: readonly (readonly string[])[] = [
  ['support-triage.workflow.yaml', '--input-file', 'inputs/ticket.json'],
  ['summarize-document.workflow.yaml', '--input-file', 'inputs/document.json'],
  [
    'polite-reply.workflow.yaml',
    '--input',
    'facts=["Charged twice.","Wants a refund."]',
    '--input',
    'customer={"name":"Ada"}',
  ],
];

/**
 * Replays each of `ids` exactly (at once) without any secret in the environment, and checks
 * each against its source with `lockstep inspect`: verified, the same outputs, a run of mode
 * `replay` naming the source. Returns the sources and the replays.
 */
async function replayVerified(
  dir: string,
  ids: readonly string[],
): Promise<{ sources: RunRecord[]; replays: RunRecord[] }> {
  const reports = await Promise.all(
    ids.map((id) => cliJson<ReplayJson>(dir, ['replay', id], NO_SECRETS)),
  );
  const records = await Promise.all(
    [...ids, ...reports.map((r) => r.replay.id)].map((id) => inspectRun(dir, id)),
  );
  const sources = records.slice(0, ids.length);
  const replays = records.slice(ids.length);
  reports.forEach((report, i) => {
    const source = sources[i]!;
    const replay = replays[i]!;
    const id = ids[i]!;
    assert.equal(report.kind, 'exact');
    assert.equal(report.verified, true, JSON.stringify(report.comparison, null, 1));
    assert.equal(report.divergence, undefined);
    assert.equal(report.source.id, id);
    assert.ok(report.comparison.steps.every((s) => s.change === 'identical'));
    assert.equal(report.comparison.output.kind, 'same');
    assertReproduced(source, replay);
    assert.equal(canonicalJson(report.replay.output), canonicalJson(source.output));
    assert.deepEqual(replay.header.mode, { kind: 'replay', source: id });
    assert.equal(replay.header.version.id, source.header.version.id);
    assert.deepEqual(replay.header.input, source.header.input);
  });
  return { sources, replays };
}

/** The child run a `workflow` step recorded. */
function childRunOf(record: RunRecord, step: string): string {
  const effect = record.effects.find((e) => e.path === step && e.kind === 'workflow');
  assert.ok(effect, `no workflow effect at ${step}`);
  return (effect.response as { run: string }).run;
}

/** Checks the child replay of a parent replay: exact, linked to the replay, naming its source. */
async function assertChildReplayed(dir: string, source: RunRecord, replay: RunRecord) {
  const sourceChild = childRunOf(source, 'draft');
  const replayChild = childRunOf(replay, 'draft');
  assert.notEqual(replayChild, sourceChild);
  const [sourceRecord, child] = await readRuns(dir, [sourceChild, replayChild]);
  assert.deepEqual(child!.header.mode, { kind: 'replay', source: sourceChild });
  assert.deepEqual(child!.header.parent, { run: replay.header.id, step: 'draft' });
  assertReproduced(sourceRecord!, child!);
}

/** Every replay is listed with its workflow's runs, as mode `replay`. */
async function assertListed(dir: string, workflow: string, replays: readonly string[]) {
  const runs = await listRuns(dir, workflow);
  for (const id of replays) {
    const found = runs.find((r) => r.id === id);
    assert.ok(found, `replay ${id} is not listed in runs ${workflow}`);
    assert.equal(found.mode, 'replay');
  }
}

test('every example run recorded with fixtures replays exactly, without secrets', async (t) => {
  const dir = examplesRepo(t);
  const runs = await Promise.all(
    EXAMPLE_RUNS.map((args) =>
      cliJson<RunJson>(dir, ['run', ...args, '--fixtures', 'fixtures.yaml']),
    ),
  );
  assert.deepEqual(
    runs.map((s) => s.status),
    ['succeeded', 'succeeded', 'succeeded'],
  );
  const { sources, replays } = await replayVerified(
    dir,
    runs.map((r) => r.id),
  );
  const [triage, summary, polite] = replays;
  await assertChildReplayed(dir, sources[0]!, triage!);
  await Promise.all([
    assertListed(dir, 'support-triage', [triage!.header.id]),
    assertListed(dir, 'summarize-document', [summary!.header.id]),
    assertListed(dir, 'polite-reply', [polite!.header.id, childRunOf(triage!, 'draft')]),
  ]);

  // Text output, and a short prefix of the id, for people: the shortest unique one of at least
  // 13 characters (runs started in the same millisecond share their first 13).
  const id = runs[1]!.id;
  const workflows = ['support-triage', 'summarize-document', 'polite-reply'];
  const ids = (await Promise.all(workflows.map((w) => listRuns(dir, w)))).flat().map((r) => r.id);
  let length = 13;
  while (ids.some((other) => other !== id && other.startsWith(id.slice(0, length)))) length++;
  const text = await lockstep(dir, ['replay', id.slice(0, length)], NO_SECRETS);
  assertExit(text, 0);
  assert.match(text.stdout, /^Replay \S+ of run \S+$/m);
  assert.match(
    text.stdout,
    /^Verified: the replay reproduced every step and the output exactly\.$/m,
  );
});

test('every example run recorded live replays exactly, calling nothing, without secrets', async (t) => {
  const servers = await startExampleServers(t);
  // The model is unavailable once (503): the provider retries inside the same effect.
  servers.interpose.push({
    match: /^Classify this ticket/,
    reply: openAiError(503, 'overloaded', { 'retry-after': '0' }),
  });
  const dir = examplesRepo(t, (files) => pointedAt(files, servers));
  const runs = await Promise.all(
    EXAMPLE_RUNS.map((args) => cliJson<RunJson>(dir, ['run', ...args], SECRETS)),
  );
  assert.deepEqual(
    runs.map((s) => s.status),
    ['succeeded', 'succeeded', 'succeeded'],
    JSON.stringify(runs),
  );
  assert.equal(servers.interpose.length, 0, 'the 503 was answered');
  assert.ok(servers.crm.requests.length >= 1);

  const before = servers.requests();
  const { sources, replays } = await replayVerified(
    dir,
    runs.map((r) => r.id),
  );
  assert.equal(servers.requests(), before, 'the servers received nothing during the replays');
  const triageSource = sources[0]!;
  assert.deepEqual(triageSource.header.mode, { kind: 'live' });
  assert.deepEqual(
    triageSource.effects.filter((e) => e.path === 'classify').map((e) => e.kind),
    ['llm'],
    'one effect for the call the provider retried',
  );
  await assertChildReplayed(dir, triageSource, replays[0]!);
  // Neither the key nor the token was recorded anywhere.
  for (const [file, bytes] of Object.entries(treeOf(path.join(dir, '.lockstep')))) {
    for (const secret of Object.values(SECRETS)) {
      assert.ok(!bytes.includes(secret), `a secret is in .lockstep/${file}`);
    }
  }
});

test('a run with retries, a concurrent foreach, clock, random and env reads replays exactly', async (t) => {
  const servers = await startExampleServers(t);
  // classify: a 503 retried by the provider, then text that is not JSON (the step retries),
  // then JSON.
  servers.interpose.push(
    { match: /^Classify as JSON/, reply: openAiError(503, 'overloaded', { 'retry-after': '0' }) },
    { match: /^Classify as JSON/, reply: json(200, completionOf('billing, probably')) },
  );
  servers.answers.push({ match: /^Classify as JSON/, content: '{"category":"billing"}' });
  const workflow = `name: mixed
inputs:
  ticket: { type: string }
  items: { type: array }
models:
  fake:
    provider: openai
    model: test-model
    base_url: ${servers.model.baseUrl}
    api_key: \${{ secrets.OPENAI_API_KEY }}
    temperature: 0
steps:
  - id: stamp
    transform: '\${{ {"now": $now(), "ms": $millis(), "r": $random(), "region": env.REGION} }}'
  - id: classify
    retry: { max: 2, delay: 1ms }
    llm:
      model: fake
      prompt: 'Classify as JSON: \${{ inputs.ticket }}'
      output: json
  - id: notes
    foreach: \${{ inputs.items }}
    as: it
    concurrency: 3
    llm: { model: fake, prompt: 'Note on \${{ it }} (\${{ $random() }}, \${{ $now() }})' }
  - id: customer
    http:
      method: GET
      url: ${servers.crm.origin}/customers/c-42
      headers: { authorization: 'Bearer \${{ secrets.CRM_TOKEN }}' }
outputs:
  stamp: \${{ steps.stamp.output }}
  category: \${{ steps.classify.output.category }}
  notes: \${{ steps.notes.output }}
  customer: \${{ steps.customer.output.body.name }}
`;
  const dir = examplesRepo(t, (files) => ({
    ...files,
    '.lockstep/config.yaml': files['.lockstep/config.yaml']!.replace('allow: []', 'allow: [REGION]')
      // The CRM token may go to the stand-in CRM this workflow calls.
      .replace('crm.example.com', '127.0.0.1'),
    'mixed.workflow.yaml': workflow,
  }));
  const items = '["alpha","beta","gamma","delta","alpha"]';
  const run = await cliJson<RunJson>(
    dir,
    ['run', 'mixed.workflow.yaml', '--input', 'ticket=Charged twice', '--input', `items=${items}`],
    { ...SECRETS, REGION: 'eu-west' },
  );
  assert.equal(run.status, 'succeeded', JSON.stringify(run));
  const source = (await readRuns(dir, [run.id]))[0]!;
  const stamp = source.steps.find((s) => s.path === 'stamp')!.output as Record<string, unknown>;
  assert.equal(stamp['region'], 'eu-west');
  assert.equal(source.steps.find((s) => s.path === 'classify')!.attempts, 2);
  const classify = source.effects.filter((e) => e.path === 'classify' && e.kind === 'llm');
  assert.deepEqual(
    classify.map((e) => [e.occurrence, (e.response as { content: string }).content]),
    [
      [0, 'billing, probably'],
      [1, '{"category":"billing"}'],
    ],
  );
  assert.equal(source.steps.filter((s) => s.step === 'notes').length, 6, '5 iterations + step');
  for (const kind of ['clock', 'random', 'env'] as const) {
    assert.ok(
      source.effects.some((e) => e.kind === kind),
      `a ${kind} read was recorded`,
    );
  }

  const before = servers.requests();
  // No secrets, and REGION unset: the replay reads the recorded value.
  await replayVerified(dir, [run.id]);
  assert.equal(servers.requests(), before, 'the servers received nothing during the replay');
});

test('a replay against an edited prompt with --on-miss fail reports the divergence at that step', async (t) => {
  const dir = examplesRepo(t);
  const source = await cliJson<RunJson>(dir, [
    'run',
    'support-triage.workflow.yaml',
    '--fixtures',
    'fixtures.yaml',
    '--input-file',
    'inputs/ticket.json',
  ]);
  const file = path.join(dir, 'support-triage.workflow.yaml');
  const before = 'Classify this ticket as billing, bug or how-to.';
  const after = 'Classify this ticket as billing, bug, how-to or other.';
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(before));
  writeFileSync(file, text.replace(before, after));

  const args = ['replay', source.id, '--against', 'support-triage.workflow.yaml'];
  const report = await cliJson<ReplayJson>(dir, [...args, '--on-miss', 'fail'], NO_SECRETS, 1);
  assert.ok(report.divergence, 'a divergence is reported');
  assert.equal(report.divergence.path, 'classify');
  assert.equal(report.divergence.kind, 'llm');
  assert.ok(report.divergence.recorded);
  assert.equal(report.divergence.recorded.path, 'classify');
  const prompt = (request: unknown): string =>
    (request as { messages: { content: string }[] }).messages.at(-1)!.content;
  assert.ok(prompt(report.divergence.recorded.request).includes(before));
  assert.ok(prompt(report.divergence.now.request).includes(after));
  assert.match(report.divergence.diff, /^--- recorded classify/m);
  assert.match(report.divergence.diff, /^\+\+\+ now classify/m);
  const removed = report.divergence.diff.split('\n').filter((l) => l.startsWith('-  '));
  const added = report.divergence.diff.split('\n').filter((l) => l.startsWith('+  '));
  assert.ok(removed.length === 1 && removed[0]!.includes(before), report.divergence.diff);
  assert.ok(added.length === 1 && added[0]!.includes(after), report.divergence.diff);
  assert.equal(report.replay.status, 'failed');
  assert.equal(report.comparison.firstDivergence, 'classify');

  const shown = await lockstep(dir, [...args, '--on-miss', 'fail'], NO_SECRETS);
  assertExit(shown, 1);
  assert.match(shown.stdout, /^Diverged at classify \(llm request, occurrence 0\)$/m);
  assert.match(shown.stdout, /^ {2}now {7}rk1:sha256:[0-9a-f]{64}$/m, describeRun(shown));
  assert.match(shown.stdout, /^ {2}recorded {2}rk1:sha256:[0-9a-f]{64} \(closest, at classify\)$/m);
  assert.ok(shown.stdout.includes(`-      "content": "${before}`), describeRun(shown));
  assert.ok(shown.stdout.includes(`+      "content": "${after}`), describeRun(shown));
});

/** A chat completion body answering `content`. */
function completionOf(content: string): object {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
  };
}

test('a run recorded by another engine version replays verified, and the report names both', async (t) => {
  const dir = examplesRepo(t);
  const source = await cliJson<RunJson>(dir, [
    'run',
    'summarize-document.workflow.yaml',
    '--input-file',
    'inputs/document.json',
    '--fixtures',
    'fixtures.yaml',
  ]);
  // The journal's first line is the run's header: say it was recorded by an older engine.
  const runs = path.join(dir, '.lockstep/local/runs');
  const journal = readdirSync(runs)
    .map((day) => path.join(runs, day, `${source.id}.jsonl`))
    .find((file) => existsSync(file));
  assert.ok(journal, `no journal for ${source.id} under ${runs}`);
  const text = readFileSync(journal, 'utf8');
  const older = text.replace('"engine":{"version":"', '"engine":{"version":"0.0.9-older+');
  assert.notEqual(older, text, 'the header names the engine version');
  writeFileSync(journal, older);

  const shown = await lockstep(dir, ['replay', source.id], NO_SECRETS);
  assertExit(shown, 0);
  assert.match(shown.stdout, /^note: recorded with engine 0\.0\.9-older\+\S+, replayed with \S+$/m);
  assert.match(shown.stdout, /^Verified: /m, describeRun(shown));
  const report = await cliJson<ReplayJson>(dir, ['replay', source.id], NO_SECRETS);
  assert.match(report.engine.recorded, /^0\.0\.9-older\+/);
  assert.notEqual(report.engine.now, report.engine.recorded);
});
