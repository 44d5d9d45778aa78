// Comparison rules (exact, normalized-text, schema, number tolerance, ignore), where they are
// declared (the output, the config, the default), how a replay is judged by them, and how the
// schemas report a bad rule: at the field that holds it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeReplay, WHOLE_OUTPUT } from '../../../../core/src/baselines/judge.js';
import {
  checkRule,
  normalizeStrings,
  outputRules,
  parseRule,
  ruleLabel,
  type CompareRule,
} from '../../../../core/src/baselines/rules.js';
import { outputValues } from '../../../../core/src/model/outputs.js';
import type { RunComparison } from '../../../../core/src/replay/compare.js';
import { parseConfigText } from '../../../../core/src/validate/config.js';
import { validateWorkflowText } from '../../../../core/src/validate/validate-workflow.js';

const exact: CompareRule = { kind: 'exact' };
const normalized: CompareRule = { kind: 'normalized-text' };

test('exact: the same JSON value, whatever the key order; anything else differs', () => {
  assert.deepEqual(checkRule(exact, { a: 1, b: [1, 'x'] }, { b: [1, 'x'], a: 1 }), { pass: true });
  assert.deepEqual(checkRule(exact, 'Billing', 'billing'), { pass: false, reason: 'differs' });
  assert.deepEqual(checkRule(exact, 1, 1.0), { pass: true });
  assert.deepEqual(checkRule(exact, 1, '1'), { pass: false, reason: 'differs' });
  assert.deepEqual(checkRule(exact, 'x', undefined), { pass: false, reason: 'no value' });
  assert.deepEqual(checkRule(exact, undefined, 'x'), {
    pass: false,
    reason: 'not in the baseline',
  });
  assert.deepEqual(checkRule(exact, null, null), { pass: true });
});

test('normalized-text: trimmed, whitespace runs collapsed, lowercased, in every string of a value', () => {
  assert.equal(checkRule(normalized, '  Hello,\n\tWORLD  ', 'hello, world').pass, true);
  assert.equal(checkRule(normalized, 'hello world', 'hello  world!').pass, false);
  assert.equal(
    checkRule(normalized, 'helloworld', 'hello world').pass,
    false,
    'spaces still count',
  );
  assert.deepEqual(normalizeStrings({ Key: [' A  B ', 3, null] }), { Key: ['a b', 3, null] });
  assert.equal(checkRule(normalized, { Key: 'Yes' }, { key: 'yes' }).pass, false, 'keys as is');
  assert.equal(checkRule(normalized, 2, 3).pass, false);
});

test('schema: the new value must match it; the baseline value is not compared', () => {
  const rule = parseRule(
    {
      schema: {
        type: 'object',
        required: ['category'],
        properties: { category: { enum: ['a', 'b'] } },
      },
    },
    'x',
  );
  assert.equal(rule.kind, 'schema');
  assert.deepEqual(checkRule(rule, { category: 'a' }, { category: 'b' }), { pass: true });
  const failed = checkRule(rule, { category: 'a' }, { category: 'c' });
  assert.equal(failed.pass, false);
  assert.match(failed.reason!, /does not match the schema: \/category must be equal to one of/);
  assert.deepEqual(checkRule(rule, { category: 'a' }, undefined), {
    pass: false,
    reason: 'no value',
  });
});

test('number: within the absolute tolerance (inclusive); a non-number fails', () => {
  const rule = parseRule({ number: { tolerance: 0.5 } }, 'x');
  assert.equal(ruleLabel(rule), 'number ±0.5');
  assert.equal(checkRule(rule, 10, 10.5).pass, true);
  assert.equal(checkRule(rule, 10, 9.5).pass, true);
  assert.deepEqual(checkRule(rule, 10, 10.75), {
    pass: false,
    reason: 'differs by 0.75 (tolerance 0.5)',
  });
  assert.deepEqual(checkRule(rule, 10, '10'), {
    pass: false,
    reason: 'not a number on both sides',
  });
  assert.equal(checkRule(parseRule({ number: { tolerance: 0 } }, 'x'), 3, 3).pass, true);
});

test('ignore: always passes, even when the output is gone', () => {
  const rule = parseRule('ignore', 'x');
  assert.deepEqual(checkRule(rule, 'a', 'b'), { pass: true });
  assert.deepEqual(checkRule(rule, 'a', undefined), { pass: true });
});

test('a value that is no rule is refused, naming where it was', () => {
  assert.throws(
    () => parseRule('fuzzy', 'outputs.reply.compare'),
    /outputs\.reply\.compare: not a comparison rule/,
  );
  assert.throws(() => parseRule({ number: { tolerance: -1 } }, 'c'), /c: not a comparison rule/);
});

test("the output's own rule wins over the config's; exact is the default", () => {
  const ruleOf = outputRules(
    {
      reply: { value: '${{ steps.a.output }}', compare: 'normalized-text' },
      score: '${{ steps.b.output }}',
      other: '${{ steps.c.output }}',
    },
    { reply: 'ignore', score: { number: { tolerance: 1 } } },
  );
  assert.deepEqual(ruleOf('reply'), normalized);
  assert.deepEqual(ruleOf('score'), { kind: 'number', tolerance: 1 });
  assert.deepEqual(ruleOf('other'), exact);
});

test('the rule form is an object with exactly value and compare; its value is what the engine evaluates', () => {
  assert.deepEqual(
    outputValues({
      a: { value: '${{ steps.x.output }}', compare: 'exact' },
      b: { value: 1, compare: 'exact', note: 'literal' },
      c: { value: 2 },
      d: 'text',
    }),
    {
      a: '${{ steps.x.output }}',
      b: { value: 1, compare: 'exact', note: 'literal' },
      c: { value: 2 },
      d: 'text',
    },
  );
});

