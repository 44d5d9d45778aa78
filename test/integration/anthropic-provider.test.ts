// `provider: anthropic` end to end: the real CLI runs workflows whose model is the loopback
// Anthropic server (fake-anthropic-server.ts, which the official client accepts as the API; see
// anthropic-loopback.test.ts), with the key from the environment. The server sees the request as
// Anthropic expects it (x-api-key, anthropic-version, a top-level system prompt, max_tokens); the
// run records the provider-neutral canonical request and never the key; an exact replay calls
// nothing; 429 and 529 are retried; a timeout, a 400, a missing max_tokens and a missing key each
// fail with a message that names the cause.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  assertExit,
  assertNotStored,
  describeRun,
  gitRepo,
  lockstep,
  parseJson,
} from '../helpers/cli-workspace.js';
import { stall } from '../helpers/fake-http-server.js';
import {
  anthropicError,
  message,
  MESSAGES_PATH,
  overloaded,
  startFakeAnthropic,
  streamedMessage,
  type FakeAnthropic,
} from '../helpers/fake-anthropic-server.js';
import { cliJson, inspectRun, type ReplayJson, type RunJson } from '../helpers/replay-workspace.js';

const KEY = 'sk-ant-live-test-3b8e1f0a6c2d';
const FILE = 'claude-triage.workflow.yaml';
const SETTINGS = { '.lockstep/config.yaml': 'secrets: [ANTHROPIC_API_KEY]\n' };
const WITH_KEY = { ANTHROPIC_API_KEY: KEY };
const WITHOUT_KEY = { ANTHROPIC_API_KEY: undefined };

/** A workflow with one `llm` step on an anthropic model (`modelExtra` adds model settings). */
function workflow(
  server: FakeAnthropic,
  options: { modelExtra?: string; llm?: string; maxTokens?: boolean } = {},
): string {
  return `name: claude-triage
inputs:
  ticket: { type: string }
models:
  claude:
    provider: anthropic
    model: claude-test
    base_url: ${server.baseUrl}
    api_key: \${{ secrets.ANTHROPIC_API_KEY }}
${options.maxTokens === false ? '' : '    max_tokens: 256\n'}    temperature: 0
${options.modelExtra ?? ''}steps:
  - id: classify
    llm:
      model: claude
      system: You are a support triage assistant.
      prompt: 'Classify this ticket: \${{ inputs.ticket }}'
${options.llm ?? ''}outputs:
  category: \${{ steps.classify.output }}
`;
}

async function repo(t: TestContext, options: Parameters<typeof workflow>[1] = {}) {
  const server = await startFakeAnthropic(t);
  const dir = gitRepo(t, { ...SETTINGS, [FILE]: workflow(server, options) });
  return { server, dir };
}

function run(dir: string, env: Record<string, string | undefined> = WITH_KEY) {
  return lockstep(dir, ['run', FILE, '--input', 'ticket=My invoice is wrong', '--json'], env);
}

/** The run a failed `lockstep run --json` printed. */
async function failedRun(dir: string, env?: Record<string, string | undefined>) {
  const result = await run(dir, env);
  assertExit(result, 1);
  const record = await inspectRun(dir, parseJson<RunJson>(result).id);
  assert.equal(record.status, 'failed');
  return { result, record };
}

test('a run calls the Messages API as Anthropic expects and records a neutral request', async (t) => {
  const { server, dir } = await repo(t);
  server.script(message('billing', { usage: { input_tokens: 31, output_tokens: 2 } }));
  const result = await run(dir);
  assertExit(result, 0);
  const printed = parseJson<RunJson>(result);
  assert.equal(printed.status, 'succeeded');
  assert.deepEqual(printed.output, { category: 'billing' });
  assert.ok(!result.stdout.includes(KEY) && !result.stderr.includes(KEY));

  // What the server received.
  assert.equal(server.requests.length, 1);
  const request = server.requests[0]!;
  assert.equal(request.path, MESSAGES_PATH);
  assert.equal(request.headers['x-api-key'], KEY);
  assert.equal(request.headers['anthropic-version'], '2023-06-01');
  assert.equal(request.headers.authorization, undefined);
  assert.deepEqual(request.body, {
    model: 'claude-test',
    max_tokens: 256,
    system: 'You are a support triage assistant.',
    messages: [{ role: 'user', content: 'Classify this ticket: My invoice is wrong' }],
    temperature: 0,
  });

  // What the run recorded: the same request shape as for any provider, no endpoint, no key.
  const record = await inspectRun(dir, printed.id);
  const llm = record.effects.find((e) => e.kind === 'llm')!;
  assert.deepEqual(llm.request, {
    provider: 'anthropic',
    model: 'claude-test',
    messages: [
      { role: 'system', content: 'You are a support triage assistant.' },
      { role: 'user', content: 'Classify this ticket: My invoice is wrong' },
    ],
    temperature: 0,
    max_tokens: 256,
  });
  assert.deepEqual(llm.response, { content: 'billing', finishReason: 'end_turn' });
  assert.deepEqual(llm.usage, { input: 31, output: 2 });
  assertNotStored(dir, KEY);
});

