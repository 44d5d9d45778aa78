// The OpenAI-compatible provider against a real HTTP server on 127.0.0.1 that speaks the protocol:
// JSON and streamed answers, retried and final error statuses, slow, truncated and malformed
// bodies, cancellation and a refused connection. Every failure must be an EngineError that says
// where it happened and what went wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  ModelCall,
  ModelRequest,
  ModelResponse,
} from '../../core/src/engine/steps/llm-step.js';
import { callChatCompletions } from '../../core/src/providers/openai-chat.js';
import { closedPort, json, stall, text } from '../helpers/fake-http-server.js';
import {
  completion,
  completionText,
  COMPLETIONS_PATH,
  htmlPage,
  openAiError,
  startFakeOpenAi,
  streamed,
} from '../helpers/fake-openai-server.js';
import { providerHarness, recordingPolicy } from '../helpers/provider-calls.js';
import { transportTests } from '../helpers/provider-transport-tests.js';
import { pollUntil } from '../helpers/store-wait.js';

const WHERE = 'classify';
const KEY = 'sk-test-4f1c9a77e2';

const REQUEST: ModelRequest = {
  provider: 'openai',
  model: 'test-model',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello.' },
  ],
  temperature: 0,
};

const harness = providerHarness(callChatCompletions, { request: REQUEST, key: KEY, where: WHERE });
const { callTo, call, failure } = harness;

test('a JSON completion: the answer and usage; the request as OpenAI expects it', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(completion('Hello!', { usage: { prompt_tokens: 21, completion_tokens: 3 } }));
  const outcome = await call(callTo(server));
  assert.deepEqual(outcome, {
    response: { content: 'Hello!', finishReason: 'stop' },
    usage: { input: 21, output: 3 },
  });
  assert.equal(server.requests.length, 1);
  const [request] = server.requests;
  assert.equal(request!.method, 'POST');
  assert.equal(request!.path, COMPLETIONS_PATH);
  assert.equal(request!.headers.authorization, `Bearer ${KEY}`);
  assert.match(request!.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(request!.headers.accept, 'application/json');
  // The provider name is Lockstep's, not part of the protocol; nothing else is added.
  assert.deepEqual(request!.body, {
    model: 'test-model',
    messages: REQUEST.messages,
    temperature: 0,
  });
});

test('response_format, sampling parameters and a base URL with a trailing slash', async (t) => {
  const server = await startFakeOpenAi(t);
  const model = callTo(
    server,
    { baseUrl: `${server.baseUrl}/` },
    { response_format: { type: 'json_object' }, max_tokens: 50, seed: 7, stop: ['\n\n'] },
  );
  server.script(completion('{"ok":true}', { usage: null, finishReason: 'length' }));
  assert.deepEqual(await call(model), {
    response: { content: '{"ok":true}', finishReason: 'length' },
  });
  const request = server.requests[0]!;
  assert.equal(request.path, COMPLETIONS_PATH);
  assert.deepEqual(request.body, {
    model: 'test-model',
    messages: REQUEST.messages,
    temperature: 0,
    response_format: { type: 'json_object' },
    max_tokens: 50,
    seed: 7,
    stop: ['\n\n'],
  });
});

test('no api_key: no authorization header is sent', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(completion('Hi'));
  await call(callTo(server, { apiKey: undefined, apiKeySecret: undefined }));
  assert.equal(server.requests[0]!.headers.authorization, undefined);
});

test('a streamed answer split across TCP writes, with a usage event', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(
    streamed(['Hel', 'lo, ', 'wörld', ' — ✓'], {
      split: true,
      usage: { prompt_tokens: 9, completion_tokens: 4 },
    }),
  );
  const outcome = await call(callTo(server, { stream: true }));
  assert.deepEqual(outcome, {
    response: { content: 'Hello, wörld — ✓', finishReason: 'stop' },
    usage: { input: 9, output: 4 },
  });
  const request = server.requests[0]!;
  assert.equal(request.headers.accept, 'text/event-stream');
  assert.equal(request.headers.authorization, `Bearer ${KEY}`);
  const body = request.body as Record<string, unknown>;
  assert.equal(body.stream, true);
  // OpenAI sends usage in a stream only when asked to.
  assert.deepEqual(body.stream_options, { include_usage: true });
  assert.equal(body.provider, undefined);
});

