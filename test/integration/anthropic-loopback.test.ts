// The loopback Anthropic server is faithful: Anthropic's official Node client (@anthropic-ai/sdk)
// reads its whole and streamed messages, its error bodies, its 429 with Retry-After and its 529
// the way it reads the real API's. The provider tests then run against the same server, so what
// they prove holds for the wire the official client speaks.
import Anthropic, {
  AuthenticationError,
  BadRequestError,
  OverloadedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fake from '../helpers/fake-anthropic-server.js';
import { MESSAGES_PATH, type FakeAnthropic } from '../helpers/fake-anthropic-server.js';

const KEY = 'sk-ant-test-0c5e2a91d4';

function client(server: FakeAnthropic, maxRetries = 0): Anthropic {
  return new Anthropic({ apiKey: KEY, baseURL: server.baseUrl, maxRetries, timeout: 10_000 });
}

const PARAMS = {
  model: 'claude-test',
  max_tokens: 64,
  system: 'Be brief.',
  messages: [{ role: 'user' as const, content: 'Say hello.' }],
};

/** What `promise` rejects with; fails the test if it resolves. */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('the request succeeded'),
    (error: unknown) => error,
  );
}

/** The key as the client sent it (it may use either header the API accepts). */
function sentKey(server: FakeAnthropic): string | undefined {
  const { headers } = server.requests[0]!;
  const key = headers['x-api-key'];
  return typeof key === 'string' ? key : headers.authorization?.replace(/^Bearer /, '');
}

test('messages.create reads a whole message: text, stop reason, usage', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(fake.message('Hello!', { usage: { input_tokens: 21, output_tokens: 3 } }));
  const answer = await client(server).messages.create(PARAMS);
  assert.equal(answer.type, 'message');
  assert.equal(answer.role, 'assistant');
  assert.equal(answer.model, 'claude-test');
  assert.deepEqual(
    answer.content.map((block) => (block.type === 'text' ? block.text : block.type)),
    ['Hello!'],
  );
  assert.equal(answer.stop_reason, 'end_turn');
  assert.equal(answer.usage.input_tokens, 21);
  assert.equal(answer.usage.output_tokens, 3);
  const [request] = server.requests;
  assert.equal(request!.method, 'POST');
  assert.equal(request!.path, MESSAGES_PATH);
  assert.match(String(request!.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(sentKey(server), KEY);
  assert.deepEqual(request!.body, PARAMS);
});

test('messages.stream puts a streamed message together, split across TCP writes', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(
    fake.streamedMessage([['Guten', ' Tag, ', 'wörld'], [' ✓']], {
      split: true,
      usage: { input_tokens: 7, output_tokens: 6 },
      stopReason: 'max_tokens',
    }),
  );
  const stream = client(server).messages.stream(PARAMS);
  const deltas: string[] = [];
  stream.on('text', (text) => deltas.push(text));
  const final = await stream.finalMessage();
  assert.deepEqual(deltas, ['Guten', ' Tag, ', 'wörld', ' ✓']);
  assert.deepEqual(
    final.content.map((block) => (block.type === 'text' ? block.text : block.type)),
    ['Guten Tag, wörld', ' ✓'],
  );
  assert.equal(final.stop_reason, 'max_tokens');
  assert.equal(final.usage.input_tokens, 7);
  assert.equal(final.usage.output_tokens, 6);
  assert.equal((server.requests[0]!.body as { stream?: unknown }).stream, true);
});

test('a stream with CRLF line endings reads the same', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(fake.streamedMessage([['a', 'b']], { crlf: true }));
  const final = await client(server).messages.stream(PARAMS).finalMessage();
  assert.deepEqual(
    final.content.map((block) => (block.type === 'text' ? block.text : block.type)),
    ['ab'],
  );
});

test('an error event in a stream fails the stream with its message', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(fake.streamedMessage([['Hel', 'lo']], { errorMidway: true }));
  await assert.rejects(client(server).messages.stream(PARAMS).finalMessage(), /Overloaded/);
});

test('a 400 is a BadRequestError carrying the API’s error type and message', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(
    fake.anthropicError(400, 'invalid_request_error', 'temperature: must be at most 1'),
  );
  const error = await rejection(client(server).messages.create(PARAMS));
  assert.ok(error instanceof BadRequestError, String(error));
  assert.equal(error.status, 400);
  assert.match(error.message, /temperature: must be at most 1/);
  assert.deepEqual(error.error, {
    type: 'error',
    error: { type: 'invalid_request_error', message: 'temperature: must be at most 1' },
  });
});

test('429 with Retry-After is retried after the wait; without retries a RateLimitError', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  const limited = fake.anthropicError(
    429,
    'rate_limit_error',
    'Number of requests has exceeded your rate limit',
    {
      'retry-after': '1',
    },
  );
  server.script(limited, fake.message('after the wait'), limited);
  const started = Date.now();
  const answer = await client(server, 1).messages.create(PARAMS);
  assert.equal(answer.content[0]?.type === 'text' && answer.content[0].text, 'after the wait');
  assert.ok(Date.now() - started >= 900, 'the client waited as Retry-After asked');
  assert.equal(server.requests.length, 2);
  const error = await rejection(client(server).messages.create(PARAMS));
  assert.ok(error instanceof RateLimitError, String(error));
  assert.equal(error.headers?.get('retry-after'), '1');
});