test('an exact replay reproduces the run without a call and without the key', async (t) => {
  const { server, dir } = await repo(t);
  server.script(message('billing'));
  const source = await cliJson<RunJson>(dir, ['run', FILE, '--input', 'ticket=Refund?'], WITH_KEY);
  assert.equal(server.requests.length, 1);
  const replay = await cliJson<ReplayJson>(dir, ['replay', source.id], WITHOUT_KEY);
  assert.equal(replay.kind, 'exact');
  assert.equal(replay.verified, true, JSON.stringify(replay.comparison));
  assert.deepEqual(replay.replay.output, source.output);
  assert.equal(server.requests.length, 1, 'the replay called nothing');
  assertNotStored(dir, KEY);
});

test('a streaming model: the SSE answer is read, usage kept, stream not in the request', async (t) => {
  const { server, dir } = await repo(t, { modelExtra: '    stream: true\n' });
  server.script(
    streamedMessage([['bil', 'ling']], {
      split: true,
      usage: { input_tokens: 17, output_tokens: 2 },
    }),
  );
  const result = await run(dir);
  assertExit(result, 0);
  const printed = parseJson<RunJson>(result);
  assert.deepEqual(printed.output, { category: 'billing' });
  assert.equal((server.requests[0]!.body as { stream?: unknown }).stream, true);
  const effect = (await inspectRun(dir, printed.id)).effects.find((e) => e.kind === 'llm')!;
  assert.deepEqual(effect.usage, { input: 17, output: 2 });
  assert.equal((effect.request as { stream?: unknown }).stream, undefined);
});

test('429 with Retry-After and 529 are retried; the run records one answer', async (t) => {
  const { server, dir } = await repo(t);
  server.script(
    anthropicError(429, 'rate_limit_error', 'Rate limited', { 'retry-after': '1' }),
    overloaded(),
    message('bug'),
  );
  const result = await run(dir);
  assertExit(result, 0);
  const printed = parseJson<RunJson>(result);
  assert.deepEqual(printed.output, { category: 'bug' });
  assert.equal(server.requests.length, 3);
  assert.deepEqual(server.requests[2]!.body, server.requests[0]!.body);
  const effects = (await inspectRun(dir, printed.id)).effects.filter((e) => e.kind === 'llm');
  assert.equal(effects.length, 1);
  assert.deepEqual(effects[0]!.response, { content: 'bug', finishReason: 'end_turn' });
});

test('a model slower than its timeout: the run fails with timeout, naming the endpoint', async (t) => {
  const { server, dir } = await repo(t, { modelExtra: '    timeout: 300ms\n' });
  server.script(stall());
  const { record } = await failedRun(dir);
  assert.equal(record.error?.code, 'timeout');
  assert.ok(
    record.error?.message.includes(
      `the model endpoint ${server.baseUrl} did not answer within 300 ms`,
    ),
    record.error?.message,
  );
});

test('a 400 from the API: the run fails with Anthropic’s message', async (t) => {
  const { server, dir } = await repo(t);
  server.script(
    anthropicError(
      400,
      'invalid_request_error',
      'prompt is too long: 210000 tokens > 200000 maximum',
    ),
  );
  const { record } = await failedRun(dir);
  assert.equal(record.error?.code, 'http-status');
  assert.match(
    record.error?.message ?? '',
    /answered 400: prompt is too long: 210000 tokens > 200000 maximum$/,
  );
  assert.equal(server.requests.length, 1, 'a 400 is not retried');
});

test('output: json parses the answer; an answer that is not JSON fails with invalid-json', async (t) => {
  const { server, dir } = await repo(t, {
    llm: `      output: json
      schema: { type: object, required: [category], properties: { category: { enum: [billing, bug] } } }
`,
  });
  server.script(message('```json\n{"category": "billing"}\n```'), message('It is billing.'));
  const passed = await run(dir);
  assertExit(passed, 0);
  assert.deepEqual(parseJson<RunJson>(passed).output, { category: { category: 'billing' } });
  // Anthropic has no response_format: the step asks by parsing, and the request says so.
  assert.equal(
    (server.requests[0]!.body as { response_format?: unknown }).response_format,
    undefined,
  );
  const { record } = await failedRun(dir);
  const step = record.steps.find((s) => s.path === 'classify')!;
  assert.equal(step.error?.code, 'invalid-json');
  assert.deepEqual(step.error?.detail, { text: 'It is billing.' });
});

test('a model without max_tokens is a validation error naming the field; nothing is sent', async (t) => {
  const { server, dir } = await repo(t, { maxTokens: false });
  server.script(message('never'));
  const validated = await lockstep(dir, ['validate', FILE]);
  assertExit(validated, 1);
  assert.match(
    validated.stdout + validated.stderr,
    /models\.claude: the anthropic provider needs max_tokens \(the Messages API requires it\)/,
  );
  const ran = await run(dir);
  assert.notEqual(ran.code, 0, describeRun(ran));
  assert.match(ran.stdout + ran.stderr, /models\.claude: the anthropic provider needs max_tokens/);
  assert.equal(server.requests.length, 0);
});

test('no key in the environment: the run fails naming the secret to set', async (t) => {
  const { server, dir } = await repo(t);
  server.script(message('never'));
  const { record } = await failedRun(dir, WITHOUT_KEY);
  assert.equal(server.requests[0]!.headers['x-api-key'], undefined);
  assert.equal(record.error?.code, 'auth');
  assert.match(
    record.error?.message ?? '',
    /refused the request \(401\): the secret ANTHROPIC_API_KEY is not set: set the ANTHROPIC_API_KEY environment variable/,
  );
});
