// Plain paths (`steps.fetch.output.body`) are looked up without JSONata's evaluator: the answer
// must be JSONata's own, for every kind of data on the way, so each case is asked of both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsonata from 'jsonata';
import { evaluateExpression, type Scope } from '../../../core/src/engine/evaluate.js';

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
  env: {},
  secrets: { TOKEN: '⟦secret:TOKEN⟧' },
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
