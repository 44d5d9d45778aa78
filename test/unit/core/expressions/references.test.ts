import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileExpression } from '../../../../core/src/expressions/references.js';

function refs(source: string): string[] {
  const compiled = compileExpression(source);
  assert.ok(compiled.ok, `${source}: ${compiled.ok ? '' : compiled.message}`);
  return compiled.references.map(
    (r) => `${[r.root, ...r.path].join('.')}@${source.slice(r.start, r.end)}`,
  );
}

test('scope names are found with their exact text', () => {
  assert.deepEqual(refs("steps.classify.output.category != 'bug'"), [
    'steps.classify.output.category@steps.classify.output.category',
  ]);
  assert.deepEqual(refs('$split(inputs.ticket, "\\n")'), ['inputs.ticket@inputs.ticket']);
  assert.deepEqual(refs('inputs.a ? steps.b.output : index'), [
    'inputs.a@inputs.a',
    'steps.b.output@steps.b.output',
    'index@index',
  ]);
  assert.deepEqual(refs('{"a": inputs.x, "b": [1, steps.s.output]}'), [
    'inputs.x@inputs.x',
    'steps.s.output@steps.s.output',
  ]);
  assert.deepEqual(refs('inputs.`odd-name`.z'), ['inputs.odd-name.z@inputs.`odd-name`.z']);
});

test('names inside filters, later path steps and sort terms are item-relative, not scope names', () => {
  assert.deepEqual(refs("steps.notes.output[category='x'].text"), [
    'steps.notes.output@steps.notes.output',
  ]);
  assert.deepEqual(refs('steps.a.output.(price * qty)'), ['steps.a.output@steps.a.output']);
  assert.deepEqual(refs('steps.a.output^(>price).name'), ['steps.a.output@steps.a.output']);
  assert.deepEqual(refs('steps.a.output[price > inputs.min]'), ['steps.a.output@steps.a.output']);
});

test('$$ reaches the scope from anywhere; $ only at the top', () => {
  assert.deepEqual(refs('steps.a.output[price > $$.inputs.min]'), [
    'steps.a.output@steps.a.output',
    'inputs.min@inputs.min',
  ]);
  assert.deepEqual(refs('$.inputs.q'), ['inputs.q@inputs.q']);
});

test('lambdas, blocks, conditions and bindings are walked', () => {
  assert.deepEqual(refs('$map(steps.a.output, function($v) { $v.name & inputs.z })'), [
    'steps.a.output@steps.a.output',
    'inputs.z@inputs.z',
  ]);
  assert.deepEqual(refs('($x := inputs.n; $x + steps.b.output)'), [
    'inputs.n@inputs.n',
    'steps.b.output@steps.b.output',
  ]);
  assert.deepEqual(refs('-inputs.n'), ['inputs.n@inputs.n']);
});

test('syntax errors carry a position and the offending token', () => {
  const bad = compileExpression('inputs.text +* 2');
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.token, '2');
    assert.equal(bad.position, 16);
    assert.equal(bad.message, "unexpected '2'");
  }
  const unclosed = compileExpression('$count(');
  assert.equal(unclosed.ok, false);
});
