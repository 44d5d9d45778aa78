// Agent steps end to end: the real CLI runs a workflow whose `llm` steps call tools, against the
// loopback model servers (streamed OpenAI tool-call deltas; Anthropic tool_use blocks) and a real
// HTTP server on 127.0.0.1 behind an `http` tool, with a `workflow` tool running a child workflow.
// Tool calls of one turn run in parallel up to `concurrency`; invalid arguments go back to the
// model; tool_choice reaches the wire; max_turns fails the run; an exact replay makes no network
// call; a replay against a file whose tool description changed diverges at exactly the first turn
// whose request changed.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  assertExit,
  assertNotStored,
  gitRepo,
  lockstep,
  parseJson,
  writeFiles,
} from '../helpers/cli-workspace.js';
import { json, startFakeServer, type FakeServer } from '../helpers/fake-http-server.js';
import * as anthropic from '../helpers/fake-anthropic-server.js';
import { startFakeOpenAi, streamed, type FakeOpenAi } from '../helpers/fake-openai-server.js';
import { cliJson, inspectRun, type ReplayJson, type RunJson } from '../helpers/replay-workspace.js';

const KEY = 'sk-live-agent-9c3e7b21f0';
const WITH_KEY = { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY };
const NO_KEY = { OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined };
const FILE = 'support-agent.workflow.yaml';

const POLICY = `name: refund-policy
inputs:
  product: { type: string }
steps:
  - id: policy
    transform: 'Refunds for \${{ inputs.product }} within 30 days.'
`;

function agent(
  model: FakeOpenAi,
  crm: FakeServer,
  policyDescription = 'The refund policy for a product.',
): string {
  return `name: support-agent
inputs:
  question: { type: string }
models:
  gpt:
    provider: openai
    model: small-1
    base_url: ${model.baseUrl}
    api_key: \${{ secrets.OPENAI_API_KEY }}
    stream: true
steps:
  - id: gather
    llm:
      model: gpt
      system: You gather facts about orders.
      prompt: \${{ inputs.question }}
      max_turns: 3
      concurrency: 2
      tools:
        - name: lookup
          description: Looks up an order by its id.
          parameters:
            type: object
            required: [order_id]
            properties: { order_id: { type: string } }
            additionalProperties: false
          http: { url: '${crm.origin}/orders/\${{ args.order_id }}' }
  - id: answer
    llm:
      model: gpt
      system: You answer the customer.
      prompt: 'Facts: \${{ steps.gather.output }}'
      max_turns: 3
      tool_choice: policy
      tools:
        - name: policy
          description: ${policyDescription}
          parameters: { type: object, required: [product], properties: { product: { type: string } } }
          workflow: { name: refund-policy, inputs: { product: '\${{ args.product }}' } }
outputs:
  reply: \${{ steps.answer.output }}
`;
}

/**
 * An order service on 127.0.0.1 that sees how many lookups are in flight at once: each answer
 * waits until `limit` are in flight (or all `total` have arrived, or a deadline passed, so a
 * loop that runs fewer at once still finishes), and `most` keeps the highest count seen.
 */
async function orderService(t: TestContext, limit: number, total: number) {
  let inFlight = 0;
  let arrived = 0;
  const state = { most: 0 };
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const crm = await startFakeServer(t, {
    fallback: async (res, request) => {
      arrived++;
      state.most = Math.max(state.most, ++inFlight);
      if (inFlight >= limit || arrived >= total) release();
      await Promise.race([released, new Promise((resolve) => setTimeout(resolve, 3000))]);
      inFlight--;
      const id = request.path.split('/').pop();
      json(200, { id, status: id === 'A1' ? 'shipped' : 'late' })(res, request);
    },
  });
  return { crm, state };
}

const call = (id: string, name: string, args: object) => ({
  id,
  name,
  arguments: JSON.stringify(args),
});

/** The model's four turns: gather (3 lookups + 1 invalid call, then facts), answer (policy, then reply). */
function scriptModel(model: FakeOpenAi): void {
  model.script(
    streamed([], {
      toolCalls: [
        call('call_a', 'lookup', { order_id: 'A1' }),
        call('call_b', 'lookup', { order_id: 'B2' }),
        call('call_c', 'lookup', { order_id: 'C3' }),
        call('call_d', 'lookup', { orderId: 'D4' }),
      ],
    }),
    streamed(['A1 shipped; ', 'B2 and C3 late.']),
    streamed([], { toolCalls: [call('call_p', 'policy', { product: 'mug' })] }),
    streamed(['Refunds within ', '30 days.']),
  );
}

