// `lockstep gate` through the real CLI, against a fake OpenAI server on 127.0.0.1: production's
// real runs (one of which failed) are replayed against a candidate; a harmless change passes, a
// prompt change that alters outputs is stopped with a report naming the first changed step; replays
// and scripted runs are never sampled; the sample is the same for every candidate.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  assertExit,
  assertOneLineError,
  gitRepo,
  lockstep,
  parseJson,
} from '../helpers/cli-workspace.js';
import { completion, openAiError, startFakeOpenAi } from '../helpers/fake-openai-server.js';
import type { GateCitation } from '../../core/src/store/channel-records.js';

const FILE = 'triage.workflow.yaml';
const ENV = { OPENAI_API_KEY: 'sk-gate-3b1f' };

function workflow(baseUrl: string, prompt: string, loud = '$uppercase'): string {
  return `name: triage
inputs:
  ticket: { type: string }
models:
  fast:
    provider: openai
    model: gpt-4o-mini
    base_url: ${baseUrl}
    api_key: \${{ secrets.OPENAI_API_KEY }}
steps:
  - id: classify
    llm: { model: fast, prompt: "${prompt}: \${{ inputs.ticket }}", output: json }
  - id: shout
    transform: \${{ ${loud}(steps.classify.output.reply) }}
outputs:
  category: \${{ steps.classify.output.category }}
  loud: \${{ steps.shout.output }}
`;
}

interface GateJson {
  ok: boolean;
  available: number;
  sample: string[];
  changed: number;
  changedPercent: number;
  baseline: { channel?: string; seq?: number };
  candidate: { seq?: number };
  results: {
    run: string;
    change: string;
    originalStatus: string;
    firstChangedStep?: string;
    message?: string;
  }[];
}

async function setUp(t: TestContext) {
  const server = await startFakeOpenAi(t);
  const dir = gitRepo(t, {
    [FILE]: workflow(server.baseUrl, 'Classify'),
    '.lockstep/config.yaml': 'secrets: [OPENAI_API_KEY]\n',
  });
  const ok = async (args: string[]) => {
    const result = await lockstep(dir, args, ENV);
    assertExit(result, 0);
    return result;
  };
  await ok(['publish', FILE, '-m', 'v1']);
  await ok(['promote', 'triage@1', '--channel', 'production']);
  const live: string[] = [];
  for (const [i, category] of ['billing', 'bug', 'login', 'refund'].entries()) {
    server.script(completion(JSON.stringify({ category, reply: `reply ${i}` })));
    const run = await ok(['run', 'triage@production', '-i', `ticket=t${i}`, '--json']);
    live.push(parseJson<{ id: string }>(run).id);
  }
  // A real run that failed: the provider refused it.
  server.script(openAiError(400, 'this ticket is too long'));
  const failed = await lockstep(
    dir,
    ['run', 'triage@production', '-i', 'ticket=t-long', '--json'],
    ENV,
  );
  assertExit(failed, 1);
  const failedId = parseJson<{ id: string }>(failed).id;
  // Neither a replay nor a scripted run stands for real traffic.
  const replay = await ok(['replay', live[0]!, '--json']);
  const replayId = parseJson<{ replay: { id: string } }>(replay).replay.id;
  writeFileSync(
    path.join(dir, 'fixtures.yaml'),
    'models:\n  - step: classify\n    answer: { category: scripted, reply: scripted }\n',
  );
  const scripted = await ok([
    'run',
    'triage@1',
    '-i',
    'ticket=s',
    '--fixtures',
    'fixtures.yaml',
    '--json',
  ]);
  const scriptedId = parseJson<{ id: string }>(scripted).id;
  return { server, dir, live, failedId, replayId, scriptedId };
}

function publish(dir: string, text: string, message: string) {
  writeFileSync(path.join(dir, FILE), text);
  return lockstep(dir, ['publish', FILE, '-m', message], ENV);
}

