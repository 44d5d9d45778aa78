// Live runs end to end: the real CLI runs workflows whose model and HTTP calls go to real servers
// on 127.0.0.1, with the API key from the environment. The run is recorded with its effects
// (usage, latency, canonical requests without the key), and the key appears nowhere in the store.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { secretPlaceholder } from '../../core/src/engine/effects.js';
import type { RunRecord } from '../../core/src/model/runs.js';
import {
  assertExit,
  assertNotStored,
  describeRun,
  gitRepo,
  lockstep,
  parseJson,
} from '../helpers/cli-workspace.js';
import {
  json,
  stall,
  startFakeServer,
  text,
  type FakeServer,
} from '../helpers/fake-http-server.js';
import {
  completion,
  COMPLETIONS_PATH,
  openAiError,
  startFakeOpenAi,
  streamed,
  type FakeOpenAi,
} from '../helpers/fake-openai-server.js';

const KEY = 'sk-live-test-7d3f0b9c51e8a2';
const FILE = 'triage.workflow.yaml';
/** The workspace's settings: the one secret the test workflow reads. */
const SETTINGS = { '.lockstep/config.yaml': 'secrets: [TEST_KEY]\n' };

interface Servers {
  readonly model: FakeOpenAi;
  readonly crm: FakeServer;
}

async function servers(t: TestContext): Promise<Servers> {
  return { model: await startFakeOpenAi(t), crm: await startFakeServer(t) };
}

/** A workflow with one `llm` step (settings in `llm`) and, unless `http` is false, an http step. */
function workflow(
  { model, crm }: Servers,
  options: { llm?: string; modelExtra?: string; http?: string | false } = {},
): string {
  const http =
    options.http === false
      ? ''
      : (options.http ??
        `  - id: customer
    http:
      method: GET
      url: ${crm.origin}/customers/\${{ inputs.customer_id }}
      query: { fields: name }
`);
  return `name: live-triage
inputs:
  ticket: { type: string }
  customer_id: { type: string }
models:
  fake:
    provider: openai
    model: test-model
    base_url: ${model.baseUrl}
    api_key: \${{ secrets.TEST_KEY }}
    temperature: 0
${options.modelExtra ?? ''}steps:
  - id: classify
    llm:
      model: fake
      system: You are a support triage assistant.
      prompt: 'Classify this ticket: \${{ inputs.ticket }}'
${options.llm ?? ''}${http}outputs:
  category: \${{ steps.classify.output }}
`;
}

function run(dir: string, ...extra: string[]) {
  return lockstep(
    dir,
    ['run', FILE, '--input', 'ticket=My invoice is wrong', '--input', 'customer_id=42', ...extra],
    { TEST_KEY: KEY },
  );
}

async function inspect(dir: string, id: string): Promise<RunRecord> {
  const result = await lockstep(dir, ['inspect', id, '--json']);
  assertExit(result, 0);
  return parseJson<RunRecord>(result);
}

/** The run id printed on the first line of `lockstep run`. */
function runId(stdout: string): string {
  const id = /^Run (\S+)$/m.exec(stdout)?.[1];
  assert.ok(id, `no run id in:\n${stdout}`);
  return id;
}

test('a live run calls the model and the HTTP endpoint and records both', async (t) => {
  const s = await servers(t);
  s.model.script(completion('billing', { usage: { prompt_tokens: 31, completion_tokens: 2 } }));
  s.crm.route('GET', '/customers/42', json(200, { id: 42, name: 'Ada' }));
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s).replace(
      '  category: ${{ steps.classify.output }}\n',
      '  category: ${{ steps.classify.output }}\n  customer: ${{ steps.customer.output.body.name }}\n',
    ),
  });
  const result = await run(dir);
  assertExit(result, 0);
  assert.match(result.stdout, /^ {2}status {4}succeeded$/m);
  assert.ok(
    result.stdout.includes(
      `  output    {\n              "category": "billing",\n              "customer": "Ada"\n            }`,
    ),
    describeRun(result),
  );
  assert.ok(!result.stdout.includes(KEY) && !result.stderr.includes(KEY));

  // What the servers received.
  assert.equal(s.model.requests.length, 1);
  const request = s.model.requests[0]!;
  assert.equal(request.path, COMPLETIONS_PATH);
  assert.equal(request.headers.authorization, `Bearer ${KEY}`);
  assert.deepEqual(request.body, {
    model: 'test-model',
    messages: [
      { role: 'system', content: 'You are a support triage assistant.' },
      { role: 'user', content: 'Classify this ticket: My invoice is wrong' },
    ],
    temperature: 0,
  });
  assert.deepEqual(
    s.crm.requests.map((r) => `${r.method} ${r.path}`),
    ['GET /customers/42?fields=name'],
  );

  // What the run recorded.
  const record = await inspect(dir, runId(result.stdout));
  assert.equal(record.status, 'succeeded');
  assert.deepEqual(record.output, { category: 'billing', customer: 'Ada' });
  assert.deepEqual(record.header.mode, { kind: 'live' });
  // Besides a record of whether the model's key was set (never its value).
  assert.deepEqual(
    record.effects.map((e) => [e.path, e.kind]),
    [
      ['run', 'secret'],
      ['classify', 'llm'],
      ['customer', 'http'],
    ],
  );
  assert.deepEqual(record.effects[0]!.response, true);
  const [, llm, http] = record.effects;
  assert.deepEqual(llm!.usage, { input: 31, output: 2 });
  assert.deepEqual(llm!.response, { content: 'billing', finishReason: 'stop' });
  assert.equal(typeof llm!.latencyMs, 'number');
  assert.ok(llm!.latencyMs >= 0);
  // The canonical request: allow-listed fields only, no endpoint and no key.
  assert.deepEqual(llm!.request, {
    provider: 'openai',
    model: 'test-model',
    messages: request.body && (request.body as { messages: unknown }).messages,
    temperature: 0,
  });
  assert.match(llm!.key, /sha256:[0-9a-f]{64}$/);
  assert.equal(http!.usage, undefined);
  assert.equal(typeof http!.latencyMs, 'number');
  assert.deepEqual(http!.request, {
    method: 'GET',
    url: `${s.crm.origin}/customers/42?fields=name`,
    headers: {},
  });
  const response = http!.response as { status: number; body: unknown };
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { id: 42, name: 'Ada' });

  assertNotStored(dir, KEY);
});

