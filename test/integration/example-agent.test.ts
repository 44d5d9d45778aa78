// The support-agent example (examples/support-agent.workflow.yaml, its system prompt in
// examples/prompts/) as a reader runs it: offline
// with the examples' fixtures; live against a loopback Anthropic server and a loopback CRM; its
// live run replayed exactly with no call; and replayed against a version whose tool description
// changed, diverging at the first turn whose request changed.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { assertExit, gitRepo, lockstep, parseJson } from '../helpers/cli-workspace.js';
import { json, startFakeServer } from '../helpers/fake-http-server.js';
import { message, startFakeAnthropic, toolUse } from '../helpers/fake-anthropic-server.js';
import { REPO_ROOT } from '../helpers/paths.js';

const FILE = 'support-agent.workflow.yaml';
const KEYS = { ANTHROPIC_API_KEY: 'sk-ant-example-5e1d', CRM_TOKEN: 'crm-example-77aa' };
const NO_KEYS = { ANTHROPIC_API_KEY: undefined, CRM_TOKEN: undefined };

interface RunJson {
  id: string;
  status: string;
  output: { reply: string };
}

/** A workspace holding the example's files, as in examples/. */
function exampleRepo(t: import('node:test').TestContext): string {
  const dir = gitRepo(t, { 'README.md': 'the support-agent example\n' });
  const examples = path.join(REPO_ROOT, 'examples');
  for (const file of [
    FILE,
    'refund-policy.workflow.yaml',
    'prompts',
    'fixtures.yaml',
    'inputs',
    '.lockstep/config.yaml',
  ]) {
    cpSync(path.join(examples, file), path.join(dir, file), { recursive: true });
  }
  return dir;
}

test('the support agent runs offline from the examples’ fixtures and replays exactly', async (t) => {
  const dir = exampleRepo(t);
  const run = await lockstep(
    dir,
    [
      'run',
      FILE,
      '--fixtures',
      'fixtures.yaml',
      '--input-file',
      'inputs/order-question.json',
      '--json',
    ],
    NO_KEYS,
  );
  assertExit(run, 0);
  const recorded = parseJson<RunJson>(run);
  assert.match(recorded.output.reply, /within our 30-day refund window/);
  const replay = await lockstep(dir, ['replay', recorded.id, '--json'], NO_KEYS);
  assertExit(replay, 0);
  assert.equal(parseJson<{ verified: boolean }>(replay).verified, true);
});

test('live against loopback servers, then replayed exactly and against an edited tool description', async (t) => {
  const dir = exampleRepo(t);
  const model = await startFakeAnthropic(t);
  const crm = await startFakeServer(t);
  crm.route(
    'GET',
    '/orders/A-1001',
    json(200, { id: 'A-1001', product: 'Espresso machine', status: 'delivered' }),
  );
  // The example, pointed at the loopback servers (and its CRM token allowed to go there).
  const source = readFileSync(path.join(dir, FILE), 'utf8')
    .replace('max_tokens: 1024', `max_tokens: 1024\n    base_url: ${model.baseUrl}`)
    .replace('https://crm.example.com', crm.origin);
  writeFileSync(path.join(dir, FILE), source);
  writeFileSync(
    path.join(dir, '.lockstep/config.yaml'),
    'secrets: [ANTHROPIC_API_KEY, CRM_TOKEN]\n',
  );
  model.script(
    message([toolUse('toolu_1', 'lookup_order', { order_id: 'A-1001' })], {
      stopReason: 'tool_use',
    }),
    message([toolUse('toolu_2', 'refund_policy', { product: 'Espresso machine' })], {
      stopReason: 'tool_use',
    }),
    message('Your espresso machine is within the 30-day refund window: we will refund it.'),
  );
  const run = await lockstep(
    dir,
    ['run', FILE, '--input-file', 'inputs/order-question.json', '--json'],
    KEYS,
  );
  assertExit(run, 0);
  const live = parseJson<RunJson>(run);
  assert.match(live.output.reply, /30-day refund window/);
  assert.equal(model.requests.length, 3);
  assert.equal(crm.requests[0]?.headers['authorization'], `Bearer ${KEYS.CRM_TOKEN}`);
  // The system prompt comes from its own file, which is part of the version.
  const sent = model.requests[0]!.body as { system?: string };
  assert.match(sent.system ?? '', /Look an order up \(lookup_order\)/);

  const calls = model.requests.length + crm.requests.length;
  const replay = await lockstep(dir, ['replay', live.id, '--json'], NO_KEYS);
  assertExit(replay, 0);
  assert.equal(parseJson<{ verified: boolean }>(replay).verified, true);
  assert.equal(model.requests.length + crm.requests.length, calls, 'an exact replay calls nothing');

  writeFileSync(
    path.join(dir, FILE),
    source.replace(
      'The refund policy of a product.',
      'The refund policy of a product, by its name.',
    ),
  );
  const against = await lockstep(
    dir,
    ['replay', live.id, '--against', FILE, '--on-miss', 'fail', '--json'],
    NO_KEYS,
  );
  assertExit(against, 1);
  const report = parseJson<{ divergence?: { path: string; kind: string } }>(against);
  assert.deepEqual(
    { path: report.divergence?.path, kind: report.divergence?.kind },
    { path: 'answer/turn-1', kind: 'llm' },
  );
  assert.equal(model.requests.length + crm.requests.length, calls);
});