test('a streamed answer with CRLF line endings and no usage', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(streamed(['a', 'b'], { crlf: true }));
  assert.deepEqual(await call(callTo(server, { stream: true })), {
    response: { content: 'ab', finishReason: 'stop' },
  });
});

test('429 asking for a wait longer than allowed is reported, not waited', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(openAiError(429, 'Rate limit reached', { 'retry-after': '120' }));
  const { policy, waits } = recordingPolicy();
  const error = await failure(call(callTo(server), policy), 'rate-limited');
  assert.match(error.message, /asks to wait 120 s/);
  assert.deepEqual(waits, []);
  assert.equal(server.requests.length, 1);
});

test('503 is retried with backoff, then succeeds', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(
    openAiError(503, 'overloaded'),
    text(502, 'bad gateway'),
    completion('third time lucky'),
  );
  const { policy, waits } = recordingPolicy();
  const outcome = await call(callTo(server), policy);
  assert.equal((outcome.response as unknown as ModelResponse).content, 'third time lucky');
  assert.deepEqual(waits, [500, 1000]);
  assert.equal(server.requests.length, 3);
});

test('401 without a key: names the secret and says it is not set', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(openAiError(401, 'You didn’t provide an API key'));
  const error = await failure(call(callTo(server, { apiKey: undefined })), 'auth');
  assert.match(error.message, /the secret TEST_KEY is not set/);
  assert.match(error.message, /TEST_KEY environment variable/);
  assert.equal(server.requests[0]!.headers.authorization, undefined);
});

test('404 includes the URL, the model and the server’s error message', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(openAiError(404, 'The model `test-model` does not exist'));
  const error = await failure(call(callTo(server)), 'not-found');
  assert.ok(error.message.includes(`${server.baseUrl}/chat/completions answered 404`));
  assert.match(error.message, /'test-model'/);
  assert.match(error.message, /The model `test-model` does not exist/);
});

test('a wrong base_url reaches another path: 404 with the server’s message', async (t) => {
  const server = await startFakeOpenAi(t);
  const error = await failure(call(callTo(server, { baseUrl: server.origin })), 'not-found');
  assert.match(error.message, /Unknown request URL: POST \/chat\/completions/);
  assert.equal(server.requests[0]!.path, '/chat/completions');
});

test('another 4xx is an http-status error with the server’s message', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(openAiError(400, "Invalid value for 'temperature'"));
  const error = await failure(call(callTo(server)), 'http-status');
  assert.match(error.message, /answered 400: Invalid value for 'temperature'/);
  assert.equal(server.requests.length, 1);
});

test('a streamed answer that stalls mid-stream: timeout', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(async (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n');
  });
  await failure(call(callTo(server, { timeoutMs: 300, stream: true })), 'timeout');
});

test('a stream that ends before [DONE] without a finish_reason: malformed-response', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(
    streamed(['Hello', ' there'], { finishReason: null, end: 'end' }),
    streamed(['Hello', ' there'], { finishReason: null, end: 'destroy' }),
  );
  const ended = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(ended.message, /cut off/);
  const destroyed = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(destroyed.message, /cut off/);
});

test('a stream with a finish_reason but no [DONE] is complete', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(streamed(['Done', '.'], { end: 'end' }));
  assert.deepEqual(await call(callTo(server, { stream: true })), {
    response: { content: 'Done.', finishReason: 'stop' },
  });
});

test('an empty stream ([DONE] only): empty-response', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(async (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: [DONE]\n\n');
  });
  const error = await failure(call(callTo(server, { stream: true })), 'empty-response');
  assert.match(error.message, /streamed no text/);
});

