// The `http` step's client against a real HTTP server on 127.0.0.1: how bodies are sent and
// read, which headers are recorded, which methods are retried, the size limit, redirects,
// cancellation and failures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../core/src/engine/engine-error.js';
import type { HttpRequest, HttpResponse } from '../../core/src/engine/steps/http-step.js';
import type { FetchPolicy } from '../../core/src/providers/fetch-with-retries.js';
import { MAX_HTTP_BODY_BYTES, performHttpCall } from '../../core/src/providers/http-call.js';
import {
  closedPort,
  cutOff,
  json,
  redirect,
  stall,
  startFakeServer,
  text,
  write,
  type FakeServer,
} from '../helpers/fake-http-server.js';
import { engineFailure } from '../helpers/engine-failure.js';
import { pollUntil } from '../helpers/store-wait.js';
import { recordingPolicy } from '../helpers/provider-calls.js';

const WHERE = 'customer';

function get(server: FakeServer, path: string, headers: Record<string, string> = {}): HttpRequest {
  return { method: 'GET', url: `${server.origin}${path}`, headers };
}

async function perform(
  request: HttpRequest,
  policy: FetchPolicy = recordingPolicy().policy,
  signal: AbortSignal = new AbortController().signal,
): Promise<HttpResponse> {
  const outcome = await performHttpCall(request, WHERE, signal, policy);
  assert.equal(outcome.usage, undefined);
  return outcome.response as unknown as HttpResponse;
}

/** The EngineError `promise` rejects with (see engineFailure), at this file's step. */
function failure(promise: Promise<unknown>, code: string): Promise<EngineError> {
  return engineFailure(promise, code, WHERE);
}

test('a JSON body is parsed; the request headers and query arrive', async (t) => {
  const server = await startFakeServer(t);
  server.route('GET', '/customers/42', json(200, { id: 42, name: 'Ada', tags: ['vip'] }));
  const response = await perform(
    get(server, '/customers/42?expand=orders&x=%C3%A9', { authorization: 'Bearer crm-token' }),
  );
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { id: 42, name: 'Ada', tags: ['vip'] });
  assert.match(response.headers['content-type'] ?? '', /^application\/json/);
  const [request] = server.requests;
  assert.equal(request!.method, 'GET');
  assert.equal(request!.path, '/customers/42?expand=orders&x=%C3%A9');
  assert.equal(request!.headers.authorization, 'Bearer crm-token');
  assert.equal(request!.text, '');
});

test('JSON variants (+json, charset) are parsed; text is kept as text', async (t) => {
  const server = await startFakeServer(t);
  server.route(
    'GET',
    '/problem',
    text(200, '{"title":"x"}', { 'content-type': 'application/problem+json' }),
  );
  server.route(
    'GET',
    '/charset',
    text(200, '[1,2]', { 'content-type': 'application/json; charset=utf-8' }),
  );
  server.route('GET', '/text', text(200, 'plain words\n'));
  server.route('GET', '/untyped-json', text(200, '{"looks":"like json"}', {}));
  server.route('GET', '/json-as-text', text(200, '{"a":1}', { 'content-type': 'text/plain' }));
  assert.deepEqual((await perform(get(server, '/problem'))).body, { title: 'x' });
  assert.deepEqual((await perform(get(server, '/charset'))).body, [1, 2]);
  assert.equal((await perform(get(server, '/text'))).body, 'plain words\n');
  assert.equal((await perform(get(server, '/untyped-json'))).body, '{"looks":"like json"}');
  assert.equal((await perform(get(server, '/json-as-text'))).body, '{"a":1}');
});

test('an empty JSON body is an empty string, not an error', async (t) => {
  const server = await startFakeServer(t);
  server.route('DELETE', '/items/1', text(204, '', { 'content-type': 'application/json' }));
  const response = await perform({ ...get(server, '/items/1'), method: 'DELETE' });
  assert.equal(response.status, 204);
  assert.equal(response.body, '');
});

test('invalid JSON under a JSON content type: malformed-response', async (t) => {
  const server = await startFakeServer(t);
  server.route('GET', '/broken', text(200, '{"id": 42,', { 'content-type': 'application/json' }));
  const error = await failure(perform(get(server, '/broken')), 'malformed-response');
  assert.match(error.message, /said the body is JSON \(application\/json\) but it is not/);
  assert.ok(error.message.includes(JSON.stringify('{"id": 42,')), error.message);
  assert.ok(error.message.includes(server.origin), error.message);
});

