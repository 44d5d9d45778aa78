// The Anthropic provider against a real HTTP server on 127.0.0.1 that speaks the Messages API
// (and checks what the real API checks first; see fake-anthropic-server.ts): whole and streamed
// answers, the request as Anthropic expects it, retried and final error statuses (529 included),
// slow, truncated and malformed bodies, cancellation. Every failure is an EngineError that says
// where it happened and what went wrong, with Anthropic's own message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  ModelCall,
  ModelRequest,
  ModelResponse,
} from '../../core/src/engine/steps/llm-step.js';
import { callAnthropicMessages } from '../../core/src/providers/anthropic-messages.js';
import { text } from '../helpers/fake-http-server.js';
import {
  anthropicError,
  message,
  MESSAGES_PATH,
  messageText,
  overloaded,
  startFakeAnthropic,
  streamedMessage,
} from '../helpers/fake-anthropic-server.js';
import { providerHarness, recordingPolicy } from '../helpers/provider-calls.js';
import { transportTests } from '../helpers/provider-transport-tests.js';
import { pollUntil } from '../helpers/store-wait.js';

const WHERE = 'classify';
const KEY = 'sk-ant-test-4f1c9a77e2';

const REQUEST: ModelRequest = {
  provider: 'anthropic',
  model: 'claude-test',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello.' },
  ],
  max_tokens: 64,
  temperature: 0,
};

const harness = providerHarness(callAnthropicMessages, {
  request: REQUEST,
  key: KEY,
  where: WHERE,
});
const { callTo, call, failure } = harness;

function contentOf(outcome: { response: unknown }): string {
  return (outcome.response as ModelResponse).content;
}

test('a whole message: the answer and usage; the request as Anthropic expects it', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(message('Hello!', { usage: { input_tokens: 21, output_tokens: 3 } }));
  const outcome = await call(callTo(server));
  assert.deepEqual(outcome, {
    response: { content: 'Hello!', finishReason: 'end_turn' },
    usage: { input: 21, output: 3 },
  });
  assert.equal(server.requests.length, 1);
  const [request] = server.requests;
  assert.equal(request!.method, 'POST');
  assert.equal(request!.path, MESSAGES_PATH);
  assert.equal(request!.headers['x-api-key'], KEY);
  assert.equal(request!.headers['anthropic-version'], '2023-06-01');
  assert.equal(request!.headers.authorization, undefined);
  assert.match(request!.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(request!.headers.accept, 'application/json');
  // The system prompt is top-level; the provider name is Lockstep's, not the protocol's.
  assert.deepEqual(request!.body, {
    model: 'claude-test',
    max_tokens: 64,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'Say hello.' }],
    temperature: 0,
  });
});

test('stop becomes stop_sequences; top_p is sent; response_format and seed are not', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(
    message('{"ok":true}', { stopReason: 'stop_sequence', usage: null }),
    message('fine'),
  );
  const model = callTo(
    server,
    { baseUrl: `${server.baseUrl}/` },
    { response_format: { type: 'json_object' }, top_p: 0.5, seed: 7, stop: ['\n\n', 'END'] },
  );
  assert.deepEqual(await call(model), {
    response: { content: '{"ok":true}', finishReason: 'stop_sequence' },
  });
  assert.equal(server.requests[0]!.path, MESSAGES_PATH);
  assert.deepEqual(server.requests[0]!.body, {
    model: 'claude-test',
    max_tokens: 64,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'Say hello.' }],
    temperature: 0,
    top_p: 0.5,
    stop_sequences: ['\n\n', 'END'],
  });
  // A single stop string is a list of one; without a system message there is no `system`.
  await call(callTo(server, {}, { stop: 'END', messages: [{ role: 'user', content: 'Hi' }] }));
  const body = server.requests[1]!.body as Record<string, unknown>;
  assert.deepEqual(body['stop_sequences'], ['END']);
  assert.equal(body['system'], undefined);
});

test('a conversation keeps its turns in order', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(message('Because.'));
  const messages: ModelRequest['messages'] = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Classify: charged twice' },
    { role: 'assistant', content: 'billing' },
    { role: 'user', content: 'Why?' },
  ];
  await call(callTo(server, {}, { messages }));
  assert.deepEqual((server.requests[0]!.body as { messages: unknown }).messages, messages.slice(1));
});

