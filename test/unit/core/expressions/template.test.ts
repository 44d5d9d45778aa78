import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplate, singleExpression } from '../../../../core/src/expressions/template.js';

test('finds every expression with its offsets', () => {
  const text = 'Hi ${{ inputs.name }}, you have ${{ $count(steps.a.output) }} items';
  const { expressions, errors } = parseTemplate(text);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    expressions.map((e) => [e.source.trim(), text.slice(e.start, e.end)]),
    [
      ['inputs.name', '${{ inputs.name }}'],
      ['$count(steps.a.output)', '${{ $count(steps.a.output) }}'],
    ],
  );
});

test('braces in object constructors and strings do not end an expression', () => {
  const text = '${{ {"a": {"b": "}}"}} }} tail';
  const { expressions } = parseTemplate(text);
  assert.equal(expressions.length, 1);
  assert.equal(expressions[0]!.source, ' {"a": {"b": "}}"}} ');
});

test('unterminated and empty expressions are errors', () => {
  assert.match(parseTemplate('x ${{ inputs.a').errors[0]!.message, /unterminated/);
  assert.match(parseTemplate('${{   }}').errors[0]!.message, /empty/);
});

test('a value that is exactly one expression keeps its type; anything else interpolates', () => {
  assert.ok(singleExpression('${{ steps.a.output }}'));
  assert.ok(singleExpression('  ${{ steps.a.output }}\n'));
  assert.equal(singleExpression('x ${{ steps.a.output }}'), undefined);
  assert.equal(singleExpression('${{ a }}${{ b }}'), undefined);
  assert.equal(singleExpression('plain'), undefined);
});
