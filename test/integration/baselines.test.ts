// Regression baselines through the real CLI, against a fake OpenAI server on 127.0.0.1: runs
// become baselines (redacted, canonical, content-addressed, committed), `lockstep test` replays
// them against a version and judges the outputs by their rules, and a fresh `git clone` (the
// baselines committed, no local runs) gives the same verdicts.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  assertExit,
  assertOneLineError,
  commitAll,
  git,
  gitRepo,
  lockstep,
  parseJson,
} from '../helpers/cli-workspace.js';
import { completion, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai-server.js';
import { tempDir } from '../helpers/temp.js';

const KEY = 'sk-baseline-9f3a+/=é-7c2e1d';
const FILE = 'triage.workflow.yaml';
const PROMPT = 'Classify this ticket: ${{ inputs.ticket }}';

function workflow(server: FakeOpenAi, prompt = PROMPT): string {
  return `name: triage
inputs:
  ticket: { type: string }
models:
  fast:
    provider: openai
    model: gpt-4o-mini
    base_url: ${server.baseUrl}
    api_key: \${{ secrets.OPENAI_API_KEY }}
steps:
  - id: classify
    llm: { model: fast, prompt: "${prompt}", output: json }
  - id: shout
    transform: \${{ $uppercase(steps.classify.output.reply) }}
outputs:
  category: \${{ steps.classify.output.category }}
  reply:
    value: \${{ steps.classify.output.reply }}
    compare: normalized-text
  score: \${{ steps.classify.output.score }}
  loud: \${{ steps.shout.output }}
`;
}

const CONFIG = `secrets: [OPENAI_API_KEY]
compare:
  triage:
    score: { number: { tolerance: 0.1 } }
    loud: ignore
`;

const ENV = { OPENAI_API_KEY: KEY };
const NO_KEY = { OPENAI_API_KEY: undefined };

interface TestJson {
  ok: boolean;
  workflow: string;
  passed: number;
  failed: number;
  results: {
    pass: boolean;
    message?: string;
    replay?: string;
    baseline: { run: string };
    verdict?: { firstChangedStep?: string; outputs: { output: string; pass: boolean }[] };
  }[];
}

async function setUp(t: TestContext) {
  const server = await startFakeOpenAi(t);
  const dir = gitRepo(t, { [FILE]: workflow(server), '.lockstep/config.yaml': CONFIG });
  const runs: string[] = [];
  for (const answer of [
    { category: 'billing', reply: 'We will refund you.', score: 0.8 },
    { category: 'bug', reply: 'We are on it.', score: 0.4 },
  ]) {
    server.script(completion(JSON.stringify(answer)));
    const result = await lockstep(
      dir,
      ['run', FILE, '-i', `ticket=t-${answer.category}`, '--json'],
      ENV,
    );
    assertExit(result, 0);
    runs.push(parseJson<{ id: string }>(result).id);
  }
  return { server, dir, runs };
}

function baselineFiles(dir: string): string[] {
  const folder = path.join(dir, '.lockstep/baselines/triage');
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, FILE);
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from));
  writeFileSync(file, text.replace(from, to));
}

