// A mutation test of the request key. Starting from realistic canonical model and HTTP requests
// (made by the real steps from workflows that set every allow-listed field), every mutation of
// every leaf and of every array and object changes `requestKey`; every allow-listed field of a
// workflow reaches the canonical request (a table maps each canonical field to the workflow
// changes that move it, and a field without an entry fails the test); volatile things (key
// order, header-name case, transport settings, secret values) never change the key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import diff from 'microdiff';
import { requestKey, secretPlaceholder } from '../../../../core/src/engine/effects.js';
import type {
  JsonValue,
  ModelDefinition,
  StepDefinition,
  WorkflowDefinition,
} from '../../../../core/src/model/workflow.js';
import { canonicalJson } from '../../../../core/src/hash/canonical.js';
import type { EffectRecord } from '../../../../core/src/model/runs.js';
import {
  httpAnswer,
  modelAnswer,
  runOnce,
  TableExecutor,
  unvalidatedVersionOf,
  versionOf,
} from '../../../helpers/engine-harness.js';

// ---------------------------------------------------------------------------------------------
// Mutations of any JSON document, generated from its structure.

type Path = readonly (string | number)[];

interface Mutation {
  /** What was changed, for messages: `messages.1.content: append`. */
  readonly what: string;
  readonly value: JsonValue;
}

/** `root` with the node at `path` replaced by `node`. */
function replaceAt(root: JsonValue, path: Path, node: JsonValue): JsonValue {
  if (path.length === 0) return node;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[head as number] = replaceAt(root[head as number]!, rest, node);
    return copy;
  }
  const object = root as { [key: string]: JsonValue };
  return { ...object, [head as string]: replaceAt(object[head as string]!, rest, node) };
}

/** Every way of changing one thing in `node`: each leaf's value, each array's and object's shape. */
function nodeMutations(node: JsonValue): { what: string; node: JsonValue }[] {
  if (typeof node === 'string') {
    return [
      { what: 'append a character', node: `${node}x` },
      ...(node === '' ? [] : [{ what: 'empty', node: '' }]),
      // (An expression's names are case-sensitive: changing their case would not validate.)
      {
        what: 'change case',
        node: node === node.toUpperCase() ? node.toLowerCase() : node.toUpperCase(),
      },
    ].filter((m) => m.node !== node && !(m.what === 'change case' && node.includes('${{')));
  }
  if (typeof node === 'number') {
    return [
      { what: '+1', node: node + 1 },
      { what: '+0.01', node: node + 0.01 },
      { what: 'as a string', node: String(node) },
    ];
  }
  if (typeof node === 'boolean') return [{ what: 'negate', node: !node }];
  if (node === null) return [{ what: 'null to 0', node: 0 }];
  if (Array.isArray(node)) {
    const out: { what: string; node: JsonValue }[] = [
      { what: 'append an element', node: [...node, node[0] ?? 'extra'] },
    ];
    if (node.length > 0) {
      out.push({ what: 'drop the last element', node: node.slice(0, -1) });
      out.push({ what: 'drop the first element', node: node.slice(1) });
    }
    const reversed = [...node].reverse();
    if (canonicalJson(reversed) !== canonicalJson(node)) {
      out.push({ what: 'reverse the order', node: reversed });
    }
    return out;
  }
  const out: { what: string; node: JsonValue }[] = [
    { what: 'add a member', node: { ...node, extra: 'x' } },
  ];
  for (const key of Object.keys(node)) {
    const { [key]: removed, ...rest } = node;
    out.push({ what: `remove member '${key}'`, node: rest });
    out.push({ what: `rename member '${key}'`, node: { ...rest, [`${key}_`]: removed! } });
  }
  return out;
}

