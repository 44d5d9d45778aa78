// What a run records about the outside world: clock, random and env reads as effects, step paths
// that are structural, and request keys that change with every allow-listed field of a request
// and never with a secret's value.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requestKey } from '../../../../core/src/engine/effects.js';
import type { JsonValue, WorkflowDefinition } from '../../../../core/src/model/workflow.js';
import type { RunRecord } from '../../../../core/src/model/runs.js';
import {
  abortableDelay,
  httpAnswer,
  modelAnswer,
  runOnce,
  stepAt,
  TableExecutor,
  unvalidatedVersionOf,
} from '../../../helpers/engine-harness.js';

/** The effects a run performed: without the record of which secrets were set. */
function performed(record: RunRecord): RunRecord['effects'] {
  return record.effects.filter((e) => e.kind !== 'secret');
}

/** A model that answers with the prompt's length; an endpoint that echoes what it was sent. */
function echoModel(): TableExecutor {
  return new TableExecutor({
    llm: async (call) => modelAnswer(`len ${call.request.messages.at(-1)?.content.length}`),
    http: async (request) => httpAnswer({ url: request.url, headers: request.headers }),
  });
}

/** The identity of every effect of a run: path, kind, key, occurrence. */
function identities(record: RunRecord): string[] {
  return performed(record)
    .map((e) => `${e.path} ${e.kind} ${e.key} #${e.occurrence}`)
    .sort();
}