test('baselines: add (by prefix, twice is a no-op), list, remove; hostile names and ids refused; a damaged file named', async (t) => {
  const { dir, runs } = await setUp(t);
  const [first, second] = runs as [string, string];

  const added = await lockstep(dir, ['baselines', 'triage', 'add', first.slice(0, 19), '--json']);
  assertExit(added, 0);
  const { added: entry, created } = parseJson<{
    added: { file: string; id: string };
    created: boolean;
  }>(added);
  assert.equal(created, true);
  const files = baselineFiles(dir);
  assert.equal(files.length, 1);
  // Named by the sha256 of its canonical content.
  const text = readFileSync(path.join(dir, '.lockstep/baselines/triage', files[0]!), 'utf8');
  const { sha256, canonicalJson } = await import('../../core/src/hash/canonical.js');
  assert.equal(`sha256:${files[0]!.replace('.json', '')}`, sha256(text));
  assert.equal(entry.id, sha256(text));
  assert.equal(canonicalJson(JSON.parse(text)), text, 'canonical JSON');

  const again = await lockstep(dir, ['baselines', 'triage', 'add', first]);
  assertExit(again, 0);
  assert.match(again.stdout, /already is a baseline/);
  assert.deepEqual(baselineFiles(dir), files);
  assertExit(await lockstep(dir, ['baselines', 'triage', 'add', second]), 0);

  const listed = parseJson<{ baselines: { run: string; input: unknown }[] }>(
    await lockstep(dir, ['baselines', 'triage', '--json']),
  );
  assert.deepEqual(
    listed.baselines.map((b) => b.run),
    [first, second],
  );
  assert.deepEqual(listed.baselines[0]!.input, { ticket: 't-billing' });
  const shown = await lockstep(dir, ['baselines', 'triage']);
  assertExit(shown, 0);
  assert.match(shown.stdout, new RegExp(`^${first}  .*\\{"ticket":"t-billing"\\}$`, 'm'));

  // Committable: git sees the baselines, not the local runs.
  const status = git(dir, 'status', '--porcelain', '--untracked-files=all');
  assert.match(status, /\.lockstep\/baselines\/triage\/[0-9a-f]{64}\.json/);
  assert.doesNotMatch(status, /\.lockstep\/local\//);

  // Hostile names and ids never reach a path.
  for (const name of ['../triage', 'a/b', '..', 'Triage', '/etc']) {
    assertOneLineError(await lockstep(dir, ['baselines', name]));
  }
  for (const id of ['../../etc/passwd', 'zzzzzzzz', `${first.slice(0, 8)}/..`]) {
    assertOneLineError(await lockstep(dir, ['baselines', 'triage', 'remove', id]));
  }
  assertOneLineError(await lockstep(dir, ['baselines', 'triage', 'remove', first.slice(0, 4)]));
  assertOneLineError(await lockstep(dir, ['baselines', 'triage', 'frobnicate', first]));
  assert.equal(baselineFiles(dir).length, 2, 'nothing removed');

  // A damaged baseline is named, with what to do; nothing is rewritten.
  const damaged = path.join(dir, '.lockstep/baselines/triage', files[0]!);
  writeFileSync(damaged, text.replace('t-billing', 't-edited'));
  const refused = assertOneLineError(await lockstep(dir, ['baselines', 'triage']));
  assert.ok(refused.includes(files[0]!), refused);
  assert.match(refused, /does not match its name.*Restore it from git, or delete it/);
  assertOneLineError(await lockstep(dir, ['test', FILE]));
  assert.match(readFileSync(damaged, 'utf8'), /t-edited/, 'left as it was');
  writeFileSync(damaged, text);

  const removed = await lockstep(dir, ['baselines', 'triage', 'remove', second.slice(0, 19)]);
  assertExit(removed, 0);
  assert.deepEqual(baselineFiles(dir), files, 'only that file went');
});

test('lockstep test: passes unchanged, keeps the rules, fails after an edited prompt with the first changed step; reports and exit codes', async (t) => {
  const { server, dir, runs } = await setUp(t);
  for (const run of runs) assertExit(await lockstep(dir, ['baselines', 'triage', 'add', run]), 0);
  const requests = server.requests.length;

  // Unchanged: every answer comes from the baselines' recordings; no secret, no model call.
  const passed = await lockstep(dir, ['test', FILE, '--json'], NO_KEY);
  assertExit(passed, 0);
  const report = parseJson<TestJson>(passed);
  assert.deepEqual([report.ok, report.passed, report.failed], [true, 2, 0]);
  assert.equal(server.requests.length, requests);
  // Each replay is a run of its own, like `lockstep replay --against`.
  const inspected = parseJson<{ header: { mode: unknown } }>(
    await lockstep(dir, ['inspect', report.results[0]!.replay!, '--json']),
  );
  assert.deepEqual(inspected.header.mode, { kind: 'replay-against', source: runs[0] });

  // The prompt edited: answered live by the model, within the rules (reply re-cased and
  // re-spaced, score within its tolerance) for the first, out of them for the second.
  edit(dir, PROMPT, 'Classify the ticket: ${{ inputs.ticket }}');
  server.script(
    completion(
      JSON.stringify({ category: 'billing', reply: '  we will REFUND you. ', score: 0.85 }),
    ),
    completion(JSON.stringify({ category: 'billing', reply: 'We are on it.', score: 0.9 })),
  );
  const judged = await lockstep(dir, ['test', FILE, '--format', 'json', '--on-miss', 'live'], ENV);
  assertExit(judged, 1);
  const verdicts = parseJson<TestJson>(judged);
  assert.deepEqual(
    verdicts.results.map((r) => r.pass),
    [true, false],
  );
  const failure = verdicts.results[1]!;
  assert.equal(failure.verdict?.firstChangedStep, 'classify');
  assert.equal(
    failure.message,
    'category (exact): differs; score (number ±0.1): differs by 0.5 (tolerance 0.1)',
  );

  // --on-miss fail: the replay stops at the edited step; both fail; JUnit, Markdown files.
  const junit = await lockstep(dir, ['test', FILE, '--on-miss', 'fail', '-o', 'results.xml']);
  assertExit(junit, 1);
  assert.match(junit.stdout, /0 passed, 2 failed/);
  const xml = readFileSync(path.join(dir, 'results.xml'), 'utf8');
  assertJunit(xml, 2, 2);
  assert.match(xml, /first changed step: classify/);
  const md = await lockstep(dir, ['test', FILE, '--on-miss', 'fail', '--format', 'markdown']);
  assertExit(md, 1);
  assert.match(md.stdout, /^\| \*\*FAIL\*\* \| /m);
  assert.match(md.stdout, /^first changed step: classify$/m);

  // Usage errors exit 2.
  assertOneLineError(await lockstep(dir, ['test', FILE, '--format', 'html']));
  assertOneLineError(await lockstep(dir, ['test', FILE, '--timeout', '0']));
  assertOneLineError(await lockstep(dir, ['test', 'nope.workflow.yaml']));
});

test('a fresh clone with committed baselines and no local runs gives the same verdicts', async (t) => {
  const { dir, runs } = await setUp(t);
  for (const run of runs) assertExit(await lockstep(dir, ['baselines', 'triage', 'add', run]), 0);
  commitAll(dir, 'baselines');
  const here = parseJson<TestJson>(await lockstep(dir, ['test', FILE, '--json'], NO_KEY));

  const clone = path.join(tempDir(t, 'lockstep-clone-'), 'repo');
  git(dir, 'clone', '--quiet', dir, clone);
  assert.equal(existsSync(path.join(clone, '.lockstep/local')), false, 'no local runs in a clone');
  assert.equal(baselineFiles(clone).length, 2);
  const there = await lockstep(
    clone,
    ['test', FILE, '--format', 'junit', '-o', 'junit.xml'],
    NO_KEY,
  );
  assertExit(there, 0);
  assertJunit(readFileSync(path.join(clone, 'junit.xml'), 'utf8'), 2, 0);
  const cloned = parseJson<TestJson>(await lockstep(clone, ['test', FILE, '--json'], NO_KEY));
  const summary = (r: TestJson) => r.results.map((x) => [x.baseline.run, x.pass, x.message]);
  assert.deepEqual(summary(cloned), summary(here));

  // After the same edit, in both: the same failures.
  for (const where of [dir, clone]) edit(where, PROMPT, 'Sort this ticket: ${{ inputs.ticket }}');
  const failedHere = await lockstep(dir, ['test', FILE, '--json', '--on-miss', 'fail'], NO_KEY);
  const failedThere = await lockstep(clone, ['test', FILE, '--json', '--on-miss', 'fail'], NO_KEY);
  assertExit(failedHere, 1);
  assertExit(failedThere, 1);
  const messages = (r: TestJson) =>
    r.results.map((x) => [x.baseline.run, x.pass, x.verdict?.firstChangedStep]);
  assert.deepEqual(
    messages(parseJson<TestJson>(failedThere)),
    messages(parseJson<TestJson>(failedHere)),
  );
});

test('a secret a baselined run used is nowhere in the baselines folder, in any form', async (t) => {
  const { server, dir, runs } = await setUp(t);
  // The model echoed the key back in its answer; and it was sent as the bearer token.
  server.script(completion(JSON.stringify({ category: 'x', reply: `key ${KEY}`, score: 1 })));
  const leaky = await lockstep(dir, ['run', FILE, '-i', `ticket=${KEY}`, '--json'], ENV);
  assertExit(leaky, 0);
  assert.ok(server.requests.at(-1)!.headers['authorization']?.includes(KEY), 'the key was sent');
  for (const run of [...runs, parseJson<{ id: string }>(leaky).id]) {
    assertExit(await lockstep(dir, ['baselines', 'triage', 'add', run], ENV), 0);
  }
  const bytes = Buffer.concat(
    baselineFiles(dir).map((f) => readFileSync(path.join(dir, '.lockstep/baselines/triage', f))),
  );
  assert.ok(bytes.length > 0);
  assert.ok(bytes.includes('⟦secret:OPENAI_API_KEY⟧'), 'the placeholder is there instead');
  const raw = Buffer.from(KEY, 'utf8');
  for (const form of [
    KEY,
    JSON.stringify(KEY).slice(1, -1),
    encodeURIComponent(KEY),
    raw.toString('base64'),
    raw.toString('base64url'),
    raw.toString('hex'),
  ]) {
    assert.equal(bytes.includes(form), false, `found ${form}`);
  }
});

/** Checks the JUnit document's shape: well-formed enough for CI, the counts, escaped text. */
function assertJunit(xml: string, tests: number, failures: number): void {
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
  assert.equal((xml.match(/<testsuite /g) ?? []).length, 1);
  assert.equal((xml.match(/<testcase /g) ?? []).length, tests);
  assert.equal((xml.match(/<failure message="/g) ?? []).length, failures);
  assert.match(xml, new RegExp(`<testsuite name="triage" tests="${tests}" failures="${failures}"`));
  // Every tag closed in order, and no raw markup characters in text.
  const stack: string[] = [];
  for (const tag of xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([a-z-]+)[^>]*?(\/?)>/g)) {
    if (tag[3] === '/') continue;
    if (tag[1] === '/') assert.equal(stack.pop(), tag[2]);
    else stack.push(tag[2]!);
  }
  assert.deepEqual(stack, []);
  assert.doesNotMatch(xml.replace(/<[^>]*>/g, ''), /[<>]|&(?!(amp|lt|gt|quot|apos);)/);
}
