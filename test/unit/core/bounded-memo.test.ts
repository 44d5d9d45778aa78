// boundedMemo: a pure function's results remembered per key, within a bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedMemo } from '../../../core/src/bounded-memo.js';

test('each key is computed once, null and undefined results included', () => {
  const calls: string[] = [];
  const memo = boundedMemo(10, (key: string) => {
    calls.push(key);
    return key === 'none' ? undefined : key === 'null' ? null : { key };
  });
  const first = memo('a');
  assert.equal(memo('a'), first, 'the remembered result itself');
  assert.equal(memo('none'), undefined);
  assert.equal(memo('none'), undefined);
  assert.equal(memo('null'), null);
  assert.equal(memo('null'), null);
  assert.deepEqual(calls, ['a', 'none', 'null']);
});

test('past the limit the oldest key is forgotten, the others kept', () => {
  const calls: number[] = [];
  const memo = boundedMemo(3, (key: number) => {
    calls.push(key);
    return key * 2;
  });
  for (const key of [1, 2, 3, 4]) assert.equal(memo(key), key * 2);
  assert.equal(memo(2), 4);
  assert.equal(memo(3), 6);
  assert.equal(memo(4), 8);
  assert.deepEqual(calls, [1, 2, 3, 4], '2, 3 and 4 still remembered');
  assert.equal(memo(1), 2);
  assert.deepEqual(calls, [1, 2, 3, 4, 1], '1 was forgotten first');
});
