// compileExpression remembers results per source (the language server re-validates on every
// keystroke). The memo must be invisible: same answers, frozen so no caller can corrupt them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COMPILE_MEMO_LIMIT,
  compileExpression,
} from '../../../../core/src/expressions/references.js';

test('the same source gives the same, frozen result', () => {
  const first = compileExpression('steps.a.output.x + inputs.n');
  const second = compileExpression('steps.a.output.x + inputs.n');
  assert.equal(first, second);
  assert.ok(Object.isFrozen(first));
  assert.ok(first.ok && Object.isFrozen(first.references) && Object.isFrozen(first.references[0]));
  assert.throws(() => {
    (first as { ok: boolean }).ok = false;
  }, TypeError);
});

test('errors are remembered too, and answers stay right past the memo limit', () => {
  const bad = compileExpression('inputs.');
  assert.equal(bad.ok, false);
  assert.equal(compileExpression('inputs.'), bad);
  for (let i = 0; i <= COMPILE_MEMO_LIMIT; i++) compileExpression(`inputs.v${i}`);
  const again = compileExpression('inputs.v0');
  assert.ok(again.ok);
  assert.deepEqual(again.references[0]?.path, ['v0']);
  assert.deepEqual(compileExpression('inputs.').ok, false);
});
