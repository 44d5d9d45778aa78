// Run bundles through the real CLI, against a fake OpenAI server on 127.0.0.1: production's runs
// (with the child runs they called) are exported, imported into another store and replayed there
// exactly with no model call; importing twice changes nothing; a damaged or edited bundle is
// refused whole; personal data named by redact paths leaves in no form, and the redacted runs
// still replay exactly; CI gates a candidate on the bundle's runs.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { canonicalJson, sha256 } from '../../core/src/hash/canonical.js';
import {
  assertExit,
  assertOneLineError,
  commitAll,
  git,
  gitRepo,
  lockstep,
  parseJson,
  treeOf,
} from '../helpers/cli-workspace.js';
import { completion, startFakeOpenAi } from '../helpers/fake-openai-server.js';
import { tempDir } from '../helpers/temp.js';

const KEY = 'sk-bundle-9d41c7';
const ENV = { OPENAI_API_KEY: KEY };
const EMAILS = ['ann.lee@example.com', 'bo.chen@example.org', 'cy@example.net'];

function triage(baseUrl: string, prompt = 'Classify'): string {
  return `name: triage
inputs:
  ticket: { type: string }
  email: { type: string }
  priority: { type: number }
models:
  fast:
    provider: openai
    model: gpt-4o-mini
    base_url: ${baseUrl}
    api_key: \${{ secrets.OPENAI_API_KEY }}
steps:
  - id: classify
    llm: { model: fast, prompt: "${prompt} for \${{ inputs.email }}: \${{ inputs.ticket }}", output: json }
  - id: note
    workflow: { name: lookup, version: production, inputs: { email: "\${{ inputs.email }}" } }
outputs:
  category: \${{ steps.classify.output.category }}
  reply: \${{ steps.classify.output.reply }}
  note: \${{ steps.note.output.note }}
`;
}

const LOOKUP = `name: lookup
inputs:
  email: { type: string }
steps:
  - id: note
    transform: '\${{ { "email": inputs.email, "noted": true } }}'
outputs:
  note: \${{ steps.note.output }}
`;

/** A production workspace whose store holds three live runs of triage through production. */
async function production(t: TestContext) {
  const server = await startFakeOpenAi(t);
  const dir = gitRepo(t, {
    'triage.workflow.yaml': triage(server.baseUrl),
    'lookup.workflow.yaml': LOOKUP,
    '.lockstep/config.yaml': 'secrets: [OPENAI_API_KEY]\n',
  });
  const ok = async (args: string[]) => {
    const result = await lockstep(dir, args, ENV);
    assertExit(result, 0);
    return result;
  };
  for (const name of ['lookup', 'triage']) {
    await ok(['publish', `${name}.workflow.yaml`, '-m', `${name} v1`]);
    await ok(['promote', `${name}@1`, '--channel', 'production']);
  }
  const runs: string[] = [];
  for (const [i, email] of EMAILS.entries()) {
    server.script(
      completion(JSON.stringify({ category: `c${i}`, reply: `Dear ${email}, thanks (#${i})` })),
    );
    const run = await ok([
      'run',
      'triage@production',
      '-i',
      `ticket=t${i}`,
      '-i',
      `email=${email}`,
      '-i',
      `priority=${i}`,
      '--json',
    ]);
    runs.push(parseJson<{ id: string }>(run).id);
  }
  commitAll(dir, 'publish and promote');
  return { server, dir, runs, ok };
}

interface ExportJson {
  id: string;
  runs: number;
  childRuns: number;
  versions: number;
  valuesRedacted: number;
}
interface ImportJson {
  id: string;
  runs: { added: string[]; present: number; kept: string[] };
  versions: { added: string[]; present: number };
}

function bundleJson(file: string): Record<string, unknown> {
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Record<string, unknown>;
}

function writeBundleJson(file: string, value: unknown): void {
  writeFileSync(file, gzipSync(Buffer.from(JSON.stringify(value))));
}