test('the key sent to an HTTP endpoint is recorded as a placeholder only', async (t) => {
  const s = await servers(t);
  s.model.script(completion('bug'));
  s.crm.route('POST', '/notes', json(201, { ok: true }));
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, {
      http: `  - id: customer
    http:
      method: POST
      url: ${s.crm.origin}/notes
      headers:
        authorization: Bearer \${{ secrets.TEST_KEY }}
      body:
        ticket: \${{ inputs.ticket }}
`,
    }),
  });
  const result = await run(dir, '--json');
  assertExit(result, 0);
  const printed = parseJson<{ id: string; status: string }>(result);
  assert.equal(printed.status, 'succeeded');
  assert.equal(s.crm.requests[0]!.headers.authorization, `Bearer ${KEY}`);
  assert.deepEqual(s.crm.requests[0]!.body, { ticket: 'My invoice is wrong' });
  const record = await inspect(dir, printed.id);
  const http = record.effects.find((e) => e.kind === 'http')!;
  const headers = (http.request as { headers: Record<string, string> }).headers;
  assert.equal(headers.authorization, `Bearer ${secretPlaceholder('TEST_KEY')}`);
  assert.ok(!result.stdout.includes(KEY));
  assertNotStored(dir, KEY);
});

test('a model endpoint answering 500: exit 1, the run failed, naming the endpoint', async (t) => {
  const s = await servers(t);
  s.model.script(openAiError(500, 'The server had an error processing your request'));
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, { http: false }),
  });
  const result = await run(dir);
  assertExit(result, 1);
  assert.match(result.stdout, /^ {2}status {4}failed$/m);
  assert.ok(result.stdout.includes(s.model.baseUrl), describeRun(result));
  assert.equal(s.model.requests.length, 1, '500 is not retried');
  const record = await inspect(dir, runId(result.stdout));
  assert.equal(record.status, 'failed');
  assert.equal(record.error?.code, 'server-error');
  assert.ok(record.error?.message.includes(`the model endpoint ${s.model.baseUrl}`));
  assert.match(record.error?.message ?? '', /answered 500/);
  const step = record.steps.find((st) => st.path === 'classify')!;
  assert.equal(step.status, 'failed');
  assert.equal(step.error?.code, 'server-error');
  const effect = record.effects.find((e) => e.kind === 'llm')!;
  assert.equal(effect.error?.code, 'server-error');
  assert.equal(effect.response, undefined);
  assertNotStored(dir, KEY);
});

test('the model refusing the key: the error names the secret, which is not stored', async (t) => {
  const s = await servers(t);
  // A server that echoes the key it refused must not get it into the store either.
  s.model.script(openAiError(401, `Incorrect API key provided: ${KEY}`));
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, { http: false }),
  });
  const result = await run(dir);
  assertExit(result, 1);
  const record = await inspect(dir, runId(result.stdout));
  assert.equal(record.error?.code, 'auth');
  assert.match(
    record.error?.message ?? '',
    /the secret TEST_KEY is set, but its value was refused/,
  );
  assertNotStored(dir, KEY);
});