test('credential headers of the response are not recorded', async (t) => {
  const server = await startFakeServer(t);
  server.route(
    'GET',
    '/login',
    json(
      200,
      { ok: true },
      {
        'set-cookie': ['session=s3cr3t-cookie; HttpOnly', 'other=also-secret'],
        'www-authenticate': 'Bearer realm="x"',
        'x-request-id': 'req-1',
      },
    ),
  );
  const response = await perform(get(server, '/login'));
  assert.equal(response.headers['set-cookie'], undefined);
  assert.equal(response.headers['www-authenticate'], undefined);
  assert.equal(response.headers['x-request-id'], 'req-1');
  assert.ok(!JSON.stringify(response).includes('s3cr3t-cookie'));
});

test('a JSON request body is encoded, with its content type set', async (t) => {
  const server = await startFakeServer(t);
  server.route('POST', '/tickets', json(201, { id: 'T-1' }));
  const response = await perform({
    method: 'POST',
    url: `${server.origin}/tickets`,
    headers: {},
    body: { subject: 'Refund', amount: 12.5, lines: ['a', 'b'], nested: { ok: true } },
  });
  assert.equal(response.status, 201);
  assert.deepEqual(response.body, { id: 'T-1' });
  const [request] = server.requests;
  assert.equal(request!.method, 'POST');
  assert.equal(request!.headers['content-type'], 'application/json');
  assert.deepEqual(request!.body, {
    subject: 'Refund',
    amount: 12.5,
    lines: ['a', 'b'],
    nested: { ok: true },
  });
});

test('a text body is sent as is; a content type the step sets is kept', async (t) => {
  const server = await startFakeServer(t);
  server.route('POST', '/raw', text(200, 'ok'));
  server.route('PUT', '/typed', text(200, 'ok'));
  await perform({ method: 'POST', url: `${server.origin}/raw`, headers: {}, body: 'a=1&b=2' });
  await perform({
    method: 'PUT',
    url: `${server.origin}/typed`,
    headers: { 'content-type': 'application/merge-patch+json' },
    body: { a: 1 },
  });
  assert.equal(server.requests[0]!.text, 'a=1&b=2');
  assert.match(server.requests[0]!.headers['content-type'] ?? '', /^text\/plain/);
  assert.equal(server.requests[1]!.headers['content-type'], 'application/merge-patch+json');
  assert.equal(server.requests[1]!.text, '{"a":1}');
});

test('GET is retried on 503; POST is not', async (t) => {
  const server = await startFakeServer(t);
  server.script(text(503, 'busy'), json(200, { ok: true }));
  const { policy, waits } = recordingPolicy();
  const response = await perform(get(server, '/retried'), policy);
  assert.equal(response.status, 200);
  assert.equal(server.requests.length, 2);
  assert.deepEqual(waits, [500]);

  server.script(text(503, 'busy'), json(200, { ok: true }));
  const post = recordingPolicy();
  const answer = await perform(
    { method: 'POST', url: `${server.origin}/once`, headers: {}, body: { n: 1 } },
    post.policy,
  );
  // A POST that reached the server is never sent twice: its 503 is the answer.
  assert.equal(answer.status, 503);
  assert.equal(answer.body, 'busy');
  assert.equal(server.requests.length, 3);
  assert.deepEqual(post.waits, []);
});

test('PATCH is not retried either; PUT and DELETE are', async (t) => {
  const server = await startFakeServer(t);
  server.script(text(502, 'bad gateway'), text(200, 'put ok'));
  server.script(text(504, 'timeout'), text(200, 'delete ok'));
  server.script(text(503, 'busy'), text(200, 'never'));
  assert.equal((await perform({ ...get(server, '/a'), method: 'PUT', body: 'x' })).body, 'put ok');
  assert.equal((await perform({ ...get(server, '/b'), method: 'DELETE' })).body, 'delete ok');
  assert.equal((await perform({ ...get(server, '/c'), method: 'PATCH', body: 'x' })).status, 503);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    ['PUT /a', 'PUT /a', 'DELETE /b', 'DELETE /b', 'PATCH /c'],
  );
});