test('529 is Anthropic’s overloaded: an OverloadedError, retried by the client', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(fake.overloaded(), fake.overloaded(), fake.message('once it recovered'));
  const error = await rejection(client(server).messages.create(PARAMS));
  assert.ok(error instanceof OverloadedError, String(error));
  assert.equal(error.status, 529);
  const answer = await client(server, 2).messages.create(PARAMS);
  assert.equal(answer.content[0]?.type === 'text' && answer.content[0].text, 'once it recovered');
  assert.equal(server.requests.length, 3);
});

test('like the API, the server refuses a request without a key, a version or max_tokens', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(fake.message('never'), fake.message('never'), fake.message('never'));
  const post = (headers: Record<string, string>, body: object) =>
    fetch(`${server.baseUrl}${MESSAGES_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const noKey = await post({ 'anthropic-version': '2023-06-01' }, PARAMS);
  assert.equal(noKey.status, 401);
  assert.equal(
    ((await noKey.json()) as { error: { type: string } }).error.type,
    'authentication_error',
  );
  const noVersion = await post({ 'x-api-key': KEY }, PARAMS);
  assert.equal(noVersion.status, 400);
  assert.match(await noVersion.text(), /anthropic-version: header is required/);
  const { max_tokens: _, ...withoutMaxTokens } = PARAMS;
  const noMax = await post(
    { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
    withoutMaxTokens,
  );
  assert.equal(noMax.status, 400);
  assert.match(await noMax.text(), /max_tokens: Field required/);

  // And the official client sees the refusal as the API's own.
  server.script(fake.message('never'));
  const unauthenticated = new Anthropic({
    apiKey: null,
    authToken: null,
    baseURL: server.baseUrl,
    maxRetries: 0,
    defaultHeaders: { 'x-api-key': null, authorization: null },
  });
  const error = await rejection(unauthenticated.messages.create(PARAMS));
  assert.ok(error instanceof AuthenticationError, String(error));
});

test('another path gets the API’s 404; an unscripted request a 500 (tests cannot pass by accident)', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  const answer = await fetch(`${server.baseUrl}/v1/complete`, { method: 'POST' });
  assert.equal(answer.status, 404);
  assert.equal(
    ((await answer.json()) as { error: { type: string } }).error.type,
    'not_found_error',
  );
  await assert.rejects(client(server).messages.create(PARAMS), /no reply scripted/);
});

const LOOKUP_TOOL = {
  name: 'lookup',
  description: 'Looks up an order.',
  input_schema: {
    type: 'object' as const,
    required: ['order_id'],
    properties: { order_id: { type: 'string' } },
  },
};

test('tool_use blocks are read whole, and tools and tool_choice are sent as given', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(
    fake.message(
      [{ type: 'text', text: 'Checking.' }, fake.toolUse('toolu_1', 'lookup', { order_id: 'A1' })],
      {
        stopReason: 'tool_use',
      },
    ),
  );
  const params = {
    ...PARAMS,
    tools: [LOOKUP_TOOL],
    tool_choice: { type: 'tool' as const, name: 'lookup' },
  };
  const answer = await client(server).messages.create(params);
  assert.equal(answer.stop_reason, 'tool_use');
  const use = answer.content.find((block) => block.type === 'tool_use');
  assert.deepEqual(use && [use.id, use.name, use.input], ['toolu_1', 'lookup', { order_id: 'A1' }]);
  assert.deepEqual(server.requests[0]!.body, params);
});

test('a streamed tool_use block’s input_json_delta pieces join into its input', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  const input = { order_id: 'B2', note: 'ünïcode ✓', items: [1, 2] };
  server.script(
    fake.streamedMessage([['Let me ', 'check.'], { id: 'toolu_2', name: 'lookup', input }], {
      split: true,
      stopReason: 'tool_use',
    }),
  );
  const final = await client(server)
    .messages.stream({ ...PARAMS, tools: [LOOKUP_TOOL] })
    .finalMessage();
  assert.equal(final.stop_reason, 'tool_use');
  assert.deepEqual(
    final.content.map((block) => (block.type === 'tool_use' ? block.input : block.type)),
    ['text', input],
  );
});

test('a tool_result answers a tool_use of the turn before; one that answers none is refused', async (t) => {
  const server = await fake.startFakeAnthropic(t);
  server.script(fake.message('A1 ships tomorrow.'), fake.message('never sent'));
  const used = {
    role: 'assistant' as const,
    content: [
      { type: 'tool_use' as const, id: 'toolu_1', name: 'lookup', input: { order_id: 'A1' } },
    ],
  };
  const answer = await client(server).messages.create({
    ...PARAMS,
    tools: [LOOKUP_TOOL],
    messages: [
      ...PARAMS.messages,
      used,
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'shipped' }],
      },
    ],
  });
  assert.deepEqual(
    answer.content.map((block) => (block.type === 'text' ? block.text : block.type)),
    ['A1 ships tomorrow.'],
  );
  const refused = await rejection(
    client(server).messages.create({
      ...PARAMS,
      messages: [
        ...PARAMS.messages,
        { role: 'assistant', content: 'Hm.' },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x' }] },
      ],
    }),
  );
  assert.ok(refused instanceof BadRequestError, String(refused));
  assert.match(String((refused as Error).message), /tool_use_id/);
});