const comparison = (firstDivergence?: string): RunComparison =>
  ({ ...(firstDivergence ? { firstDivergence } : {}) }) as unknown as RunComparison;

test('a replay passes when it succeeded and every output keeps its rule; otherwise it says why', () => {
  const ruleOf = outputRules(
    { category: '${{ x }}', reply: { value: '${{ y }}', compare: 'normalized-text' } },
    undefined,
  );
  const passed = judgeReplay(
    {
      expected: { category: 'billing', reply: 'Thanks!' },
      actual: { category: 'billing', reply: ' thanks! ' },
      status: 'succeeded',
      comparison: comparison('draft'),
    },
    ruleOf,
  );
  assert.equal(passed.pass, true);
  assert.equal(passed.message, undefined);
  assert.equal(passed.firstChangedStep, 'draft');

  const failed = judgeReplay(
    {
      expected: { category: 'billing', reply: 'Thanks!' },
      actual: { category: 'bug', reply: 'Thanks!', extra: 1 },
      status: 'succeeded',
      comparison: comparison('classify'),
    },
    ruleOf,
  );
  assert.equal(failed.pass, false);
  assert.equal(failed.message, 'category (exact): differs; extra (exact): not in the baseline');
  assert.deepEqual(
    failed.outputs.find((o) => o.output === 'category'),
    {
      output: 'category',
      rule: 'exact',
      pass: false,
      reason: 'differs',
      expected: 'billing',
      actual: 'bug',
    },
  );

  const broken = judgeReplay(
    {
      expected: { category: 'billing' },
      actual: { category: 'billing' },
      status: 'failed',
      error: { code: 'divergence', message: 'classify: diverged' },
      comparison: comparison('classify'),
    },
    ruleOf,
  );
  assert.equal(broken.pass, false);
  assert.equal(broken.message, 'the replay failed: classify: diverged');
});

test('without declared outputs the whole output is compared exactly', () => {
  const verdict = judgeReplay(
    { expected: 'a', actual: 'A', status: 'succeeded', comparison: comparison() },
    undefined,
  );
  assert.equal(verdict.pass, false);
  assert.equal(verdict.outputs[0]!.output, WHOLE_OUTPUT);
});

const WORKFLOW = (rule: string): string =>
  `name: w\nsteps:\n  - id: a\n    transform: x\noutputs:\n  plain: \${{ steps.a.output }}\n  ruled:\n    value: \${{ steps.a.output }}\n    compare: ${rule}\n`;

test('workflow files: every rule form validates; a bad rule is reported at its field', () => {
  for (const rule of [
    'exact',
    'normalized-text',
    'ignore',
    '{ number: { tolerance: 0.5 } }',
    '{ schema: { type: string } }',
  ]) {
    assert.deepEqual(validateWorkflowText(WORKFLOW(rule)).diagnostics, [], rule);
  }
  const bad = validateWorkflowText(WORKFLOW('fuzzy')).diagnostics;
  assert.ok(bad.length > 0);
  for (const d of bad) {
    assert.match(d.message, /^outputs\.ruled\.compare/, d.message);
    assert.equal(d.range.start.line, 9);
  }
  const badTolerance = validateWorkflowText(WORKFLOW('{ number: { tolerance: -1 } }')).diagnostics;
  assert.ok(
    badTolerance.some((d) => d.message.startsWith('outputs.ruled.compare.number.tolerance')),
  );
  const badSchema = validateWorkflowText(WORKFLOW('{ schema: { type: 12 } }')).diagnostics;
  assert.deepEqual(
    badSchema.map((d) => [d.code, d.message.split(':')[0]]),
    [['invalid-json-schema', 'outputs.ruled.compare.schema']],
  );
  // Expressions are checked in the value of a ruled output, as in a plain one.
  const unknownStep = validateWorkflowText(
    WORKFLOW('exact').replace('value: ${{ steps.a.output }}', 'value: ${{ steps.nope.output }}'),
  ).diagnostics;
  assert.ok(
    unknownStep.some((d) => d.message.startsWith('outputs.ruled.value')),
    JSON.stringify(unknownStep),
  );
});

test('config: compare rules by workflow and output; a bad one names its field', () => {
  const good = parseConfigText(
    'compare:\n  support-triage:\n    reply: normalized-text\n    score: { number: { tolerance: 2 } }\n',
  );
  assert.deepEqual(good.diagnostics, []);
  assert.deepEqual(good.config.compare?.['support-triage']?.['reply'], 'normalized-text');
  const bad = parseConfigText('compare:\n  support-triage:\n    reply: roughly\n');
  assert.ok(bad.diagnostics.length > 0);
  for (const d of bad.diagnostics) assert.match(d.message, /^compare\["support-triage"\]\.reply/);
  const badName = parseConfigText('compare:\n  Bad/Name:\n    reply: exact\n');
  assert.ok(badName.diagnostics.length > 0);
});

test('the workflow and config schemas define the same rules', async () => {
  const workflow = (
    await import('../../../../core/src/format/workflow.schema.json', { with: { type: 'json' } })
  ).default as { definitions: Record<string, unknown> };
  const config = (
    await import('../../../../core/src/format/config.schema.json', { with: { type: 'json' } })
  ).default as { definitions: Record<string, unknown> };
  assert.deepEqual(workflow.definitions['compareRule'], config.definitions['compareRule']);
});