test('a system message after the first: refused before anything is sent', async (t) => {
  const server = await startFakeAnthropic(t);
  const error = await failure(
    call(
      callTo(
        server,
        {},
        {
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'system', content: 'Answer in French.' },
          ],
        },
      ),
    ),
    'invalid-definition',
  );
  assert.match(error.message, /messages\[1\] is a system message/);
  assert.equal(server.requests.length, 0);
});

test('text blocks are joined; blocks of other kinds are not part of the answer', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(
    message([
      { type: 'thinking', thinking: 'The user wants a greeting.', signature: 'sig' },
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ', world' },
    ]),
  );
  assert.equal(contentOf(await call(callTo(server))), 'Hello, world');
});

test('no api_key: no x-api-key header; the API’s 401 names the secret as not set', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(message('never sent'));
  const error = await failure(call(callTo(server, { apiKey: undefined })), 'auth');
  assert.equal(server.requests[0]!.headers['x-api-key'], undefined);
  assert.match(error.message, /refused the request \(401\)/);
  assert.match(error.message, /the secret TEST_KEY is not set/);
  assert.match(error.message, /TEST_KEY environment variable/);
});

test('a streamed answer split across TCP writes: text, stop reason, usage', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(
    streamedMessage([['Hel', 'lo, ', 'wörld'], [' — ✓']], {
      split: true,
      usage: { input_tokens: 9, output_tokens: 4 },
      stopReason: 'max_tokens',
    }),
  );
  const outcome = await call(callTo(server, { stream: true }));
  assert.deepEqual(outcome, {
    response: { content: 'Hello, wörld — ✓', finishReason: 'max_tokens' },
    usage: { input: 9, output: 4 },
  });
  const request = server.requests[0]!;
  assert.equal(request.headers.accept, 'text/event-stream');
  assert.equal(request.headers['x-api-key'], KEY);
  assert.equal((request.body as { stream?: unknown }).stream, true);
});

test('a streamed answer with CRLF line endings', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(streamedMessage([['a', 'b']], { crlf: true }));
  assert.equal(contentOf(await call(callTo(server, { stream: true }))), 'ab');
});

test('529 (overloaded) is retried with backoff like 503, then succeeds', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(overloaded(), text(503, 'unavailable'), message('third time lucky'));
  const { policy, waits } = recordingPolicy();
  assert.equal(contentOf(await call(callTo(server), policy)), 'third time lucky');
  assert.deepEqual(waits, [500, 1000]);
  assert.equal(server.requests.length, 3);
});

test('529 on every attempt: a server-error with Anthropic’s message', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(overloaded(), overloaded(), overloaded());
  const error = await failure(call(callTo(server)), 'server-error');
  assert.match(error.message, /answered 529 after 3 attempt\(s\): Overloaded$/);
  assert.ok(error.message.includes(server.baseUrl), error.message);
});

test('a 400 is an http-status error with Anthropic’s message, not retried', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(
    anthropicError(
      400,
      'invalid_request_error',
      'temperature: Input should be less than or equal to 1',
    ),
  );
  const error = await failure(call(callTo(server)), 'http-status');
  assert.equal(
    error.message,
    `${WHERE}: ${server.baseUrl} answered 400: temperature: Input should be less than or equal to 1`,
  );
  assert.equal(server.requests.length, 1);
});

test('without max_tokens the API answers 400 naming the field', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(message('never'));
  const { max_tokens: _, ...request } = REQUEST;
  const model: ModelCall = { request, transport: callTo(server).transport };
  const error = await failure(call(model), 'http-status');
  assert.match(error.message, /answered 400: max_tokens: Field required/);
});

test('404: the URL, the model, a hint about the base URL and Anthropic’s message', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(anthropicError(404, 'not_found_error', 'model: claude-test'));
  const error = await failure(call(callTo(server)), 'not-found');
  assert.ok(error.message.includes(`${server.baseUrl}/v1/messages answered 404`), error.message);
  assert.match(error.message, /without \/v1/);
  assert.match(error.message, /'claude-test'\? model: claude-test$/);
});