test('a harmless change passes the gate on production’s real runs; a changed prompt is stopped with its report', async (t) => {
  const { server, dir, live, failedId, replayId, scriptedId } = await setUp(t);

  // v2 only adds a description: the same prompt, the same transform.
  assertExit(
    await publish(
      dir,
      workflow(server.baseUrl, 'Classify').replace(
        'inputs:',
        'description: Sorts support tickets.\ninputs:',
      ),
      'Docs',
    ),
    0,
  );
  const passed = await lockstep(
    dir,
    ['gate', 'triage@2', '--baseline', 'production', '--json'],
    ENV,
  );
  assertExit(passed, 0);
  const report = parseJson<GateJson>(passed);
  assert.equal(report.ok, true);
  assert.equal(report.baseline.channel, 'production');
  assert.equal(report.baseline.seq, 1);
  assert.equal(report.available, 5, 'four runs that succeeded and one that failed');
  assert.deepEqual([...report.sample].sort(), [...live, failedId].sort());
  assert.ok(!report.sample.includes(replayId) && !report.sample.includes(scriptedId));
  assert.equal(report.changed, 0);
  const failedResult = report.results.find((r) => r.run === failedId);
  assert.equal(failedResult?.originalStatus, 'failed');
  assert.equal(failedResult?.change, 'unchanged', 'it fails the same way: unchanged');

  // The same sample for any candidate, and a smaller one is its prefix.
  const three = parseJson<GateJson>(
    await lockstep(dir, ['gate', 'triage@2', '--baseline', '1', '--sample', '3', '--json'], ENV),
  );
  assert.deepEqual(three.sample, report.sample.slice(0, 3));

  // v3 changes the transform: every successful run's `loud` output changes.
  assertExit(await publish(dir, workflow(server.baseUrl, 'Classify', '$lowercase'), 'Quieter'), 0);
  const markdownFile = path.join(dir, 'gate.md');
  const stopped = await lockstep(
    dir,
    ['gate', 'triage@3', '--baseline', 'production', '--format', 'markdown', '-o', markdownFile],
    ENV,
  );
  assertExit(stopped, 1);
  assert.match(stopped.stdout, /Gate FAILED: 4 of 5 runs changed \(80%, at most 0% allowed\)/);
  const markdown = readFileSync(markdownFile, 'utf8');
  assert.match(markdown, /^## Lockstep gate: triage v3 against production \(v1\)/);
  assert.match(markdown, /first changed step: shout/);
  assert.match(
    markdown,
    /output loud \(exact\): .*\n {2}expected: "REPLY 0"\n {2}actual: {3}"reply 0"/,
  );
  assert.doesNotMatch(markdown, new RegExp(failedId), 'the failed run fails the same way');
  // A threshold that allows it passes.
  const allowed = await lockstep(
    dir,
    ['gate', 'triage@3', '--baseline', 'production', '--max-changed', '80%'],
    ENV,
  );
  assertExit(allowed, 0);
  assert.match(allowed.stdout, /Gate passed: 4 of 5 runs changed/);

  // A changed prompt has no recorded answers: with misses failing, every run changes.
  assertExit(await publish(dir, workflow(server.baseUrl, 'Sort'), 'New prompt'), 0);
  const junitFile = path.join(dir, 'gate.xml');
  const missed = await lockstep(
    dir,
    ['gate', 'triage@4', '--baseline', 'production', '--on-miss', 'fail', '-o', junitFile],
    ENV,
  );
  assertExit(missed, 1);
  const junit = readFileSync(junitFile, 'utf8');
  assert.match(junit, /<testsuites name="lockstep gate" tests="5" failures="5"/);
  assert.match(junit, /type="regressed"/);
});

test('gate: explicit runs, no runs to sample, and refusals that name what is wrong', async (t) => {
  const { server, dir, live, replayId } = await setUp(t);
  assertExit(await publish(dir, workflow(server.baseUrl, 'Classify', '$lowercase'), 'Quieter'), 0);

  const two = await lockstep(
    dir,
    [
      'gate',
      'triage@2',
      '--baseline',
      'production',
      '--runs',
      `${live[0]!.slice(0, 12)},${live[1]}`,
      '--json',
    ],
    ENV,
  );
  assertExit(two, 1);
  assert.deepEqual(parseJson<GateJson>(two).sample, [live[0], live[1]]);

  // v2 has no runs of its own: nothing to replay passes, and says so.
  const none = await lockstep(dir, ['gate', 'triage@2', '--baseline', '2'], ENV);
  assertExit(none, 0);
  assert.match(none.stdout, /Gate passed without evidence: no live runs of triage v2 to replay/);

  const replayed = assertOneLineError(
    await lockstep(dir, ['gate', 'triage@2', '--baseline', 'production', '--runs', replayId], ENV),
  );
  assert.match(replayed, new RegExp(`run ${replayId} is a replay run; a gate replays live runs`));
  const channel = assertOneLineError(
    await lockstep(dir, ['gate', 'triage@2', '--baseline', 'staging'], ENV),
  );
  assert.match(channel, /triage has no channel 'staging'/);
  const other = assertOneLineError(
    await lockstep(dir, ['gate', 'triage@2', '--baseline', 'greet@1'], ENV),
  );
  assert.match(other, /the candidate is a version of triage/);
  const threshold = assertOneLineError(
    await lockstep(
      dir,
      ['gate', 'triage@2', '--baseline', 'production', '--max-changed', '120'],
      ENV,
    ),
  );
  assert.match(threshold, /--max-changed 120: give a percentage from 0 to 100/);
});

test('promote --require-gate: refused without a passing gate, admitted by one it cites; prune keeps the cited runs', async (t) => {
  const { server, dir, live, failedId } = await setUp(t);
  const controlLog = () =>
    readFileSync(path.join(dir, '.lockstep/control.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; action?: string; gate?: GateCitation });

  // v2 changes the outputs; v3 does not.
  assertExit(await publish(dir, workflow(server.baseUrl, 'Classify', '$lowercase'), 'Quieter'), 0);
  assertExit(
    await publish(
      dir,
      workflow(server.baseUrl, 'Classify').replace('inputs:', 'description: Sorts.\ninputs:'),
      'Docs',
    ),
    0,
  );
  const ungated = assertOneLineError(
    await lockstep(dir, ['promote', 'triage@3', '--channel', 'production', '--require-gate'], ENV),
  );
  assert.match(
    ungated,
    /no gate of triage v3 against production's v1 was recorded here; run `lockstep gate triage@3 --baseline production` first/,
  );
  assertExit(await lockstep(dir, ['gate', 'triage@2', '--baseline', 'production'], ENV), 1);
  const failedGate = assertOneLineError(
    await lockstep(dir, ['promote', 'triage@2', '--channel', 'production', '--require-gate'], ENV),
  );
  assert.match(
    failedGate,
    /the latest gate of triage v2 against v1 .* failed: 4 of 5 runs changed/,
  );
  assert.equal(controlLog().filter((e) => e.type === 'channel').length, 1, 'nothing was changed');

  const gated = await lockstep(
    dir,
    ['gate', 'triage@3', '--baseline', 'production', '--json'],
    ENV,
  );
  assertExit(gated, 0);
  const report = parseJson<GateJson>(gated);
  assertExit(
    await lockstep(
      dir,
      ['promote', 'triage@3', '--channel', 'production', '--require-gate', '-m', 'Gate passed'],
      ENV,
    ),
    0,
  );
  const promotion = controlLog().at(-1)!;
  assert.equal(promotion.action, 'promote');
  assert.deepEqual(promotion.gate?.sample, report.sample);
  assert.equal(promotion.gate?.pass, true);
  assert.match(promotion.gate?.report ?? '', /^sha256:[0-9a-f]{64}$/);
  const audit = await lockstep(dir, ['audit', 'triage', '--local'], ENV);
  assertExit(audit, 0);
  assert.match(
    audit.stdout,
    /gate sha256:[0-9a-f]{12} against production: passed, 0 of 5 runs changed/,
  );

  // Every run is old enough to go, but the five the cited gate replayed are its evidence.
  const pruned = await lockstep(dir, ['prune', '--older-than', '0m', '--keep', '0', '--json'], ENV);
  assertExit(pruned, 0);
  const { removed } = parseJson<{ removed: string[] }>(pruned);
  assert.ok(removed.length > 0, 'the replays and the scripted run went');
  for (const id of [...live, failedId]) {
    assert.ok(!removed.includes(id), `${id} was kept`);
    assertExit(await lockstep(dir, ['inspect', id, '--json'], ENV), 0);
  }
});

test('lockstep record: a routed run’s decision record cites the promotion and its gate, holds no secret, and detects edits', async (t) => {
  const { server, dir } = await setUp(t);
  assertExit(
    await publish(
      dir,
      workflow(server.baseUrl, 'Classify').replace('inputs:', 'description: Sorts.\ninputs:'),
      'Docs',
    ),
    0,
  );
  const gated = parseJson<GateJson>(
    await lockstep(dir, ['gate', 'triage@2', '--baseline', 'production', '--json'], ENV),
  );
  assertExit(
    await lockstep(dir, ['promote', 'triage@2', '--channel', 'production', '--require-gate'], ENV),
    0,
  );
  server.script(completion(JSON.stringify({ category: 'billing', reply: 'Refunded.' })));
  const ran = await lockstep(
    dir,
    ['run', 'triage@production', '-i', 'ticket=t-audit', '--json'],
    ENV,
  );
  assertExit(ran, 0);
  const runId = parseJson<{ id: string }>(ran).id;

  const file = path.join(dir, 'record.json');
  const written = await lockstep(dir, ['record', runId.slice(0, 12), '-o', file], ENV);
  assertExit(written, 0);
  assert.match(written.stdout, /cites publication #\d+, production r2, its gate/);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(ENV.OPENAI_API_KEY), 'the API key is nowhere in the record');
  const record = JSON.parse(text) as {
    run: { header: { id: string; routing: { channel: string } } };
    version: { source: string };
    prompts: { step: string; request: { messages?: unknown } }[];
    publication: { seq: number };
    admission: { action: string; gate: { sample: string[] } };
  };
  assert.equal(record.run.header.id, runId);
  assert.equal(record.run.header.routing.channel, 'production');
  assert.match(record.version.source, /description: Sorts\./);
  assert.equal(record.prompts[0]?.step, 'classify');
  assert.match(JSON.stringify(record.prompts[0]?.request), /Classify: t-audit/);
  assert.equal(record.publication.seq, 2);
  assert.equal(record.admission.action, 'promote');
  assert.deepEqual(record.admission.gate.sample, gated.sample);

  const verified = await lockstep(dir, ['record', '--verify', file], ENV);
  assertExit(verified, 0);
  assert.match(verified.stdout, /intact/);
  // An edited output, an edited prompt, a gate made to look better: each is caught.
  for (const [what, from, to, expected] of [
    ['output', '"Refunded."', '"Refused."', /run: its content does not match its hash/],
    [
      'prompt',
      'Classify: t-audit',
      'Classify: t-other',
      /run: its content does not match its hash/,
    ],
    ['gate', '"changed": 0', '"changed": 9', /admission: its content hashes to/],
  ] as const) {
    assert.ok(text.includes(from), `${what}: ${from} is in the record`);
    writeFileSync(file, text.split(from).join(to));
    const caught = await lockstep(dir, ['record', '--verify', file], ENV);
    assertExit(caught, 1);
    assert.match(caught.stdout, expected, what);
  }
  const unknown = assertOneLineError(await lockstep(dir, ['record', 'f00dfeedbeef'], ENV));
  assert.match(unknown, /no run f00dfeedbeef/);
});
