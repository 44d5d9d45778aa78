// Plain paths (`steps.fetch.output.body`) are looked up without JSONata's evaluator: the answer
// must be JSONata's own, for every kind of data on the way, so each case is asked of both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsonata from 'jsonata';
import {
  evaluateExpression,
  evaluateValue,
  type Scope,
} from '../../../../core/src/engine/evaluate.js';
import { EngineError } from '../../../../core/src/engine/engine-error.js';
import type { JsonValue } from '../../../../core/src/model/workflow.js';
import { parseTemplate, singleExpression } from '../../../../core/src/expressions/template.js';

const functions = {
  now: async () => '2026-01-01T00:00:00.000Z',
  millis: async () => 0,
  random: async () => 0.5,
};

/** JSONata's answer as the engine records it (undefined is null), or its error. */
async function jsonataAnswer(source: string, scope: object): Promise<unknown> {
  try {
    const value: unknown = await jsonata(source).evaluate(scope);
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  } catch {
    return 'error';
  }
}

async function engineAnswer(source: string, scope: object): Promise<unknown> {
  try {
    return await evaluateExpression(source, scope as Scope, functions, 'test');
  } catch {
    return 'error';
  }
}

const inherited = Object.create({ inheritedField: 'from the prototype' }) as object;

const scope = {
  inputs: { ticket: 'text', n: 0, negativeZero: -0, empty: '', flag: false, nothing: null },
  steps: {
    fetch: { output: { body: { name: 'Ada', nested: { deep: [1, 2] } } } },
    list: { output: [{ id: 1 }, { id: 2, more: [{ id: 3 }] }] },
    single: { output: [{ id: 1 }] },
    nested: { output: [[1, 2], [3]] },
    text: { output: 'plain' },
    inherited: { output: inherited },
  },
  env: { TOKEN: 'from-env' },
};

const paths = [
  'inputs.ticket',
  ' inputs.n ',
  'inputs.negativeZero',
  'inputs.empty',
  'inputs.flag',
  'inputs.nothing',
  'inputs.nothing.below',
  'inputs.missing',
  'inputs.missing.below',
  'inputs.ticket.length',
  'inputs',
  'steps.fetch.output',
  'steps.fetch.output.body.name',
  'steps.fetch.output.body.nested.deep',
  'steps.list.output',
  'steps.list.output.id',
  'steps.list.output.more.id',
  'steps.single.output',
  'steps.single.output.id',
  'steps.nested.output',
  'steps.text.output',
  'steps.inherited.output.inheritedField',
  'steps.fetch.output.constructor',
  'steps.fetch.output.toString',
  'steps.fetch.output.__proto__',
  'secrets.TOKEN',
  'true',
  'null',
  'inputs.and',
];

test('plain paths answer exactly what JSONata answers', async () => {
  for (const source of paths) {
    assert.deepEqual(
      await engineAnswer(source, scope),
      await jsonataAnswer(source, scope),
      `\${{ ${source} }}`,
    );
  }
});

/**
 * What a value evaluates to when every expression in it goes through JSONata: the reference for
 * `evaluateValue`, which reads values made of plain paths in one synchronous walk instead.
 */
async function throughJsonata(value: JsonValue, scope: object): Promise<unknown> {
  if (typeof value === 'string') {
    const single = singleExpression(value);
    if (single) return jsonataAnswer(single.source, scope);
    let out = '';
    let last = 0;
    for (const expression of parseTemplate(value).expressions) {
      const answer = await jsonataAnswer(expression.source, scope);
      out += value.slice(last, expression.start);
      out += answer === null ? '' : typeof answer === 'string' ? answer : JSON.stringify(answer);
      last = expression.end;
    }
    return out + value.slice(last);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => throughJsonata(v, scope)));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: unknown } = {};
    for (const [key, member] of Object.entries(value)) {
      out[key] = await throughJsonata(member, scope);
    }
    return out;
  }
  return value;
}

test('values read directly (plain paths only) evaluate as through JSONata', async () => {
  const values: JsonValue[] = [
    '${{ inputs.ticket }}',
    '${{ inputs.negativeZero }}',
    '${{ inputs.missing }}',
    '${{ steps.fetch.output.body }}',
    'Ticket: ${{ inputs.ticket }} for ${{ steps.fetch.output.body.name }}; n=${{ inputs.n }}',
    'nothing: [${{ inputs.nothing }}] body: ${{ steps.fetch.output.body }} flag ${{ inputs.flag }}',
    'an unterminated ${{ inputs.ticket',
    { url: 'https://h/${{ inputs.ticket }}', headers: { a: '${{ env.TOKEN }}' }, n: 3 },
    ['${{ inputs.n }}', 'text', null, true, ['${{ steps.text.output }}']],
    // One member needs JSONata: the whole value is evaluated member by member.
    { plain: '${{ inputs.ticket }}', computed: '${{ $count(steps.list.output) }}' },
    ['${{ steps.list.output }}', '${{ inputs.ticket & "!" }}'],
  ];
  for (const value of values) {
    assert.deepEqual(
      await evaluateValue(value, scope as unknown as Scope, functions, 'test'),
      await throughJsonata(value, scope),
      JSON.stringify(value),
    );
  }
});

test('an expression that fails is named by its field, wherever the value is read', async () => {
  const withInfinity = { ...scope, inputs: { ...scope.inputs, huge: Infinity } };
  const cases: [JsonValue, string][] = [
    [{ ok: '${{ inputs.ticket }}', bad: '${{ inputs.huge }}' }, 'steps.a.http.bad'],
    [['${{ inputs.ticket }}', { deep: '${{ $nope() }}' }], 'steps.a.http[1].deep'],
  ];
  for (const [value, where] of cases) {
    await assert.rejects(
      evaluateValue(value, withInfinity as unknown as Scope, functions, 'steps.a.http'),
      (error: unknown) =>
        error instanceof EngineError &&
        error.code === 'expression' &&
        error.message.startsWith(`${where}: `),
      JSON.stringify(value),
    );
  }
});