test('a base_url ending in /v1 reaches /v1/v1/messages: the 404 says why', async (t) => {
  const server = await startFakeAnthropic(t);
  const error = await failure(
    call(callTo(server, { baseUrl: `${server.baseUrl}/v1` })),
    'not-found',
  );
  assert.equal(server.requests[0]!.path, '/v1/v1/messages');
  assert.match(error.message, /the API's root, without \/v1/);
});

test('a stream that stalls mid-way: timeout', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(async (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: message_start\ndata: {"type":"message_start","message":{}}\n\n');
  });
  await failure(call(callTo(server, { timeoutMs: 300, stream: true })), 'timeout');
});

test('a stream that ends before message_stop: malformed-response', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(
    streamedMessage([['Hello', ' there']], { end: 'end' }),
    streamedMessage([['Hello', ' there']], { end: 'destroy' }),
  );
  const ended = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(ended.message, /cut off before message_stop \(11 characters received\)/);
  const destroyed = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(destroyed.message, /cut off/);
});

test('an error event inside a stream: server-error with its message', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(streamedMessage([['Hel', 'lo']], { errorMidway: true }));
  const error = await failure(call(callTo(server, { stream: true })), 'server-error');
  assert.match(error.message, /reported an error in the middle of the stream: Overloaded$/);
});

test('a stream event that is not JSON, or a delta for a block never started: malformed', async (t) => {
  const server = await startFakeAnthropic(t);
  const start = 'event: message_start\ndata: {"type":"message_start","message":{}}\n\n';
  server.script(
    text(200, `${start}event: ping\ndata: {"type": "ping"\n\n`, {
      'content-type': 'text/event-stream',
    }),
    text(
      200,
      `${start}event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}\n\n`,
      { 'content-type': 'text/event-stream' },
    ),
  );
  const notJson = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(notJson.message, /a stream event is not JSON/);
  const orphan = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(orphan.message, /block 0, which was never started/);
});

test('an HTML page with status 200: malformed-response, JSON or streamed', async (t) => {
  const server = await startFakeAnthropic(t);
  const page = text(200, '<!DOCTYPE html><html><body>Bad Gateway</body></html>', {
    'content-type': 'text/html',
  });
  server.script(page, page);
  const plain = await failure(call(callTo(server)), 'malformed-response');
  assert.match(plain.message, /not a Messages API answer: the body is not JSON.*<!DOCTYPE html>/);
  const streaming = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(streaming.message, /not an event stream.*<!DOCTYPE html>/);
});

test('no text: empty-response; no content list: malformed; an error body with 200: server-error', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(
    message([]),
    streamedMessage([[]]),
    text(200, JSON.stringify({ type: 'message', role: 'assistant' }), {
      'content-type': 'application/json',
    }),
    text(200, JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'Oops' } }), {
      'content-type': 'application/json',
    }),
  );
  const empty = await failure(call(callTo(server)), 'empty-response');
  assert.match(empty.message, /answered with no text/);
  const emptyStream = await failure(call(callTo(server, { stream: true })), 'empty-response');
  assert.match(emptyStream.message, /streamed no text/);
  const noContent = await failure(call(callTo(server)), 'malformed-response');
  assert.match(noContent.message, /no content list/);
  const errorBody = await failure(call(callTo(server)), 'server-error');
  assert.match(errorBody.message, /answered an error: Oops$/);
});

test('cancelled during a 529 backoff: cancelled, without waiting it out', async (t) => {
  const server = await startFakeAnthropic(t);
  server.script(anthropicError(529, 'overloaded_error', 'Overloaded', { 'retry-after': '30' }));
  const controller = new AbortController();
  const started = Date.now();
  // The real sleep: the wait must end when the run is cancelled.
  const pending = callAnthropicMessages(callTo(server), WHERE, controller.signal, {});
  await pollUntil(() => server.requests.length === 1, { what: 'the request to arrive' });
  controller.abort();
  await failure(pending, 'cancelled');
  assert.ok(Date.now() - started < 10_000);
  assert.equal(server.requests.length, 1);
});

transportTests({
  harness,
  start: startFakeAnthropic,
  answer: (text) => message(text),
  answerText: messageText,
  error: (status, text, headers) => anthropicError(status, 'api_error', text, headers),
});