async function agentRepo(t: TestContext) {
  const model = await startFakeOpenAi(t);
  const { crm, state } = await orderService(t, 2, 3);
  const dir = gitRepo(t, {
    '.lockstep/config.yaml': 'secrets: [OPENAI_API_KEY, ANTHROPIC_API_KEY]\n',
    'refund-policy.workflow.yaml': POLICY,
    [FILE]: agent(model, crm),
  });
  return { model, crm, state, dir };
}

type Body = {
  messages: { role: string; content: unknown; tool_call_id?: string }[];
  tool_choice?: unknown;
  tools?: unknown[];
};

test('an agent run loops through its tools and records every turn and tool call', async (t) => {
  const { model, crm, state, dir } = await agentRepo(t);
  scriptModel(model);
  const run = await cliJson<RunJson>(
    dir,
    ['run', FILE, '--input', 'question=Where are A1, B2, C3?'],
    WITH_KEY,
  );
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(run.output, { reply: 'Refunds within 30 days.' });

  // Three valid lookups ran against the real HTTP server, two at a time; the invalid one did not.
  assert.deepEqual(crm.requests.map((r) => r.path).sort(), [
    '/orders/A1',
    '/orders/B2',
    '/orders/C3',
  ]);
  assert.equal(state.most, 2, 'concurrency: 2');

  // What the model was sent.
  const bodies = model.requests.map((r) => r.body as Body);
  assert.equal(bodies.length, 4);
  assert.equal(bodies[0]!.tool_choice, 'auto');
  assert.deepEqual(bodies[2]!.tool_choice, { type: 'function', function: { name: 'policy' } });
  assert.equal(bodies[3]!.tool_choice, 'auto', 'a named tool is forced on the first turn only');
  const results = bodies[1]!.messages.filter((m) => m.role === 'tool');
  assert.deepEqual(
    results.map((m) => m.tool_call_id),
    ['call_a', 'call_b', 'call_c', 'call_d'],
  );
  assert.deepEqual(JSON.parse(String(results[0]!.content)), {
    status: 200,
    body: { id: 'A1', status: 'shipped' },
  });
  assert.match(String(results[3]!.content), /^Error: invalid arguments: /);
  const policyResult = bodies[3]!.messages.find((m) => m.role === 'tool');
  assert.equal(policyResult?.content, 'Refunds for mug within 30 days.');

  // What the run recorded: every turn and tool execution at its path; the conversation.
  const record = await inspectRun(dir, run.id);
  assert.deepEqual(
    record.effects
      .filter((e) => e.kind !== 'secret')
      .map((e) => `${e.path} ${e.kind}`)
      .sort(),
    [
      'answer/turn-1 llm',
      'answer/turn-1/policy#1 workflow',
      'answer/turn-2 llm',
      'gather/turn-1 llm',
      'gather/turn-1/lookup#1 http',
      'gather/turn-1/lookup#2 http',
      'gather/turn-1/lookup#3 http',
      'gather/turn-2 llm',
    ],
  );
  const gather = record.steps.find((s) => s.path === 'gather')!;
  const conversation = (
    gather.input as { conversation: { invalid_calls: number; turns: unknown[] } }
  ).conversation;
  assert.equal(conversation.invalid_calls, 1);
  assert.equal(conversation.turns.length, 2);
  const turn = record.effects.find((e) => e.path === 'gather/turn-1')!;
  assert.equal((turn.request as { provider: string }).provider, 'openai');
  assert.deepEqual(
    (turn.response as { toolCalls: { arguments: string }[] }).toolCalls[0]!.arguments,
    '{"order_id":"A1"}',
  );
  assertNotStored(dir, KEY);

  // `lockstep inspect` shows the conversation.
  const inspected = await lockstep(dir, ['inspect', run.id]);
  assertExit(inspected, 0);
  assert.match(inspected.stdout, /gather\/turn-1 +→ lookup\(\{"order_id":"A1"\}\)/);
  assert.match(inspected.stdout, /invalid arguments/);
});