/** Every path in `root`, the root itself included. */
function allPaths(root: JsonValue, at: Path = []): Path[] {
  const here: Path[] = [at];
  if (Array.isArray(root)) root.forEach((child, i) => here.push(...allPaths(child, [...at, i])));
  else if (root !== null && typeof root === 'object') {
    for (const [key, child] of Object.entries(root)) here.push(...allPaths(child, [...at, key]));
  }
  return here;
}

function nodeAt(root: JsonValue, path: Path): JsonValue {
  let node: JsonValue = root;
  for (const part of path) node = (node as { [key: string]: JsonValue })[part as string]!;
  return node;
}

/** Every single change of `root` (any node, anywhere). */
function mutationsOf(root: JsonValue): Mutation[] {
  return allPaths(root).flatMap((path) =>
    nodeMutations(nodeAt(root, path)).map((m) => ({
      what: `${path.join('.') || '(root)'}: ${m.what}`,
      value: replaceAt(root, path, m.node),
    })),
  );
}

/** The leaves of `root`, by path: what a mutation test must cover. */
function leafPaths(root: JsonValue): string[] {
  return allPaths(root)
    .filter((path) => {
      const node = nodeAt(root, path);
      return node === null || typeof node !== 'object';
    })
    .map((path) => path.join('.'));
}

/** The same value with every object's keys in reverse order (deeply). */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, member]) => [key, reverseKeys(member)]),
    ) as T;
  }
  return value;
}

/** Asserts that every mutation changes the key, and lists the mutations made. */
function assertEveryMutationChangesTheKey(request: JsonValue): Mutation[] {
  const base = requestKey(request);
  const mutations = mutationsOf(request);
  const same = mutations.filter((m) => requestKey(m.value) === base).map((m) => m.what);
  assert.deepEqual(same, [], 'mutations that do not change the key');
  // Every leaf was mutated at least once (so a new field is mutated the day it appears).
  const mutated = new Set(mutations.map((m) => m.what.split(': ')[0]));
  for (const leaf of leafPaths(request)) assert.ok(mutated.has(leaf), `leaf ${leaf} not mutated`);
  return mutations;
}

// ---------------------------------------------------------------------------------------------
// Canonical requests as the real steps make them.

const SECRETS = { MODEL_KEY: 'sk-test-4f1e9a', TENANT: 'tenant-7', CRM_TOKEN: 'crm-9b2c7d' };