test('a JSON completion with empty text: empty-response; with null content: malformed', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(completion(''), completion(null));
  await failure(call(callTo(server)), 'empty-response');
  const error = await failure(call(callTo(server)), 'malformed-response');
  assert.match(error.message, /no choices\[0\]\.message\.content/);
});

test('a body that is not JSON: malformed-response showing its start', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(text(200, '{"choices": [', { 'content-type': 'application/json' }));
  const error = await failure(call(callTo(server)), 'malformed-response');
  assert.match(error.message, /not JSON/);
  assert.ok(error.message.includes(JSON.stringify('{"choices": [')), error.message);
});

test('an HTML page with status 200: malformed-response', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(htmlPage(), htmlPage());
  const plain = await failure(call(callTo(server)), 'malformed-response');
  assert.match(plain.message, /not JSON.*<!DOCTYPE html>/);
  const streaming = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(streaming.message, /not an event stream.*<!DOCTYPE html>/);
});

test('a stream event that is not JSON: malformed-response', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(async (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: {"choices": [\n\ndata: [DONE]\n\n');
  });
  const error = await failure(call(callTo(server, { stream: true })), 'malformed-response');
  assert.match(error.message, /a stream event is not JSON/);
});

test('an error event inside a stream is reported with its message', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(async (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: {"error":{"message":"model overloaded, try later"}}\n\ndata: [DONE]\n\n');
  });
  const error = await failure(call(callTo(server, { stream: true })), 'server-error');
  assert.match(error.message, /model overloaded, try later/);
});

test('cancelled while the body streams in: cancelled', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(stall(200, { 'content-type': 'text/event-stream' }));
  const controller = new AbortController();
  const pending = call(callTo(server, { stream: true }), undefined, controller.signal);
  await pollUntil(() => server.requests.length === 1, { what: 'the request to arrive' });
  controller.abort();
  await failure(pending, 'cancelled');
});

test('cancelled during a Retry-After wait: cancelled, without waiting it out', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(openAiError(429, 'slow down', { 'retry-after': '30' }));
  const controller = new AbortController();
  const started = Date.now();
  // The real sleep: the wait must end when the run is cancelled.
  const pending = callChatCompletions(callTo(server), WHERE, controller.signal, {});
  await pollUntil(() => server.requests.length === 1, { what: 'the request to arrive' });
  controller.abort();
  const error = await failure(pending, 'cancelled');
  assert.equal(error.message, `${WHERE}: cancelled`);
  assert.ok(Date.now() - started < 10_000);
  assert.equal(server.requests.length, 1);
});

test('connection refused: retried, then a connection error asking if the server runs', async () => {
  const port = await closedPort();
  const { policy, waits } = recordingPolicy();
  const model: ModelCall = {
    request: REQUEST,
    transport: { baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: KEY },
  };
  const error = await failure(call(model, policy), 'connection');
  assert.match(error.message, /ECONNREFUSED/);
  assert.match(error.message, /is the server running\?$/);
  assert.ok(error.message.includes(`http://127.0.0.1:${port}/v1`), error.message);
  assert.deepEqual(waits, [500, 1000]);
});

test('a connection reset before the answer is retried', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script((res) => {
    res.socket?.destroy();
  }, completion('on the second connection'));
  const { policy, waits } = recordingPolicy();
  const outcome = await call(callTo(server), policy);
  assert.equal((outcome.response as unknown as ModelResponse).content, 'on the second connection');
  assert.equal(server.requests.length, 2);
  assert.deepEqual(waits, [500]);
});

test('the fake server answers unscripted requests with a 500 (tests cannot pass by accident)', async (t) => {
  const server = await startFakeOpenAi(t);
  server.script(json(200, { choices: [{ message: { content: 'only once' } }] }));
  await call(callTo(server));
  await failure(call(callTo(server)), 'server-error');
});

transportTests({
  harness,
  start: startFakeOpenAi,
  answer: (content) => completion(content),
  answerText: completionText,
  error: openAiError,
});
