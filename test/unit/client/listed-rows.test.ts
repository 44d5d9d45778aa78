// What History remembers of the rows it listed: the newest object per id, and nothing a parent
// no longer lists (runs streaming in for hours must not pile up).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListedRows } from '../../../client/src/views/history/listed-rows.js';

interface Row {
  readonly id?: string;
  readonly n: number;
}
const row = (id: string, n = 0): Row => ({ id, n });

test('the object last listed with an id is the newest; an unknown row is itself', () => {
  const rows = new ListedRows<Row>();
  const workflow = row('workflow|a');
  rows.listed(undefined, [workflow]);
  rows.listed(workflow, [row('version|a|1', 1)]);
  rows.listed(workflow, [row('version|a|1', 2)]);
  assert.equal(rows.newest(row('version|a|1')).n, 2);
  const stranger = row('version|b|1', 7);
  assert.equal(rows.newest(stranger), stranger);
  assert.equal(rows.newest({ n: 3 }).n, 3, 'a row without an id');
});

test('what a parent listed last, in its order (the top level: undefined)', () => {
  const rows = new ListedRows<Row>();
  const a = row('workflow|a', 1);
  const b = row('workflow|b', 2);
  assert.deepEqual(rows.childrenOf(undefined), [], 'nothing listed yet');
  rows.listed(undefined, [b, a]);
  rows.listed(a, [row('version|a|1')]);
  assert.deepEqual(rows.childrenOf(undefined), [b, a]);
  assert.deepEqual(rows.childrenOf(a), [row('version|a|1')]);
  assert.deepEqual(rows.childrenOf(b), [], 'not opened');
  assert.deepEqual(rows.childrenOf({ n: 0 }), [], 'a row without an id lists nothing');
  rows.listed(undefined, [a]);
  assert.deepEqual(rows.childrenOf(undefined), [a]);
  assert.deepEqual(rows.childrenOf(a), [], 'listed again: what it listed is forgotten');
});

test('a parent listed again forgets what it listed before, and what that listed', () => {
  const rows = new ListedRows<Row>();
  const workflow = row('workflow|a');
  const version = row('version|a|1');
  rows.listed(undefined, [workflow]);
  rows.listed(workflow, [version]);
  rows.listed(version, [row('run|1'), row('run|2')]);
  assert.equal(rows.size, 4);
  // The version went (pruned): its runs go with it.
  rows.listed(workflow, [row('version|a|2')]);
  assert.equal(rows.size, 2);
  assert.deepEqual(rows.newest(row('run|1', 9)).n, 9, 'run|1 is forgotten');
  // The top level listed again starts over.
  rows.listed(undefined, []);
  assert.equal(rows.size, 0);
});

test('runs arriving for a long time under an open version stay bounded by the page', () => {
  const rows = new ListedRows<Row>();
  const workflow = row('workflow|a');
  const version = row('version|a|1');
  rows.listed(undefined, [workflow]);
  for (let refresh = 0; refresh < 1_000; refresh++) {
    // Each refresh lists the workflow again, then its open version's newest 20 runs.
    rows.listed(workflow, [version]);
    const page = Array.from({ length: 20 }, (_, i) => row(`run|${refresh + i}`));
    rows.listed(version, page);
  }
  assert.equal(rows.size, 22);
});