test('production runs travel as a bundle: imported elsewhere they replay exactly with no model call, and importing twice changes nothing', async (t) => {
  const { server, runs, ok } = await production(t);
  const bundle = path.join(tempDir(t, 'lockstep-bundle-'), 'production.bundle');
  const exported = parseJson<ExportJson>(
    await ok(['export', '--channel', 'production', '--last', '10', '-o', bundle, '--json']),
  );
  assert.equal(exported.runs, 3, 'the three top-level runs production routed');
  assert.equal(exported.childRuns, 3, 'each called lookup once');
  assert.equal(exported.versions, 2);
  assert.match(exported.id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(sha256(canonicalJson(bundleJson(bundle))).length, 71);
  assert.ok(!readFileSync(bundle).includes(KEY) && !gunzipSync(readFileSync(bundle)).includes(KEY));

  // A laptop: another workspace with no store at all.
  const laptop = gitRepo(t, { 'README.md': 'elsewhere\n' });
  const imported = parseJson<ImportJson>(await lockstep(laptop, ['import', bundle, '--json']));
  assert.equal(imported.id, exported.id);
  assert.equal(imported.runs.added.length, 6);
  assert.equal(imported.versions.added.length, 2, 'versions arrive with their ids');
  const { runs: listed } = parseJson<{ runs: { id: string; version: { seq?: number } }[] }>(
    await lockstep(laptop, ['runs', 'triage', '--json']),
  );
  assert.deepEqual(listed.map((run) => run.id).sort(), [...runs].sort());
  assert.ok(
    listed.every((run) => run.version.seq === 1),
    'seq stays the publishing store’s provenance',
  );
  const calls = server.requests.length;
  const replay = await lockstep(laptop, ['replay', runs[0]!, '--json']);
  assertExit(replay, 0);
  assert.equal(parseJson<{ verified: boolean }>(replay).verified, true);
  assert.equal(server.requests.length, calls, 'an exact replay calls no model');

  // Importing again adds nothing, logs nothing, rewrites nothing.
  const storeBefore = treeOf(path.join(laptop, '.lockstep'));
  const again = await lockstep(laptop, ['import', bundle]);
  assertExit(again, 0);
  assert.match(
    again.stdout,
    /0 runs and 0 versions added; 6 runs and 2 versions were already here/,
  );
  assert.deepEqual(treeOf(path.join(laptop, '.lockstep')), storeBefore);
  const audit = await lockstep(laptop, ['audit', '--local', '--format', 'jsonl']);
  const imports = audit.stdout.split('\n').filter((line) => line.includes('"import"'));
  assert.equal(imports.length, 1, 'one import in the local log');
  assert.match(imports[0]!, new RegExp(exported.id));

  // The production store itself already has every run: nothing to add there either.
  const home = parseJson<ImportJson>(await ok(['import', bundle, '--json']));
  assert.deepEqual(home.runs.added, []);
  assert.equal(home.runs.present, 6);
});

test('a damaged or edited bundle is refused whole, naming the file, and nothing is imported', async (t) => {
  const { runs, ok } = await production(t);
  const folder = tempDir(t, 'lockstep-bundle-');
  const bundle = path.join(folder, 'good.bundle');
  await ok(['export', ...runs, '-o', bundle]);
  const good = bundleJson(bundle);
  const laptop = gitRepo(t, { 'README.md': 'elsewhere\n' });

  const refused = async (name: string, bytes: Buffer, reason: RegExp) => {
    const file = path.join(folder, name);
    writeFileSync(file, bytes);
    const line = assertOneLineError(await lockstep(laptop, ['import', file]));
    assert.match(line, new RegExp(`${name}: `));
    assert.match(line, reason);
    assert.match(line, /Nothing was imported/);
    assert.deepEqual(treeOf(path.join(laptop, '.lockstep', 'local')), {}, name);
  };
  const original = readFileSync(bundle);
  await refused('cut.bundle', original.subarray(0, original.length - 40), /cut short/);
  await refused('plain.bundle', Buffer.from(JSON.stringify(good)), /not a gzip/);
  await refused('notjson.bundle', gzipSync(Buffer.from('{"lockstep":')), /not JSON/);

  // An edited output, the id left as it was.
  const edited = structuredClone(good) as { runs: { output: unknown }[] };
  edited.runs[0]!.output = { category: 'forged' };
  writeBundleJson(path.join(folder, 'x'), edited);
  await refused('edited.bundle', readFileSync(path.join(folder, 'x')), /does not match its id/);

  // An edited definition with the bundle's id made to match: the version's own hashes catch it.
  const { id: _id, ...rest } = structuredClone(good) as Record<string, unknown> & {
    versions: { definition: { description?: string } }[];
  };
  rest.versions[0]!.definition.description = 'forged';
  writeBundleJson(path.join(folder, 'x'), { ...rest, id: sha256(canonicalJson(rest)) });
  await refused('resealed.bundle', readFileSync(path.join(folder, 'x')), /hashes to|checksum/);

  // A run whose version is not in the bundle, resealed.
  const { id: _id2, ...orphan } = structuredClone(good) as Record<string, unknown> & {
    versions: { name: string }[];
  };
  orphan.versions = orphan.versions.filter((version) => version.name !== 'triage');
  writeBundleJson(path.join(folder, 'x'), { ...orphan, id: sha256(canonicalJson(orphan)) });
  await refused('orphan.bundle', readFileSync(path.join(folder, 'x')), /does not hold/);

  await refused('newer.bundle', gzipSync(Buffer.from('{"lockstep":"bundle","format":9}')), /newer/);

  // The good one still imports, in full.
  const imported = parseJson<ImportJson>(await lockstep(laptop, ['import', bundle, '--json']));
  assert.equal(imported.runs.added.length, 6);
});

test('redact paths replace personal data everywhere in the bundle, in every encoding, and the runs still replay exactly', async (t) => {
  const { server, dir, runs, ok } = await production(t);
  writeFileSync(
    path.join(dir, '.lockstep/config.yaml'),
    'secrets: [OPENAI_API_KEY]\nredact: [output.reply]\n',
  );
  const bundle = path.join(tempDir(t, 'lockstep-bundle-'), 'redacted.bundle');
  const exported = await ok(['export', ...runs, '--redact', 'input.email', '-o', bundle]);
  assert.match(exported.stdout, /Redacted 6 values found at output\.reply, input\.email/);
  const text = gunzipSync(readFileSync(bundle)).toString('utf8');
  for (const email of EMAILS) {
    const forms = [
      email,
      JSON.stringify(email).slice(1, -1),
      encodeURIComponent(email),
      Buffer.from(email).toString('base64'),
    ];
    for (const form of forms) assert.ok(!text.includes(form), `${form} left the store`);
  }
  assert.ok(!text.includes('thanks (#'), 'the replies are gone');
  assert.match(text, /⟦redacted:input\.email⟧/);
  assert.match(text, /⟦redacted:output\.reply⟧/);
  assert.deepEqual(bundleJson(bundle).redacted, ['output.reply', 'input.email']);

  // Elsewhere, the redacted runs replay exactly: requests are rebuilt from the placeholders.
  const laptop = gitRepo(t, { 'README.md': 'elsewhere\n' });
  assertExit(await lockstep(laptop, ['import', bundle]), 0);
  const calls = server.requests.length;
  for (const run of runs) {
    const replay = await lockstep(laptop, ['replay', run, '--json']);
    assertExit(replay, 0);
    assert.equal(parseJson<{ verified: boolean }>(replay).verified, true, replay.stdout);
  }
  assert.equal(server.requests.length, calls);

  // Back home, the store keeps its originals: the redacted copies are not written over them.
  const home = await ok(['import', bundle]);
  assert.match(home.stderr, /already here with other content .* kept/);

  // Paths that are not redact paths, or lead to what cannot be replaced, are refused.
  const number = assertOneLineError(
    await lockstep(dir, ['export', runs[0]!, '--redact', 'input.priority', '-o', bundle], ENV),
  );
  assert.match(
    number,
    /input\.priority' leads to a number in run .*: a redact path must lead to text/,
  );
  const wrongRoot = assertOneLineError(
    await lockstep(dir, ['export', runs[0]!, '--redact', 'inputs.email', '-o', bundle], ENV),
  );
  assert.match(wrongRoot, /reads 'inputs' \(a run records its input as `input`\)/);
  writeFileSync(path.join(dir, '.lockstep/config.yaml'), 'redact: ["steps.x"]\n');
  const badConfig = await lockstep(dir, ['export', runs[0]!, '-o', bundle], ENV);
  assertExit(badConfig, 1);
  assert.match(badConfig.stderr, /redact\[0\]: 'steps\.x': it reads 'steps'/);
});

test('CI gates a candidate on a bundle of production runs: the report names the bundle and the workflows calling through the channel', async (t) => {
  const { server, dir, ok } = await production(t);
  const bundle = path.join(tempDir(t, 'lockstep-bundle-'), 'production.bundle');
  await ok([
    'export',
    '--channel',
    'production',
    '--last',
    '50',
    '--workflow',
    'triage',
    '-o',
    bundle,
  ]);

  // CI: a fresh clone of the repository (published versions and channels, no runs) with a
  // workflow that calls triage through production, and a pull request changing the prompt.
  const ci = path.join(tempDir(t, 'lockstep-ci-'), 'repo');
  git(path.dirname(ci), 'clone', '--quiet', dir, ci);
  writeFileSync(
    path.join(ci, 'escalate.workflow.yaml'),
    `name: escalate
inputs:
  ticket: { type: string }
steps:
  - id: sort
    workflow: { name: triage, version: production, inputs: { ticket: "\${{ inputs.ticket }}", email: "x@example.com", priority: 1 } }
`,
  );
  writeFileSync(path.join(ci, 'triage.workflow.yaml'), triage(server.baseUrl, 'Sort'));
  server.script(
    ...EMAILS.map(() => completion(JSON.stringify({ category: 'other', reply: 'changed' }))),
  );
  const gate = await lockstep(
    ci,
    [
      'gate',
      'triage.workflow.yaml',
      '--baseline',
      'production',
      '--bundle',
      bundle,
      '--format',
      'markdown',
    ],
    ENV,
  );
  assertExit(gate, 1);
  assert.match(gate.stderr, /Imported .*production\.bundle .*: 6 runs and 0 versions added/);
  assert.match(gate.stdout, /Gate FAILED: 3 of 3 runs changed/);
  assert.match(gate.stdout, /Runs drawn from bundle `sha256:[0-9a-f]{64}`\./);
  assert.match(gate.stdout, /Called through `production` by `escalate` \(step `sort`\)/);

  // The gate is recorded citing the bundle's runs, which are now in CI's store; gating again on
  // the same bundle imports nothing.
  const again = await lockstep(
    ci,
    ['gate', 'triage@1', '--baseline', 'production', '--bundle', bundle, '--json'],
    ENV,
  );
  assertExit(again, 0);
  assert.match(again.stderr, /0 runs and 0 versions added/);
  const report = parseJson<{ sample: string[]; bundle: string; callers: unknown[] }>(again);
  assert.equal(report.sample.length, 3);
  assert.match(report.bundle, /^sha256:/);
  assert.deepEqual(report.callers, [{ workflow: 'escalate', steps: ['sort'] }]);

  const both = assertOneLineError(
    await lockstep(
      ci,
      ['gate', 'triage@1', '--baseline', 'production', '--bundle', bundle, '--runs', 'x'],
      ENV,
    ),
  );
  assert.match(both, /--runs names the runs: give it without --sample or --bundle/);
});

test('a workflow’s baselines travel as a bundle too', async (t) => {
  const { runs, ok } = await production(t);
  const bundle = path.join(tempDir(t, 'lockstep-bundle-'), 'baselines.bundle');
  await ok(['baselines', 'triage', 'add', runs[1]!]);
  const exported = parseJson<ExportJson>(
    await ok(['export', '--baselines', 'triage', '-o', bundle, '--json']),
  );
  assert.equal(exported.runs, 1);
  assert.equal(exported.childRuns, 1, 'the child run it called, from the store');
  const laptop = gitRepo(t, { 'README.md': 'elsewhere\n' });
  const imported = parseJson<ImportJson>(await lockstep(laptop, ['import', bundle, '--json']));
  assert.equal(imported.runs.added.length, 2);
  const replay = await lockstep(laptop, ['replay', runs[1]!, '--json']);
  assertExit(replay, 0);
  assert.equal(parseJson<{ verified: boolean }>(replay).verified, true);
});

test('export says what it cannot take: an unknown run, no selection, two selections, --last without --channel', async (t) => {
  const { dir, runs } = await production(t);
  const out = path.join(tempDir(t, 'lockstep-bundle-'), 'b.bundle');
  const cases: [string[], RegExp][] = [
    [['export', '-o', out], /say which runs/],
    [['export', runs[0]!, '--channel', 'production', '--last', '1', '-o', out], /one of them/],
    [['export', runs[0]!], /-o, --output <file>/],
    [['export', '--channel', 'production', '-o', out], /--channel needs --last <n>/],
    [
      ['export', '--channel', 'production', '--last', '0', '-o', out],
      /--last 0: give a whole number/,
    ],
    [['export', runs[0]!, '--last', '2', '-o', out], /--last and --workflow go with --channel/],
    [['export', '0190aaaa-0000-7000-8000-000000000000', '-o', out], /no run/],
  ];
  for (const [args, message] of cases) {
    assert.match(assertOneLineError(await lockstep(dir, args, ENV)), message, args.join(' '));
  }
});