describe('clock, random and env reads', () => {
  test('are effects of the step that reads them, with the values used', async () => {
    const executor = new TableExecutor({
      clock: [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 123],
      random: [0.5],
      env: { REGION: 'eu-west' },
    });
    const { result, record } = await runOnce(
      `name: stamped
steps:
  - id: first
    transform: 1
  - id: stamp
    transform: '\${{ {"now": $now(), "ms": $millis(), "r": $random(), "region": env.REGION, "unset": env.NOT_SET} }}'
`,
      { executor },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(stepAt(record, 'stamp').output, {
      now: '2026-01-01T00:00:00.000Z',
      ms: Date.UTC(2026, 0, 1) + 123,
      r: 0.5,
      region: 'eu-west',
    });
    assert.deepEqual(
      performed(record).map((e) => ({
        path: e.path,
        kind: e.kind,
        request: e.request,
        response: e.response,
        occurrence: e.occurrence,
      })),
      [
        // Environment variables are read once, before the first step.
        { path: 'run', kind: 'env', request: { name: 'NOT_SET' }, response: null, occurrence: 0 },
        {
          path: 'run',
          kind: 'env',
          request: { name: 'REGION' },
          response: 'eu-west',
          occurrence: 0,
        },
        {
          path: 'stamp',
          kind: 'clock',
          request: null,
          response: Date.UTC(2026, 0, 1),
          occurrence: 0,
        },
        {
          path: 'stamp',
          kind: 'clock',
          request: null,
          response: Date.UTC(2026, 0, 1) + 123,
          occurrence: 1,
        },
        { path: 'stamp', kind: 'random', request: null, response: 0.5, occurrence: 0 },
      ],
    );
    for (const effect of performed(record)) assert.match(effect.key, /^rk1:sha256:[0-9a-f]{64}$/);
  });

  test('inside a foreach, each iteration reads under its own path whatever the timing', async () => {
    const executor = new TableExecutor({
      llm: async (call, signal) => {
        const prompt = call.request.messages.at(-1)?.content ?? '';
        await abortableDelay(prompt.startsWith('a') ? 30 : 1, signal);
        return modelAnswer(prompt);
      },
    });
    const { result, record } = await runOnce(
      `name: timed
models:
  fast: { provider: openai, model: small-1 }
steps:
  - id: each
    foreach: [a, b]
    key: \${{ item }}
    concurrency: 2
    llm: { model: fast, prompt: "\${{ item }} at \${{ $millis() }}" }
  - id: after
    transform: \${{ $millis() }}
`,
      { executor },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const reads = performed(record)
      .filter((e) => e.kind === 'clock')
      .map((e) => [e.path, e.occurrence]);
    assert.deepEqual(reads, [
      ['each[a]', 0],
      ['each[b]', 0],
      ['after', 0],
    ]);
  });
});

describe('step identity', () => {
  const WORKFLOW = `name: paths
models:
  fast: { provider: openai, model: small-1 }
steps:
  - id: split
    transform: [one, two, one, three]
  - id: each
    foreach: \${{ steps.split.output }}
    concurrency: 4
    llm: { model: fast, prompt: "\${{ item }}" }
  - id: last
    when: false
    transform: never
`;

  test('paths are structural: the same in runs whose answers arrive in different orders', async () => {
    const latency = (order: readonly string[]): TableExecutor =>
      new TableExecutor({
        llm: async (call, signal) => {
          const prompt = call.request.messages.at(-1)?.content ?? '';
          await abortableDelay(1 + 15 * order.indexOf(prompt), signal);
          return modelAnswer(prompt.toUpperCase());
        },
      });
    const a = await runOnce(WORKFLOW, { executor: latency(['one', 'two', 'three']) });
    const b = await runOnce(WORKFLOW, { executor: latency(['three', 'two', 'one']) });
    for (const { result } of [a, b]) assert.equal(result.status, 'succeeded');
    assert.deepEqual(a.result.output, b.result.output);
    assert.notDeepEqual(
      performed(a.record).map((e) => e.path),
      performed(b.record).map((e) => e.path),
      'the answers did arrive in different orders',
    );
    const paths = (record: RunRecord): string[] => record.steps.map((s) => s.path).sort();
    assert.deepEqual(paths(a.record), paths(b.record));
    assert.deepEqual(identities(a.record), identities(b.record));
    for (const path of paths(a.record)) {
      assert.match(path, /^(split|last|each(\[[0-9a-f]{12}(#\d+)?\])?)$/, `path ${path}`);
    }
    assert.deepEqual(stepAt(a.record, 'each').iterations, stepAt(b.record, 'each').iterations);
  });
});

describe('request keys', () => {
  const LLM: WorkflowDefinition = {
    name: 'keyed',
    models: {
      fast: {
        provider: 'openai',
        model: 'small-1',
        base_url: 'http://127.0.0.1:9/v1',
        api_key: '${{ secrets.MODEL_KEY }}',
        temperature: 0,
      },
    },
    steps: [{ id: 'ask', llm: { model: 'fast', system: 'Be brief.', prompt: 'Hello' } }],
  };
  const HTTP: WorkflowDefinition = {
    name: 'keyed-http',
    steps: [
      {
        id: 'call',
        http: {
          method: 'POST',
          url: 'https://api.example.com/v1/items',
          headers: { 'x-trace': 'abc' },
          body: { name: 'a' },
        },
      },
    ],
  };

  /** A copy of `base` changed by `change`. */
  const variant = (
    base: WorkflowDefinition,
    change: (d: WorkflowDefinition) => void,
  ): WorkflowDefinition => {
    const copy = structuredClone(base);
    change(copy);
    return copy;
  };
  const llmOf = (d: WorkflowDefinition): NonNullable<WorkflowDefinition['steps'][0]['llm']> =>
    d.steps[0]!.llm!;
  const httpOf = (d: WorkflowDefinition): NonNullable<WorkflowDefinition['steps'][0]['http']> =>
    d.steps[0]!.http!;

  async function keyOf(definition: WorkflowDefinition, secret = 'sk-test-1'): Promise<string> {
    const { result, record } = await runOnce(definition, {
      executor: echoModel(),
      secrets: { MODEL_KEY: secret },
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.equal(performed(record).length, 1);
    return performed(record)[0]!.key;
  }

  test('the same canonical request gives the same key, computed from the recorded request', async () => {
    const secrets = { MODEL_KEY: 'sk-test-same' };
    const first = await runOnce(LLM, { executor: echoModel(), secrets });
    const second = await runOnce(LLM, { executor: echoModel(), secrets });
    const effect = performed(first.record)[0]!;
    assert.equal(effect.key, performed(second.record)[0]!.key);
    assert.equal(effect.key, requestKey(effect.request));
    assert.match(effect.key, /^rk1:sha256:[0-9a-f]{64}$/);
  });

  test('every allow-listed model field changes the key; transport settings do not', async () => {
    const base = await keyOf(LLM);
    const changed: Record<string, WorkflowDefinition> = {
      model: variant(LLM, (d) => (d.models!['fast']!.model = 'small-2')),
      prompt: variant(LLM, (d) => (llmOf(d).prompt = 'Hello!')),
      system: variant(LLM, (d) => (llmOf(d).system = 'Be very brief.')),
      messages: variant(LLM, (d) => {
        delete llmOf(d).prompt;
        delete llmOf(d).system;
        llmOf(d).messages = [
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content: 'Hi' },
          { role: 'user', content: 'Hello' },
        ];
      }),
      temperature: variant(LLM, (d) => (d.models!['fast']!.temperature = 0.7)),
      'step temperature': variant(LLM, (d) => (llmOf(d).temperature = 1)),
      response_format: variant(LLM, (d) => {
        llmOf(d).output = 'json';
        llmOf(d).prompt = 'Hello';
      }),
      top_p: variant(LLM, (d) => (llmOf(d).top_p = 0.9)),
      max_tokens: variant(LLM, (d) => (llmOf(d).max_tokens = 64)),
      seed: variant(LLM, (d) => (llmOf(d).seed = 7)),
      stop: variant(LLM, (d) => (llmOf(d).stop = ['\n'])),
    };
    const keys = new Map<string, string>([['base', base]]);
    for (const [field, definition] of Object.entries(changed)) {
      if (field === 'response_format') {
        // The echo answer is not JSON: check the key without running the step to its end.
        const { record } = await runOnce(definition, {
          executor: new TableExecutor({ llm: async () => modelAnswer('{}') }),
          secrets: { MODEL_KEY: 'sk-test-1' },
        });
        keys.set(field, performed(record)[0]!.key);
        continue;
      }
      keys.set(field, await keyOf(definition));
    }
    const distinct = new Set(keys.values());
    assert.equal(distinct.size, keys.size, `keys that collide: ${JSON.stringify([...keys])}`);

    const same: Record<string, WorkflowDefinition> = {
      base_url: variant(LLM, (d) => (d.models!['fast']!.base_url = 'http://127.0.0.1:10/v1')),
      'api_key secret': variant(
        LLM,
        (d) => (d.models!['fast']!.api_key = '${{ secrets.OTHER_KEY }}'),
      ),
      timeout: variant(LLM, (d) => (d.models!['fast']!.timeout = '5s')),
      stream: variant(LLM, (d) => (d.models!['fast']!.stream = true)),
      'step name': variant(LLM, (d) => (d.steps[0]!.name = 'Ask politely')),
    };
    for (const [field, definition] of Object.entries(same)) {
      assert.equal(await keyOf(definition), base, `${field} must not change the key`);
    }
  });

  test('every part of an HTTP request changes the key', async () => {
    const base = await keyOf(HTTP);
    const changed: Record<string, WorkflowDefinition> = {
      method: variant(HTTP, (d) => (httpOf(d).method = 'PUT')),
      url: variant(HTTP, (d) => (httpOf(d).url = 'https://api.example.com/v1/items/2')),
      query: variant(HTTP, (d) => (httpOf(d).query = { page: '2' })),
      header: variant(HTTP, (d) => (httpOf(d).headers = { 'x-trace': 'abd' })),
      'extra header': variant(HTTP, (d) => (httpOf(d).headers!['accept'] = 'text/plain')),
      body: variant(HTTP, (d) => (httpOf(d).body = { name: 'b' })),
    };
    const keys = new Map<string, string>([['base', base]]);
    for (const [field, definition] of Object.entries(changed)) {
      keys.set(field, await keyOf(definition));
    }
    assert.equal(new Set(keys.values()).size, keys.size, JSON.stringify([...keys]));
    // Header names are not case-sensitive: writing one differently is the same request.
    assert.equal(
      await keyOf(
        variant(HTTP, (d) => {
          httpOf(d).headers = { 'X-Trace': 'abc' };
        }),
      ),
      base,
    );
  });

  test('a secret’s value never influences a key and is recorded only as a placeholder', async () => {
    const definition: WorkflowDefinition = {
      ...LLM,
      steps: [
        ...LLM.steps,
        {
          id: 'crm',
          http: {
            url: 'https://crm.example.com/customers/1',
            headers: { authorization: 'Bearer ${{ secrets.CRM_TOKEN }}' },
          },
        },
      ],
    };
    const run = async (
      modelKey: string,
      token: string,
    ): Promise<{ record: RunRecord; live: JsonValue[] }> => {
      const executor = echoModel();
      const { result, record, events } = await runOnce(definition, {
        executor,
        secrets: { MODEL_KEY: modelKey, CRM_TOKEN: token },
      });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
      // The result the caller prints is the recorded one too.
      assert.deepEqual(result.output, record.output);
      assert.deepEqual((result.output as { body: unknown }).body, {
        url: 'https://crm.example.com/customers/1',
        headers: { authorization: 'Bearer ⟦secret:CRM_TOKEN⟧' },
      });
      const recorded = JSON.stringify({ result, record, events });
      for (const secret of [modelKey, token]) {
        assert.equal(recorded.includes(secret), false, `${secret} was recorded`);
      }
      return { record, live: executor.calls.map((c) => c.call.live ?? null) };
    };
    const one = await run('model-key-ONE-3f9a1c', 'crm-token-ONE-77b2e0');
    const two = await run('model-key-TWO-c41d9e', 'crm-token-TWO-0a5f13');
    assert.deepEqual(identities(one.record), identities(two.record));
    const crm = performed(one.record).find((e) => e.path === 'crm');
    assert.deepEqual((crm?.request as { headers: unknown }).headers, {
      authorization: 'Bearer ⟦secret:CRM_TOKEN⟧',
    });
    assert.deepEqual(stepAt(one.record, 'crm').input, crm?.request);
    // The provider got the real values.
    assert.match(JSON.stringify(one.live), /model-key-ONE-3f9a1c/);
    assert.match(JSON.stringify(one.live), /Bearer crm-token-ONE-77b2e0/);
  });

  test('a secret sent in a URL query is redacted in its encoded form too', async () => {
    const secret = 'q/s+e=c r&e:t?ONE';
    const executor = new TableExecutor({
      http: async (request) => httpAnswer({ url: request.url }),
    });
    const { result, record, events } = await runOnce(
      {
        name: 'query-secret',
        steps: [
          {
            id: 'call',
            http: {
              url: 'https://api.example.com/search',
              query: { q: 'x', api_key: '${{ secrets.QUERY_KEY }}' },
            },
          },
        ],
      },
      { executor, secrets: { QUERY_KEY: secret } },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const sent = (executor.calls[0]!.call.live as { url: string }).url;
    assert.equal(new URL(sent).searchParams.get('api_key'), secret, 'the real value was sent');
    const recorded = JSON.stringify({ record, events });
    const encoded = sent.slice(sent.indexOf('api_key=') + 'api_key='.length);
    for (const form of [secret, encoded, encodeURIComponent(secret)]) {
      assert.equal(recorded.includes(form), false, `the secret was recorded as ${form}`);
    }
    assert.match(
      (performed(record)[0]!.request as { url: string }).url,
      /api_key=.*secret.*QUERY_KEY/,
    );
  });

  test('auth: basic sends the credential; the run records the secret names, never it', async () => {
    const definition = (auth: JsonValue): WorkflowDefinition => ({
      name: 'basic',
      steps: [{ id: 'call', http: { url: 'https://api.example.com/me', auth } as never }],
    });
    const run = async (secret: string): Promise<{ record: RunRecord; sent: string }> => {
      const executor = new TableExecutor({
        // An echoing server sends the header back, as debugging endpoints do.
        http: async (request) => httpAnswer({ youSent: request.headers['authorization'] ?? '' }),
      });
      const { result, record, events } = await runOnce(
        definition({ basic: { username: 'svc-user', password: '${{ secrets.PASSWORD }}' } }),
        { executor, secrets: { PASSWORD: secret } },
      );
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
      const sent = (executor.calls[0]!.call.live as { headers: Record<string, string> }).headers;
      const header = sent['authorization'] ?? '';
      assert.equal(header, `Basic ${Buffer.from(`svc-user:${secret}`).toString('base64')}`);
      const recorded = JSON.stringify({ record, events, result });
      for (const form of [secret, header.slice('Basic '.length)]) {
        assert.equal(recorded.includes(form), false, `recorded ${form}`);
      }
      return { record, sent: header };
    };
    const a = await run('pa55-word-ALPHA-91c2');
    const b = await run('pa55-word-BRAVO-3e7d');
    assert.deepEqual(identities(a.record), identities(b.record));
    const request = performed(a.record)[0]!.request as { headers: unknown; auth: unknown };
    assert.deepEqual(request.headers, {});
    assert.deepEqual(request.auth, {
      basic: { username: 'svc-user', password: '⟦secret:PASSWORD⟧' },
    });
    assert.deepEqual((performed(a.record)[0]!.response as { body: unknown }).body, {
      youSent: 'Basic ⟦secret:PASSWORD:basic⟧',
    });
    // A bearer token: the header the endpoint gets, the placeholder in the record.
    const executor = new TableExecutor({ http: async () => httpAnswer({ ok: true }) });
    const bearer = await runOnce(definition({ bearer: '${{ secrets.TOKEN }}' }), {
      executor,
      secrets: { TOKEN: 'tok-ECHO-19af' },
    });
    assert.equal(bearer.result.status, 'succeeded', JSON.stringify(bearer.result.error));
    const live = executor.calls[0]!.call.live as { headers: Record<string, string> };
    assert.equal(live.headers['authorization'], 'Bearer tok-ECHO-19af');
    assert.deepEqual((performed(bearer.record)[0]!.request as { auth: unknown }).auth, {
      bearer: '⟦secret:TOKEN⟧',
    });
  });

  test('computing with a secret fails the run before anything is sent', async () => {
    for (const header of [
      'Basic ${{ $base64encode("svc-usr:" & secrets.CREDENTIALS) }}',
      '${{ $uppercase(secrets.CREDENTIALS) }}',
      '${{ $string($$) }}',
    ]) {
      const executor = new TableExecutor({ http: async () => httpAnswer({ ok: true }) });
      const { result, record } = await runOnce(
        unvalidatedVersionOf({
          name: 'computed',
          steps: [
            {
              id: 'call',
              http: { url: 'https://api.example.com/me', headers: { authorization: header } },
            },
          ],
        }),
        { executor, secrets: { CREDENTIALS: 'pa55-word-CHARLIE-5b8a' } },
      );
      const recorded = JSON.stringify(record);
      assert.equal(recorded.includes('pa55-word-CHARLIE-5b8a'), false, header);
      if (header.includes('$$')) {
        // Expressions do not see secrets at all: the whole scope printed holds none.
        assert.equal(result.status, 'succeeded', header);
        const sent = executor.calls[0]!.call.live as { headers: Record<string, string> };
        assert.ok(!JSON.stringify(sent).includes('CHARLIE'), 'the scope holds no secret');
        continue;
      }
      assert.equal(result.status, 'failed', header);
      assert.equal(result.error?.code, 'secret-use', header);
      assert.match(result.error?.message ?? '', /computes with a secret/);
      assert.equal(executor.calls.length, 0, `${header}: nothing was sent`);
    }
  });

  test('a secret placed outside the fields that send it fails the run', async () => {
    const { result } = await runOnce(
      unvalidatedVersionOf({
        name: 'leaky',
        steps: [{ id: 'note', transform: 'token: ${{ secrets.TOKEN }}' }],
      }),
      { executor: new TableExecutor({}), secrets: { TOKEN: 'tok-NOTE-77' } },
    );
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'secret-use');
    assert.match(
      result.error?.message ?? '',
      /steps\.note\.transform: secrets\.TOKEN cannot be used here/,
    );
  });

  test('a secret as short as one letter leaves the record readable', async () => {
    const { result, record } = await runOnce(LLM, {
      executor: echoModel(),
      secrets: { MODEL_KEY: 'e' },
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(
      record.steps.map((s) => [s.path, s.status, s.attempts]),
      [['ask', 'succeeded', 1]],
    );
    const effect = performed(record)[0]!;
    assert.equal(effect.kind, 'llm');
    assert.equal(effect.path, 'ask');
    assert.equal(effect.occurrence, 0);
    assert.match(effect.key, /^rk1:sha256:[0-9a-f]{64}$/);
    assert.ok(record.finishedAt);
  });
});
