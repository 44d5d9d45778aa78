// The loopback OpenAI-compatible server is faithful: OpenAI's official Node client (`openai`)
// reads its whole and streamed completions, its tool calls (whole, and streamed as deltas that the
// client joins) and its refusal of a tool message that answers no call, the way it reads the real
// API's. The provider tests then run against the same server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI, { BadRequestError } from 'openai';
import * as fake from '../helpers/fake-openai-server.js';
import { COMPLETIONS_PATH, type FakeOpenAi } from '../helpers/fake-openai-server.js';

function client(server: FakeOpenAi): OpenAI {
  return new OpenAI({
    apiKey: 'sk-test-7d0c1f',
    baseURL: server.baseUrl,
    maxRetries: 0,
    timeout: 10_000,
  });
}

const TOOLS = [
  {
    type: 'function' as const,
    function: {
      name: 'lookup',
      description: 'Looks up an order.',
      parameters: {
        type: 'object',
        required: ['order_id'],
        properties: { order_id: { type: 'string' } },
      },
    },
  },
];

const PARAMS = {
  model: 'small-1',
  messages: [{ role: 'user' as const, content: 'Where is order A1?' }],
  tools: TOOLS,
  tool_choice: { type: 'function' as const, function: { name: 'lookup' } },
};

const CALLS = [
  { id: 'call_1', name: 'lookup', arguments: '{"order_id": "A1"}' },
  { id: 'call_2', name: 'lookup', arguments: '{"order_id": "B2", "note": "ünïcode ✓"}' },
];

test('chat.completions.create reads text, a finish reason and usage', async (t) => {
  const server = await fake.startFakeOpenAi(t);
  server.script(fake.completion('Hello!', { usage: { prompt_tokens: 9, completion_tokens: 2 } }));
  const answer = await client(server).chat.completions.create({
    model: 'small-1',
    messages: [{ role: 'user', content: 'Hi' }],
  });
  assert.equal(answer.choices[0]!.message.content, 'Hello!');
  assert.equal(answer.choices[0]!.finish_reason, 'stop');
  assert.equal(answer.usage?.total_tokens, 11);
  assert.equal(server.requests[0]!.path, COMPLETIONS_PATH);
  assert.equal(server.requests[0]!.headers.authorization, 'Bearer sk-test-7d0c1f');
});

test('chat.completions.create reads tool calls, and sends tools and tool_choice as given', async (t) => {
  const server = await fake.startFakeOpenAi(t);
  server.script(fake.completion(null, { toolCalls: CALLS }));
  const answer = await client(server).chat.completions.create(PARAMS);
  const choice = answer.choices[0]!;
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  assert.deepEqual(
    choice.message.tool_calls?.map((call) =>
      call.type === 'function' ? [call.id, call.function.name, call.function.arguments] : [],
    ),
    CALLS.map((call) => [call.id, call.name, call.arguments]),
  );
  assert.deepEqual(server.requests[0]!.body, PARAMS);
});

test('a streamed answer’s tool-call deltas join into whole calls, split across TCP writes', async (t) => {
  const server = await fake.startFakeOpenAi(t);
  server.script(
    fake.streamed(['Let me ', 'check.'], {
      toolCalls: CALLS,
      split: true,
      usage: { prompt_tokens: 20, completion_tokens: 14 },
    }),
  );
  const stream = client(server).chat.completions.stream({
    ...PARAMS,
    stream_options: { include_usage: true },
  });
  const final = await stream.finalChatCompletion();
  const choice = final.choices[0]!;
  assert.equal(choice.message.content, 'Let me check.');
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.deepEqual(
    choice.message.tool_calls?.map((call) =>
      call.type === 'function' ? [call.id, call.function.name, call.function.arguments] : [],
    ),
    CALLS.map((call) => [call.id, call.name, call.arguments]),
  );
  assert.equal(final.usage?.completion_tokens, 14);
  assert.equal((server.requests[0]!.body as { stream?: unknown }).stream, true);
});

test('a tool result goes back as a tool message naming its call; one naming no call is refused', async (t) => {
  const server = await fake.startFakeOpenAi(t);
  server.script(fake.completion('A1 ships tomorrow.'), fake.completion('never sent'));
  const assistant = {
    role: 'assistant' as const,
    content: null,
    tool_calls: [
      {
        id: 'call_1',
        type: 'function' as const,
        function: { name: 'lookup', arguments: '{"order_id":"A1"}' },
      },
    ],
  };
  const answer = await client(server).chat.completions.create({
    ...PARAMS,
    messages: [
      ...PARAMS.messages,
      assistant,
      { role: 'tool', tool_call_id: 'call_1', content: '{"status":"shipped"}' },
    ],
  });
  assert.equal(answer.choices[0]!.message.content, 'A1 ships tomorrow.');
  const refused = await client(server)
    .chat.completions.create({
      ...PARAMS,
      messages: [...PARAMS.messages, { role: 'tool', tool_call_id: 'call_9', content: 'x' }],
    })
    .then(
      () => assert.fail('the request succeeded'),
      (error: unknown) => error,
    );
  assert.ok(refused instanceof BadRequestError, String(refused));
  assert.match(refused.message, /role 'tool' must be a response to a preceeding message/);
});