/** Runs a one-step workflow and returns the step's recorded effect (secret reads aside). */
async function effectOf(
  definition: WorkflowDefinition,
  options: { secrets?: Record<string, string>; validate?: boolean } = {},
): Promise<EffectRecord> {
  const executor = new TableExecutor({
    llm: async () => modelAnswer('{"category":"billing"}'),
    http: async () => httpAnswer({ ok: true }),
  });
  const { result, record } = await runOnce(
    options.validate === false ? unvalidatedVersionOf(definition) : versionOf(definition),
    {
      executor,
      secrets: options.secrets ?? SECRETS,
      input: { ticket: 'Charged twice', id: 'c-42' },
    },
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
  const effects = record.effects.filter((e) => e.kind === 'llm' || e.kind === 'http');
  assert.equal(effects.length, 1);
  assert.equal(effects[0]!.key, requestKey(effects[0]!.request), 'the key is the request’s');
  return effects[0]!;
}

const MODEL: ModelDefinition = {
  provider: 'openai',
  model: 'small-1',
  base_url: 'http://127.0.0.1:9/v1',
  api_key: '${{ secrets.MODEL_KEY }}',
  temperature: 0.2,
  top_p: 0.9,
  max_tokens: 256,
  seed: 7,
  stop: ['END', 'STOP'],
};

/** A model call with every allow-listed field set. */
const LLM_WORKFLOW: WorkflowDefinition = {
  name: 'keyed-llm',
  inputs: { ticket: { type: 'string' }, id: { type: 'string' } },
  models: { fast: MODEL },
  steps: [
    {
      id: 'ask',
      llm: {
        model: 'fast',
        messages: [
          { role: 'system', content: 'You are a support triage assistant. Answer with JSON.' },
          { role: 'user', content: 'Ticket: ${{ inputs.ticket }}' },
          { role: 'assistant', content: '{"category":"bug"}' },
          { role: 'user', content: 'Customer ${{ inputs.id }}: classify again.' },
        ],
        output: 'json',
      },
    },
  ],
};

/** An HTTP call with a method, a URL with a query, headers (one a credential) and a body. */
const HTTP_WORKFLOW: WorkflowDefinition = {
  name: 'keyed-http',
  inputs: { ticket: { type: 'string' }, id: { type: 'string' } },
  steps: [
    {
      id: 'note',
      http: {
        method: 'POST',
        url: 'https://crm.example.com/v1/customers/${{ inputs.id }}/notes?source=triage',
        query: { fields: 'name,plan', tenant: '${{ secrets.TENANT }}' },
        headers: {
          'X-Trace': 'trace-1',
          Accept: 'application/json',
          Authorization: 'Bearer ${{ secrets.CRM_TOKEN }}',
        },
        body: {
          text: '${{ inputs.ticket }}',
          tags: ['billing', 'urgent'],
          meta: { priority: 2, internal: true, parent: null },
        },
      },
    },
  ],
};

/** A copy of `base` changed by `change`. */
function variant(
  base: WorkflowDefinition,
  change: (d: WorkflowDefinition, step: StepDefinition) => void,
): WorkflowDefinition {
  const copy = structuredClone(base);
  change(copy, copy.steps[0]!);
  return copy;
}

/** A workflow change, and whether the format accepts it (provider has one value today). */
interface StepChange {
  readonly what: string;
  readonly definition: WorkflowDefinition;
  readonly validate?: boolean;
}

const llm = (step: StepDefinition) => step.llm!;
const model = (d: WorkflowDefinition) => d.models!['fast']!;
const messages = (step: StepDefinition) => llm(step).messages!;

/**
 * For each field of the canonical model request: workflow changes that must change it (and so
 * the key). A field of the canonical request without an entry fails the coverage test.
 */
const MODEL_FIELD_CHANGES: Record<string, StepChange[]> = {
  provider: [
    {
      what: 'another provider',
      definition: variant(LLM_WORKFLOW, (d) => {
        (model(d) as { provider: string }).provider = 'azure-openai';
      }),
      validate: false,
    },
  ],
  model: [
    { what: 'model', definition: variant(LLM_WORKFLOW, (d) => (model(d).model = 'small-2')) },
  ],
  messages: [
    {
      what: 'a role',
      definition: variant(LLM_WORKFLOW, (_, s) => (messages(s)[2]!.role = 'user')),
    },
    {
      what: 'a content',
      definition: variant(LLM_WORKFLOW, (_, s) => (messages(s)[0]!.content += ' Be brief.')),
    },
    {
      what: 'the input a content reads',
      definition: variant(LLM_WORKFLOW, (_, s) => {
        messages(s)[1]!.content = 'Ticket: ${{ inputs.id }}';
        messages(s)[3]!.content = 'Customer ${{ inputs.ticket }}: classify again.';
      }),
    },
    {
      what: 'the order',
      definition: variant(LLM_WORKFLOW, (_, s) => {
        llm(s).messages = [messages(s)[1]!, messages(s)[0]!, ...messages(s).slice(2)];
      }),
    },
    {
      what: 'one more message',
      definition: variant(LLM_WORKFLOW, (_, s) => {
        messages(s).push({ role: 'user', content: 'Thanks.' });
      }),
    },
    {
      what: 'one message fewer',
      definition: variant(LLM_WORKFLOW, (_, s) => void messages(s).splice(2, 1)),
    },
    {
      what: 'system + prompt instead of messages',
      definition: variant(LLM_WORKFLOW, (_, s) => {
        delete llm(s).messages;
        llm(s).system = 'You are a support triage assistant. Answer with JSON.';
        llm(s).prompt = 'Ticket: ${{ inputs.ticket }}';
      }),
    },
  ],
  response_format: [
    {
      what: 'output: text',
      definition: variant(LLM_WORKFLOW, (_, s) => (llm(s).output = 'text')),
    },
  ],
  temperature: [
    { what: 'model', definition: variant(LLM_WORKFLOW, (d) => (model(d).temperature = 0.3)) },
    { what: 'step', definition: variant(LLM_WORKFLOW, (_, s) => (llm(s).temperature = 1)) },
    { what: 'unset', definition: variant(LLM_WORKFLOW, (d) => delete model(d).temperature) },
  ],
  top_p: [
    { what: 'model', definition: variant(LLM_WORKFLOW, (d) => (model(d).top_p = 0.95)) },
    { what: 'step', definition: variant(LLM_WORKFLOW, (_, s) => (llm(s).top_p = 0.5)) },
  ],
  max_tokens: [
    { what: 'model', definition: variant(LLM_WORKFLOW, (d) => (model(d).max_tokens = 257)) },
    { what: 'step', definition: variant(LLM_WORKFLOW, (_, s) => (llm(s).max_tokens = 64)) },
  ],
  seed: [
    { what: 'model', definition: variant(LLM_WORKFLOW, (d) => (model(d).seed = 8)) },
    { what: 'step', definition: variant(LLM_WORKFLOW, (_, s) => (llm(s).seed = 1)) },
  ],
  stop: [
    { what: 'a value', definition: variant(LLM_WORKFLOW, (d) => (model(d).stop = ['END'])) },
    { what: 'a string', definition: variant(LLM_WORKFLOW, (d) => (model(d).stop = 'END')) },
    { what: 'step', definition: variant(LLM_WORKFLOW, (_, s) => (llm(s).stop = ['\n'])) },
  ],
};

/** Workflow changes that must not change the model request's key. */
const MODEL_VOLATILE: StepChange[] = [
  {
    what: 'base_url',
    definition: variant(LLM_WORKFLOW, (d) => (model(d).base_url = 'https://api.example.com/v1')),
  },
  {
    what: 'api_key from another secret',
    definition: variant(LLM_WORKFLOW, (d) => (model(d).api_key = '${{ secrets.CRM_TOKEN }}')),
  },
  { what: 'timeout', definition: variant(LLM_WORKFLOW, (d) => (model(d).timeout = '5s')) },
  { what: 'stream', definition: variant(LLM_WORKFLOW, (d) => (model(d).stream = true)) },
  {
    what: 'the answer’s schema',
    definition: variant(LLM_WORKFLOW, (_, s) => {
      llm(s).schema = { type: 'object', required: ['category'] };
    }),
  },
  {
    what: 'the step’s retry and timeout',
    definition: variant(LLM_WORKFLOW, (_, s) => {
      s.retry = { max: 2 };
      s.timeout = '20s';
    }),
  },
  { what: 'every object’s key order', definition: reverseKeys(LLM_WORKFLOW) },
];

/** HTTP workflow changes that must change the key, by canonical field. */
function httpFieldChanges(): Record<string, StepChange[]> {
  const http = (step: StepDefinition) => step.http!;
  const headerNames = Object.keys(HTTP_WORKFLOW.steps[0]!.http!.headers!);
  const body = HTTP_WORKFLOW.steps[0]!.http!.body!;
  return {
    method: ['GET', 'PUT', 'PATCH', 'DELETE'].map((method) => ({
      what: method,
      definition: variant(HTTP_WORKFLOW, (_, s) => {
        http(s).method = method as 'GET';
      }),
    })),
    url: [
      { what: 'host', from: 'crm.example.com', to: 'crm2.example.com' },
      { what: 'scheme', from: 'https://', to: 'http://' },
      { what: 'path', from: '/notes', to: '/note' },
      { what: 'path from an input', from: '${{ inputs.id }}', to: '${{ inputs.id }}-2' },
      { what: 'query value in the URL', from: 'source=triage', to: 'source=triage2' },
      { what: 'query name in the URL', from: 'source=triage', to: 'src=triage' },
    ]
      .map(({ what, from, to }) => ({
        what,
        definition: variant(HTTP_WORKFLOW, (_, s) => {
          assert.ok(http(s).url.includes(from));
          http(s).url = http(s).url.replace(from, to);
        }),
      }))
      .concat([
        {
          what: 'a query parameter’s value',
          definition: variant(HTTP_WORKFLOW, (_, s) => (http(s).query!['fields'] = 'name')),
        },
        {
          what: 'one more query parameter',
          definition: variant(HTTP_WORKFLOW, (_, s) => (http(s).query!['page'] = '2')),
        },
        {
          what: 'one query parameter fewer',
          definition: variant(HTTP_WORKFLOW, (_, s) => delete http(s).query!['fields']),
        },
      ]),
    headers: [
      ...headerNames.flatMap((name) => [
        {
          what: `${name}: value`,
          // A credential must come from a secret alone: another secret is another value.
          definition: variant(HTTP_WORKFLOW, (_, s) => {
            const value = http(s).headers![name]!;
            http(s).headers![name] = value.includes('secrets.')
              ? value.replace(/secrets\.\w+/, 'secrets.TENANT')
              : `${value}x`;
          }),
        },
        {
          what: `${name}: name`,
          definition: variant(HTTP_WORKFLOW, (_, s) => {
            const value = http(s).headers![name]!;
            delete http(s).headers![name];
            http(s).headers![`${name}-2`] = value;
          }),
        },
        {
          what: `${name}: removed`,
          definition: variant(HTTP_WORKFLOW, (_, s) => delete http(s).headers![name]),
        },
      ]),
      {
        what: 'one more header',
        definition: variant(HTTP_WORKFLOW, (_, s) => (http(s).headers!['X-Extra'] = '1')),
      },
    ],
    // Every mutation of the body as written (the body is sent as it is, expressions evaluated).
    body: mutationsOf(body).map((m) => ({
      what: m.what,
      definition: variant(HTTP_WORKFLOW, (_, s) => (http(s).body = m.value)),
    })),
  };
}

/** HTTP workflow changes that must not change the key. */
function httpVolatile(): StepChange[] {
  const http = (step: StepDefinition) => step.http!;
  const recase = (change: (name: string) => string) =>
    variant(HTTP_WORKFLOW, (_, s) => {
      http(s).headers = Object.fromEntries(
        Object.entries(http(s).headers!).map(([name, value]) => [change(name), value]),
      );
    });
  return [
    { what: 'header names in lower case', definition: recase((n) => n.toLowerCase()) },
    { what: 'header names in upper case', definition: recase((n) => n.toUpperCase()) },
    {
      what: 'headers, body and step keys in reverse order',
      definition: variant(HTTP_WORKFLOW, (d) => {
        d.steps[0] = reverseKeys(d.steps[0]!);
        const h = d.steps[0].http!;
        h.query = HTTP_WORKFLOW.steps[0]!.http!.query!; // query order is the URL's order: kept
      }),
    },
    {
      what: 'the step’s retry, timeout and expected statuses',
      definition: variant(HTTP_WORKFLOW, (_, s) => {
        s.retry = { max: 3, backoff: 'fixed' };
        s.timeout = '3s';
        http(s).expect = [200, 201];
      }),
    },
  ];
}

/** Checks a table of field changes against a base request: coverage, then every key differs. */
async function assertFieldChanges(
  base: EffectRecord,
  table: Record<string, StepChange[]>,
): Promise<void> {
  const fields = Object.keys(base.request as object).sort();
  // Coverage both ways: a new canonical field needs workflow changes here, and every entry here
  // is a field the base request sets (so its change is visible).
  assert.deepEqual(
    fields,
    Object.keys(table).sort(),
    'every field of the canonical request has workflow changes in the table, and no other',
  );
  for (const [field, changes] of Object.entries(table)) {
    assert.ok(changes.length > 0, `no change for ${field}`);
    for (const change of changes) {
      const effect = await effectOf(
        change.definition,
        change.validate === false ? { validate: false } : {},
      );
      const moved = diff(
        base.request as Record<string, unknown>,
        effect.request as Record<string, unknown>,
      ).map((d) => String(d.path[0]));
      assert.ok(moved.length > 0, `${field} (${change.what}): the canonical request is the same`);
      assert.deepEqual(
        [...new Set(moved)],
        [field],
        `${field} (${change.what}) changes only ${field} in the canonical request`,
      );
      assert.notEqual(effect.key, base.key, `${field} (${change.what}) changes the key`);
    }
  }
}

describe('the request key of a model call', () => {
  test('the canonical request holds the allow-listed fields only, secrets as placeholders', async () => {
    const effect = await effectOf(LLM_WORKFLOW);
    assert.deepEqual(effect.request, {
      provider: 'openai',
      model: 'small-1',
      messages: [
        { role: 'system', content: 'You are a support triage assistant. Answer with JSON.' },
        { role: 'user', content: 'Ticket: Charged twice' },
        { role: 'assistant', content: '{"category":"bug"}' },
        { role: 'user', content: 'Customer c-42: classify again.' },
      ],
      response_format: { type: 'json_object' },
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 256,
      seed: 7,
      stop: ['END', 'STOP'],
    });
    assert.match(effect.key, /^rk1:sha256:[0-9a-f]{64}$/);
  });

  test('any change of any leaf, array or object of the request changes the key', async () => {
    const { request } = await effectOf(LLM_WORKFLOW);
    const mutations = assertEveryMutationChangesTheKey(request);
    // Sanity: the generator reached the messages' roles, contents, order and count.
    const made = mutations.map((m) => m.what);
    for (const expected of [
      'provider: append a character',
      'messages.2.role: append a character',
      'messages.3.content: append a character',
      'messages: reverse the order',
      'messages: drop the last element',
      'messages: append an element',
      'response_format.type: append a character',
      'stop: drop the first element',
      'seed: +1',
      "(root): remove member 'temperature'",
    ]) {
      assert.ok(made.includes(expected), `no mutation '${expected}' in ${made.join(', ')}`);
    }
  });

  test('every allow-listed workflow field reaches the canonical request and the key', async () => {
    await assertFieldChanges(await effectOf(LLM_WORKFLOW), MODEL_FIELD_CHANGES);
  });

  test('transport settings, key order and secret values do not change the key', async () => {
    const base = await effectOf(LLM_WORKFLOW);
    for (const change of MODEL_VOLATILE) {
      const effect = await effectOf(change.definition);
      assert.equal(effect.key, base.key, `${change.what} must not change the key`);
    }
    const otherSecrets = await effectOf(LLM_WORKFLOW, {
      secrets: { MODEL_KEY: 'sk-other-0000', TENANT: 'tenant-8', CRM_TOKEN: 'x' },
    });
    assert.equal(otherSecrets.key, base.key, 'secret values must not change the key');
    assert.ok(!JSON.stringify(otherSecrets).includes('sk-other-0000'));
    // Key order of the canonical request itself.
    assert.equal(requestKey(reverseKeys(base.request)), base.key);
  });
});

/** `definition` with its model on the anthropic provider (and without the seed it cannot take). */
function onAnthropic(definition: WorkflowDefinition): WorkflowDefinition {
  return variant(definition, (d) => {
    if (model(d).provider === 'openai') model(d).provider = 'anthropic';
    delete model(d).seed;
  });
}

/** A change as made to the anthropic variant; one that moves the system message skips validation. */
function anthropicChange(change: StepChange): StepChange {
  const definition = onAnthropic(change.definition);
  const lateSystem = (definition.steps[0]!.llm!.messages ?? []).some(
    (m, i) => i > 0 && m.role === 'system',
  );
  return {
    what: change.what,
    definition,
    ...(change.validate === false || lateSystem ? { validate: false } : {}),
  };
}

describe('the request key of a model call on the anthropic provider', () => {
  test('the canonical request has the same shape as for openai: only the provider differs', async () => {
    const openai = variant(LLM_WORKFLOW, (d) => delete model(d).seed);
    const [a, b] = await Promise.all([effectOf(openai), effectOf(onAnthropic(openai))]);
    assert.deepEqual(diff(a.request as object, b.request as object), [
      { type: 'CHANGE', path: ['provider'], value: 'anthropic', oldValue: 'openai' },
    ]);
    assert.notEqual(a.key, b.key);
  });

  test('every allow-listed workflow field reaches the canonical request and the key', async () => {
    const { seed: _, ...changes } = MODEL_FIELD_CHANGES;
    await assertFieldChanges(
      await effectOf(onAnthropic(LLM_WORKFLOW)),
      Object.fromEntries(
        Object.entries(changes).map(([f, list]) => [f, list.map(anthropicChange)]),
      ),
    );
  });

  test('transport settings and key order do not change the key', async () => {
    const base = await effectOf(onAnthropic(LLM_WORKFLOW));
    for (const change of MODEL_VOLATILE.map(anthropicChange)) {
      const effect = await effectOf(change.definition);
      assert.equal(effect.key, base.key, `${change.what} must not change the key`);
    }
  });
});

describe('the request key of an HTTP call', () => {
  test('the canonical request: method, URL with its query, lower-case headers, body', async () => {
    const effect = await effectOf(HTTP_WORKFLOW);
    assert.deepEqual(effect.request, {
      method: 'POST',
      // The secret was sent URL-encoded; its encoded form is recorded as the placeholder.
      url: `https://crm.example.com/v1/customers/c-42/notes?source=triage&fields=name%2Cplan&tenant=${secretPlaceholder('TENANT')}`,
      headers: {
        'x-trace': 'trace-1',
        accept: 'application/json',
        authorization: `Bearer ${secretPlaceholder('CRM_TOKEN')}`,
      },
      body: {
        text: 'Charged twice',
        tags: ['billing', 'urgent'],
        meta: { priority: 2, internal: true, parent: null },
      },
    });
  });

  test('any change of any leaf, array or object of the request changes the key', async () => {
    const { request } = await effectOf(HTTP_WORKFLOW);
    const made = assertEveryMutationChangesTheKey(request).map((m) => m.what);
    for (const expected of [
      'method: append a character',
      'url: append a character',
      'headers.x-trace: append a character',
      "headers: rename member 'accept'",
      "headers: remove member 'authorization'",
      'body.tags: reverse the order',
      'body.meta.parent: null to 0',
    ]) {
      assert.ok(made.includes(expected), `no mutation '${expected}'`);
    }
  });

  test('every part of the step reaches the canonical request and the key', async () => {
    await assertFieldChanges(await effectOf(HTTP_WORKFLOW), httpFieldChanges());
  });

  test('header-name case, key order, retry settings and secret values do not change the key', async () => {
    const base = await effectOf(HTTP_WORKFLOW);
    for (const change of httpVolatile()) {
      const effect = await effectOf(change.definition);
      assert.equal(effect.key, base.key, `${change.what} must not change the key`);
    }
    const otherSecrets = await effectOf(HTTP_WORKFLOW, {
      secrets: { MODEL_KEY: 'a', TENANT: 'tenant-other', CRM_TOKEN: 'crm-other-1234' },
    });
    assert.equal(otherSecrets.key, base.key, 'secret values must not change the key');
    assert.deepEqual(otherSecrets.request, base.request);
  });
});
