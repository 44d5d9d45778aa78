// What every model provider must do on the wire whatever its dialect, as one set of tests each
// provider's suite registers against its own fake server: 429 honoured and retried, 500 not
// retried, a refused key named by its secret, timeouts (a stalled body, no answer at all), a body
// cut off mid-way, cancellation. Each failure is an EngineError at the step, with the server's
// own message where it gave one.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ModelResponse } from '../../core/src/engine/steps/llm-step.js';
import { cutOff, hang, stall, type FakeServer, type Reply } from './fake-http-server.js';
import { recordingPolicy, type ProviderHarness } from './provider-calls.js';
import { pollUntil } from './store-wait.js';

/** A provider's client, its fake server and the replies in its dialect. */
export interface TransportSpec {
  readonly harness: ProviderHarness;
  readonly start: (t: TestContext) => Promise<FakeServer & { readonly baseUrl: string }>;
  /** A successful (non-streamed) answer with `text`. */
  readonly answer: (text: string) => Reply;
  /** The body of a whole successful answer with `text`, to send part of. */
  readonly answerText: (text: string) => string;
  /** An error in the provider's dialect. */
  readonly error: (status: number, message: string, headers?: Record<string, string>) => Reply;
}

/** Registers the transport tests for one provider. */
export function transportTests(spec: TransportSpec): void {
  const { harness, start, answer, error } = spec;
  const { callTo, call, failure } = harness;
  const contentOf = (outcome: { response: unknown }): string =>
    (outcome.response as ModelResponse).content;

  test('transport: 429 with Retry-After: 1 waits one second, then succeeds', async (t) => {
    const server = await start(t);
    server.script(error(429, 'Rate limit reached', { 'retry-after': '1' }), answer('waited'));
    const { policy, waits } = recordingPolicy();
    assert.equal(contentOf(await call(callTo(server), policy)), 'waited');
    assert.deepEqual(waits, [1000]);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(server.requests[1]!.body, server.requests[0]!.body);
  });

  test('transport: 429 on every attempt is rate-limited after the retries', async (t) => {
    const server = await start(t);
    const limited = error(429, 'Rate limit reached', { 'retry-after': '2' });
    server.script(limited, limited, limited);
    const { policy, waits } = recordingPolicy();
    const failed = await failure(call(callTo(server), policy), 'rate-limited');
    assert.match(failed.message, /rate limiting \(429\) after 3 attempt/);
    assert.deepEqual(waits, [2000, 2000]);
    assert.equal(server.requests.length, 3);
  });

  test('transport: 500 is not retried: a server-error with the server’s message', async (t) => {
    const server = await start(t);
    server.script(error(500, 'The server had an error'), answer('never asked'));
    const { policy, waits } = recordingPolicy();
    const failed = await failure(call(callTo(server), policy), 'server-error');
    assert.match(failed.message, /answered 500 after 1 attempt\(s\): The server had an error$/);
    assert.ok(failed.message.includes(server.baseUrl), failed.message);
    assert.deepEqual(waits, []);
    assert.equal(server.requests.length, 1);
  });

  test('transport: 401 with a key names the secret, says it was set, never the key', async (t) => {
    const server = await start(t);
    server.script(error(401, 'Incorrect API key provided'), error(403, 'forbidden'));
    const refused = await failure(call(callTo(server)), 'auth');
    assert.match(refused.message, /refused the request \(401\)/);
    assert.match(refused.message, /the secret TEST_KEY is set, but its value was refused/);
    assert.ok(!refused.message.includes(harness.key), 'the key is not in the message');
    const forbidden = await failure(call(callTo(server)), 'auth');
    assert.match(forbidden.message, /\(403\)/);
  });

  test('transport: a body slower than the timeout is a timeout', async (t) => {
    const server = await start(t);
    server.script(stall());
    const started = Date.now();
    const failed = await failure(call(callTo(server, { timeoutMs: 300 })), 'timeout');
    assert.match(failed.message, /did not answer within 300 ms/);
    assert.ok(failed.message.includes(server.baseUrl), failed.message);
    assert.ok(Date.now() - started < 5000, 'the timeout cut the wait short');
  });

  test('transport: no answer at all before the timeout: timeout, not retried', async (t) => {
    const server = await start(t);
    server.script(hang());
    const { policy, waits } = recordingPolicy();
    await failure(call(callTo(server, { timeoutMs: 300 }), policy), 'timeout');
    assert.deepEqual(waits, []);
    assert.equal(server.requests.length, 1);
  });

  test('transport: a whole answer cut off mid-way is malformed', async (t) => {
    const server = await start(t);
    const body = spec.answerText('This answer will never arrive whole.');
    server.script(
      cutOff(body, Math.floor(body.length / 2)),
      cutOff(body, Math.floor(body.length / 2), { declareLength: true }),
    );
    const chunked = await failure(call(callTo(server)), 'malformed-response');
    assert.match(chunked.message, /cut off/);
    const withLength = await failure(call(callTo(server)), 'malformed-response');
    assert.match(withLength.message, /cut off/);
  });

  test('transport: cancelled while waiting for the answer: cancelled, at once', async (t) => {
    const server = await start(t);
    server.script(hang());
    const controller = new AbortController();
    const pending = call(callTo(server), undefined, controller.signal);
    await pollUntil(() => server.requests.length === 1, { what: 'the request to arrive' });
    controller.abort();
    const failed = await failure(pending, 'cancelled');
    assert.match(failed.message, /: cancelled$/);
  });
}