test('non-2xx statuses are answers, for the step to judge against `expect`', async (t) => {
  const server = await startFakeServer(t);
  server.route('GET', '/missing', json(404, { error: 'no such customer' }));
  server.route('GET', '/broken', text(500, 'stack trace here'));
  server.route('GET', '/busy', text(503, 'still busy'));
  const missing = await perform(get(server, '/missing'));
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body, { error: 'no such customer' });
  const broken = await perform(get(server, '/broken'));
  assert.equal(broken.status, 500);
  assert.equal(broken.body, 'stack trace here');
  assert.equal(server.requests.length, 2, '500 is not retried');
  const { policy, waits } = recordingPolicy();
  const busy = await perform(get(server, '/busy'), policy);
  assert.equal(busy.status, 503);
  assert.equal(busy.body, 'still busy');
  assert.deepEqual(waits, [500, 1000], 'retried twice before giving the answer');
  assert.equal(server.requests.length, 5);
});

test('429 with Retry-After is honoured for a GET', async (t) => {
  const server = await startFakeServer(t);
  server.script(text(429, 'slow down', { 'retry-after': '1' }), json(200, { ok: 1 }));
  const { policy, waits } = recordingPolicy();
  assert.deepEqual((await perform(get(server, '/limited'), policy)).body, { ok: 1 });
  assert.deepEqual(waits, [1000]);
});

test('redirects are followed', async (t) => {
  const server = await startFakeServer(t);
  server.route('GET', '/old', redirect(302, '/new'));
  server.route('GET', '/new', json(200, { moved: true }));
  const response = await perform(get(server, '/old'));
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { moved: true });
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/old', '/new'],
  );
});

test('a body over the limit is refused: by its content-length, or as it streams in', async (t) => {
  const server = await startFakeServer(t);
  const over = Buffer.alloc(MAX_HTTP_BODY_BYTES + 1, 'a');
  server.route('GET', '/declared', text(200, over));
  // No content-length, and multi-byte characters: fewer characters than the limit, more bytes.
  const euros = '€'.repeat(Math.ceil((MAX_HTTP_BODY_BYTES + 1) / 3));
  assert.ok(euros.length < MAX_HTTP_BODY_BYTES);
  server.route('GET', '/chunked', async (res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    for (let at = 0; at < euros.length; at += 256 * 1024) {
      if (res.destroyed) return;
      await write(res, euros.slice(at, at + 256 * 1024)).catch(() => undefined);
    }
    res.end();
  });
  const declared = await failure(perform(get(server, '/declared')), 'malformed-response');
  assert.match(declared.message, /10\.0 MiB; at most 10 MiB are recorded/);
  const chunked = await failure(perform(get(server, '/chunked')), 'malformed-response');
  assert.match(chunked.message, /more than 10 MiB; at most 10 MiB are recorded/);
});

test('a body just under the limit is kept whole', async (t) => {
  const server = await startFakeServer(t);
  const body = 'é'.repeat(Math.floor(MAX_HTTP_BODY_BYTES / 2)); // exactly the limit in bytes
  server.route('GET', '/big', async (res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    await write(res, body);
    res.end();
  });
  const response = await perform(get(server, '/big'));
  assert.equal(response.body, body);
});

test('a body cut off mid-way: malformed-response', async (t) => {
  const server = await startFakeServer(t);
  server.route('GET', '/cut', cutOff('{"items":[1,2,3,4,5,6,7,8,9]}', 12, { declareLength: true }));
  const error = await failure(perform(get(server, '/cut')), 'malformed-response');
  assert.match(error.message, /was cut off/);
});

test('cancelled while the server is slow: cancelled', async (t) => {
  const server = await startFakeServer(t);
  server.route('GET', '/slow', stall());
  const controller = new AbortController();
  const pending = perform(get(server, '/slow'), undefined, controller.signal);
  await pollUntil(() => server.requests.length === 1, { what: 'the request to arrive' });
  controller.abort();
  const error = await failure(pending, 'cancelled');
  assert.equal(error.message, `${WHERE}: cancelled`);
});

test('connection refused: a connection error (a POST is not retried)', async () => {
  const port = await closedPort();
  const { policy, waits } = recordingPolicy();
  const error = await failure(
    perform(
      { method: 'POST', url: `http://127.0.0.1:${port}/x`, headers: {}, body: { a: 1 } },
      policy,
    ),
    'connection',
  );
  assert.match(error.message, /could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  assert.match(error.message, /is the server running\?$/);
  assert.deepEqual(waits, []);
});