test('an exact replay reproduces the whole loop with no network call; an edited tool description diverges at its first turn', async (t) => {
  const { model, crm, dir } = await agentRepo(t);
  scriptModel(model);
  const run = await cliJson<RunJson>(
    dir,
    ['run', FILE, '--input', 'question=Where are A1, B2, C3?'],
    WITH_KEY,
  );
  const calls = { model: model.requests.length, crm: crm.requests.length };

  const replay = await cliJson<ReplayJson>(dir, ['replay', run.id], NO_KEY);
  assert.equal(replay.verified, true, JSON.stringify(replay.comparison.steps));
  assert.deepEqual(replay.replay.output, run.output);
  assert.deepEqual({ model: model.requests.length, crm: crm.requests.length }, calls, 'no call');

  // Only the second step's tool changes: the gather turns still match, answer/turn-1 does not.
  writeFiles(dir, { [FILE]: agent(model, crm, 'The refund policy for a product, by name.') });
  const against = await lockstep(
    dir,
    ['replay', run.id, '--against', FILE, '--on-miss', 'fail', '--json'],
    NO_KEY,
  );
  assertExit(against, 1);
  const report = parseJson<ReplayJson>(against);
  assert.equal(report.divergence?.path, 'answer/turn-1');
  assert.equal(report.divergence?.kind, 'llm');
  assert.equal(report.divergence?.recorded?.path, 'answer/turn-1');
  assert.match(
    report.divergence!.diff,
    /^-\s+"description": "The refund policy for a product\.",$/m,
  );
  assert.match(
    report.divergence!.diff,
    /^\+\s+"description": "The refund policy for a product, by name\.",$/m,
  );
  assert.deepEqual({ model: model.requests.length, crm: crm.requests.length }, calls, 'no call');
  const text = await lockstep(
    dir,
    ['replay', run.id, '--against', FILE, '--on-miss', 'fail'],
    NO_KEY,
  );
  assert.match(text.stdout, /^Diverged at answer\/turn-1 \(llm request, occurrence 0\)$/m);
});

test('a model that still calls tools on its last turn fails the run with max-turns', async (t) => {
  const { model, dir } = await agentRepo(t);
  const again = () => streamed([], { toolCalls: [call('call_x', 'lookup', { order_id: 'A1' })] });
  model.script(again(), again(), again());
  const result = await lockstep(dir, ['run', FILE, '--input', 'question=loop', '--json'], WITH_KEY);
  assertExit(result, 1);
  const record = await inspectRun(dir, parseJson<RunJson>(result).id);
  assert.equal(record.status, 'failed');
  assert.equal(record.error?.code, 'max-turns');
  assert.match(record.error!.message, /turn 3, its last \(max_turns: 3\)/);
  assert.equal(model.requests.length, 3);
});

test('anthropic: tools, tool_choice and tool results on the Messages API wire; the run replays exactly', async (t) => {
  const server = await anthropic.startFakeAnthropic(t);
  const dir = gitRepo(t, {
    '.lockstep/config.yaml': 'secrets: [ANTHROPIC_API_KEY]\n',
    'math.workflow.yaml': `name: math
models:
  claude:
    provider: anthropic
    model: claude-test
    base_url: ${server.baseUrl}
    api_key: \${{ secrets.ANTHROPIC_API_KEY }}
    max_tokens: 256
steps:
  - id: solve
    llm:
      model: claude
      system: Use the tool.
      prompt: Double 21.
      max_turns: 2
      tool_choice: double
      tools:
        - name: double
          description: Doubles a number.
          parameters: { type: object, required: [n], properties: { n: { type: number } } }
          transform: \${{ args.n * 2 }}
`,
  });
  server.script(
    anthropic.message([anthropic.toolUse('toolu_1', 'double', { n: 21 })], {
      stopReason: 'tool_use',
    }),
    anthropic.message('42'),
  );
  const run = await cliJson<RunJson>(dir, ['run', 'math.workflow.yaml'], WITH_KEY);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.output, '42');
  const [first, second] = server.requests.map((r) => r.body as Record<string, unknown>);
  assert.deepEqual(first!['tools'], [
    {
      name: 'double',
      description: 'Doubles a number.',
      input_schema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
    },
  ]);
  assert.deepEqual(first!['tool_choice'], { type: 'tool', name: 'double' });
  assert.deepEqual(second!['tool_choice'], { type: 'auto' });
  assert.deepEqual((second!['messages'] as unknown[]).slice(1), [
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'double', input: { n: 21 } }],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '42' }] },
  ]);
  const record = await inspectRun(dir, run.id);
  const turn2 = record.effects.find((e) => e.path === 'solve/turn-2')!;
  assert.deepEqual((turn2.request as { messages: unknown[] }).messages.slice(2), [
    {
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'toolu_1', name: 'double', arguments: '{"n":21}' }],
    },
    { role: 'tool', tool_call_id: 'toolu_1', name: 'double', content: '42' },
  ]);
  const replay = await cliJson<ReplayJson>(dir, ['replay', run.id], NO_KEY);
  assert.equal(replay.verified, true);
  assert.equal(server.requests.length, 2, 'the replay called nothing');
});