test('output: json with a non-JSON answer fails with invalid-json, recording the text', async (t) => {
  const s = await servers(t);
  const answer = 'The category is billing.';
  s.model.script(completion(answer));
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, {
      http: false,
      llm: `      output: json
      schema: { type: object, required: [category], properties: { category: { enum: [billing, bug, how-to] } } }
`,
    }),
  });
  const result = await run(dir);
  assertExit(result, 1);
  assert.deepEqual((s.model.requests[0]!.body as { response_format?: unknown }).response_format, {
    type: 'json_object',
  });
  const record = await inspect(dir, runId(result.stdout));
  assert.equal(record.status, 'failed');
  const step = record.steps.find((st) => st.path === 'classify')!;
  assert.equal(step.error?.code, 'invalid-json');
  assert.match(step.error?.message ?? '', /asked for JSON but answered text that is not JSON/);
  assert.deepEqual(step.error?.detail, { text: answer });
  // The effect itself succeeded: the model did answer.
  assert.deepEqual(record.effects.find((e) => e.kind === 'llm')!.response, {
    content: answer,
    finishReason: 'stop',
  });
});

test('output: json not matching the schema fails with schema', async (t) => {
  const s = await servers(t);
  s.model.script(completion('```json\n{"category": "sales"}\n```'));
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, {
      http: false,
      llm: `      output: json
      schema: { type: object, required: [category], properties: { category: { enum: [billing, bug, how-to] } } }
`,
    }),
  });
  const result = await run(dir);
  assertExit(result, 1);
  const record = await inspect(dir, runId(result.stdout));
  const step = record.steps.find((st) => st.path === 'classify')!;
  assert.equal(step.error?.code, 'schema');
  assert.match(step.error?.message ?? '', /does not match the step's schema: \/category/);
  assert.deepEqual(step.error?.detail, { answer: { category: 'sales' } });
});

test('output: json matching the schema is the step output', async (t) => {
  const s = await servers(t);
  s.model.script(completion('{"category": "how-to"}'));
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, {
      http: false,
      llm: `      output: json
      schema: { type: object, required: [category], properties: { category: { enum: [billing, bug, how-to] } } }
`,
    }),
  });
  const result = await run(dir, '--json');
  assertExit(result, 0);
  assert.deepEqual(parseJson<{ output: unknown }>(result).output, {
    category: { category: 'how-to' },
  });
});

test('a streaming model gets an SSE answer and the run succeeds, with usage', async (t) => {
  const s = await servers(t);
  s.model.script(
    streamed(['bil', 'ling'], { split: true, usage: { prompt_tokens: 17, completion_tokens: 2 } }),
  );
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, { http: false, modelExtra: '    stream: true\n' }),
  });
  const result = await run(dir, '--json');
  assertExit(result, 0);
  const printed = parseJson<{ id: string; output: unknown }>(result);
  assert.deepEqual(printed.output, { category: 'billing' });
  const body = s.model.requests[0]!.body as { stream?: unknown };
  assert.equal(body.stream, true);
  const record = await inspect(dir, printed.id);
  const effect = record.effects.find((e) => e.kind === 'llm')!;
  assert.deepEqual(effect.usage, { input: 17, output: 2 });
  // Streaming is transport: it is not part of the canonical request.
  assert.equal((effect.request as { stream?: unknown }).stream, undefined);
  assertNotStored(dir, KEY);
});

test('an http step: a status other than `expect` fails naming the URL; `expect` accepts it', async (t) => {
  const s = await servers(t);
  s.model.script(completion('billing'), completion('billing'));
  s.crm.route('GET', '/customers/42', text(500, 'maintenance'));
  const step = (expect: string): string => `  - id: customer
    http:
      method: GET
      url: ${s.crm.origin}/customers/42
${expect}`;
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, { http: step('') }),
  });
  const failed = await run(dir);
  assertExit(failed, 1);
  const record = await inspect(dir, runId(failed.stdout));
  const error = record.steps.find((st) => st.path === 'customer')!.error;
  assert.equal(error?.code, 'http-status');
  assert.ok(
    error?.message.includes(
      `GET ${s.crm.origin}/customers/42 answered 500 (expected a 2xx status)`,
    ),
    error?.message,
  );
  assert.deepEqual(error?.detail, { status: 500, body: 'maintenance' });

  const accepting = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, { http: step('      expect: [200, 500]\n') }),
  });
  const passed = await run(accepting);
  assertExit(passed, 0);
});

test('an http step slower than its timeout fails with timeout', async (t) => {
  const s = await servers(t);
  s.model.script(completion('billing'));
  s.crm.route('GET', '/slow', stall());
  const dir = gitRepo(t, {
    ...SETTINGS,
    [FILE]: workflow(s, {
      http: `  - id: customer
    timeout: 300ms
    http:
      method: GET
      url: ${s.crm.origin}/slow
`,
    }),
  });
  const result = await run(dir);
  assertExit(result, 1);
  const record = await inspect(dir, runId(result.stdout));
  const step = record.steps.find((st) => st.path === 'customer')!;
  assert.equal(step.error?.code, 'timeout');
  assert.match(step.error?.message ?? '', /timed out after 300ms/);
});
