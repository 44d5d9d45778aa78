// Comparing two runs: steps aligned by path in run order, each classified, the first divergence
// found, values diffed structurally (JSON) or by lines and words (text), and the totals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareRuns, diffValues, type StepChange } from '../../../../core/src/replay/compare.js';
import { llmEffect, runRecord, step } from '../../../helpers/replay-records.js';

function changes(comparison: ReturnType<typeof compareRuns>): [string, StepChange][] {
  return comparison.steps.map((s) => [s.path, s.change]);
}

describe('step classifications', () => {
  test('identical, output / input / status / branch changed, added, removed', () => {
    const a = runRecord({
      steps: [
        step('same', 'x', { input: { q: 1 } }),
        step('out', { reply: 'Hello' }),
        step('in', 'answer', { input: { prompt: 'v1' } }),
        step('status', 'done'),
        step('branch', 'taken'),
        step('gone', 1),
      ],
      output: { reply: 'Hello' },
    });
    const b = runRecord({
      steps: [
        step('same', 'x', { input: { q: 1 } }),
        step('out', { reply: 'Hi' }),
        step('in', 'answer', { input: { prompt: 'v2' } }),
        step('status', null, {
          status: 'failed',
          error: { code: 'http-status', message: 'status: 500' },
        }),
        step('branch', null, { status: 'skipped', attempts: 0 }),
        step('new', 2, { provenance: 'live' }),
      ],
      output: { reply: 'Hi' },
    });
    const comparison = compareRuns(a, b);
    assert.deepEqual(changes(comparison), [
      ['same', 'identical'],
      ['out', 'output-changed'],
      ['in', 'input-changed'],
      ['status', 'status-changed'],
      ['branch', 'branch-changed'],
      ['new', 'added'],
      ['gone', 'removed'],
    ]);
    assert.equal(comparison.firstDivergence, 'out');
    const byPath = new Map(comparison.steps.map((s) => [s.path, s]));
    assert.deepEqual(byPath.get('out')!.outputDiff, {
      kind: 'structural',
      changes: [{ type: 'changed', path: 'reply', before: 'Hello', after: 'Hi' }],
    });
    assert.equal(byPath.get('out')!.inputDiff, undefined);
    assert.deepEqual(byPath.get('in')!.inputDiff, {
      kind: 'structural',
      changes: [{ type: 'changed', path: 'prompt', before: 'v1', after: 'v2' }],
    });
    assert.equal(byPath.get('in')!.outputDiff, undefined, 'the same output has no diff');
    assert.deepEqual(byPath.get('gone')!.a, { status: 'succeeded', output: 1 });
    assert.equal(byPath.get('gone')!.b, undefined);
    assert.equal(byPath.get('new')!.provenance, 'live');
    assert.deepEqual(comparison.output, {
      kind: 'structural',
      changes: [{ type: 'changed', path: 'reply', before: 'Hello', after: 'Hi' }],
    });
  });

  test('a skipped step that is skipped again is identical; a branch beats a status change', () => {
    const a = runRecord({ steps: [step('s', null, { status: 'skipped' }), step('t', 1)] });
    const b = runRecord({
      steps: [step('s', null, { status: 'skipped' }), step('t', null, { status: 'skipped' })],
    });
    assert.deepEqual(changes(compareRuns(a, b)), [
      ['s', 'identical'],
      ['t', 'branch-changed'],
    ]);
  });

  test('input changes outrank output changes, and identical runs have no first divergence', () => {
    const a = runRecord({ steps: [step('x', 1, { input: 'p' })], output: 1 });
    const b = runRecord({ steps: [step('x', 2, { input: 'q' })], output: 2 });
    assert.deepEqual(changes(compareRuns(a, b)), [['x', 'input-changed']]);
    const same = compareRuns(a, a);
    assert.equal(same.firstDivergence, undefined);
    assert.deepEqual(same.output, { kind: 'same' });
  });
});

describe('alignment and the first divergence', () => {
  test('a step added in the middle is listed where it ran, and is the first divergence', () => {
    const a = runRecord({ steps: [step('x', 1), step('z', 3)] });
    const b = runRecord({ steps: [step('x', 1), step('y', 2), step('z', 4)] });
    const comparison = compareRuns(a, b);
    assert.deepEqual(changes(comparison), [
      ['x', 'identical'],
      ['y', 'added'],
      ['z', 'output-changed'],
    ]);
    assert.equal(comparison.firstDivergence, 'y');
  });

  test('a step removed in the middle is listed where it ran, and is the first divergence', () => {
    const a = runRecord({ steps: [step('x', 1), step('r', 2), step('z', 3)] });
    const b = runRecord({ steps: [step('x', 1), step('z', 4)] });
    const comparison = compareRuns(a, b);
    assert.deepEqual(changes(comparison), [
      ['x', 'identical'],
      ['r', 'removed'],
      ['z', 'output-changed'],
    ]);
    assert.equal(comparison.firstDivergence, 'r');
  });

  test('iterations that finished in another order are still aligned by path', () => {
    const a = runRecord({
      steps: [
        step('n[a]', 1),
        step('n[b]', 2),
        step('n', [1, 2], { iterations: ['n[a]', 'n[b]'] }),
      ],
    });
    const b = runRecord({
      steps: [
        step('n[b]', 2),
        step('n[a]', 1),
        step('n', [1, 2], { iterations: ['n[a]', 'n[b]'] }),
      ],
    });
    const comparison = compareRuns(a, b);
    assert.ok(comparison.steps.every((s) => s.change === 'identical'));
    assert.deepEqual(comparison.steps.map((s) => s.path).sort(), ['n', 'n[a]', 'n[b]']);
  });

  test('a foreach step whose iterations’ inputs changed is input-changed, even with the same output', () => {
    const iterations = { iterations: ['n[a]', 'n[b]'] };
    const a = runRecord({
      steps: [
        step('n[a]', 'A', { input: { prompt: 'Note on a' } }),
        step('n[b]', 'B', { input: { prompt: 'Note on b' } }),
        step('n', ['A', 'B'], iterations),
        step('after', 'AB'),
      ],
    });
    const b = runRecord({
      steps: [
        step('n[a]', 'A', { input: { prompt: 'A note on a' } }),
        step('n[b]', 'B', { input: { prompt: 'A note on b' } }),
        step('n', ['A', 'B'], { ...iterations, provenance: 'stubbed' }),
        step('after', 'AB', { provenance: 'tainted' }),
      ],
    });
    const comparison = compareRuns(a, b);
    assert.deepEqual(changes(comparison), [
      ['n[a]', 'input-changed'],
      ['n[b]', 'input-changed'],
      ['n', 'input-changed'],
      ['after', 'identical'],
    ]);
    assert.equal(comparison.steps[2]!.provenance, 'stubbed');
    assert.equal(comparison.steps[3]!.provenance, 'tainted');
    // Only outputs changed in the iterations: the foreach step's output changed, nothing else.
    const c = runRecord({
      steps: [
        step('n[a]', 'A2', { input: { prompt: 'Note on a' } }),
        step('n[b]', 'B', { input: { prompt: 'Note on b' } }),
        step('n', ['A2', 'B'], iterations),
      ],
    });
    assert.deepEqual(changes(compareRuns(a, c)).slice(0, 3), [
      ['n[a]', 'output-changed'],
      ['n[b]', 'identical'],
      ['n', 'output-changed'],
    ]);
  });
});

describe('value diffs', () => {
  test('JSON structures: every change with its path', () => {
    const diff = diffValues(
      { reply: 'a', items: [{ name: 'x' }, { name: 'y' }, { name: 'z' }], gone: 1 },
      { reply: 'a', items: [{ name: 'x' }, { name: 'y' }, { name: 'w' }], added: true },
    );
    assert.deepEqual(diff, {
      kind: 'structural',
      changes: [
        { type: 'changed', path: 'items.2.name', before: 'z', after: 'w' },
        { type: 'removed', path: 'gone', before: 1 },
        { type: 'added', path: 'added', after: true },
      ],
    });
    assert.deepEqual(diffValues([1, 2], [1, 2, 3]), {
      kind: 'structural',
      changes: [{ type: 'added', path: '2', after: 3 }],
    });
  });

  test('text: line diffs for several lines, word diffs for one', () => {
    const lines = diffValues('Dear Ada,\nthanks.\nBye', 'Dear Ada,\nthank you.\nBye');
    assert.equal(lines.kind, 'text');
    assert.deepEqual(lines.kind === 'text' ? lines.parts : [], [
      { value: 'Dear Ada,\n' },
      { removed: true, value: 'thanks.\n' },
      { added: true, value: 'thank you.\n' },
      { value: 'Bye' },
    ]);
    const words = diffValues('The customer was charged twice.', 'The customer was billed twice.');
    assert.deepEqual(words.kind === 'text' ? words.parts.filter((p) => p.added || p.removed) : [], [
      { removed: true, value: 'charged' },
      { added: true, value: 'billed' },
    ]);
  });

  test('different kinds of value are replaced; equal values (any key order) are the same', () => {
    assert.deepEqual(diffValues('1', 1), { kind: 'replaced', before: '1', after: 1 });
    assert.deepEqual(diffValues({ a: 1 }, [1]), { kind: 'replaced', before: { a: 1 }, after: [1] });
    assert.deepEqual(diffValues(null, { a: 1 }), {
      kind: 'replaced',
      before: null,
      after: { a: 1 },
    });
    assert.deepEqual(diffValues({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), {
      kind: 'same',
    });
  });
});

describe('totals', () => {
  test('tokens, cost from the prices, latency', () => {
    const a = runRecord({
      steps: [step('x', 1)],
      effects: [llmEffect('x', 'small', { input: 1000, output: 200 })],
      durationMs: 250,
    });
    const b = runRecord({
      steps: [step('x', 1)],
      effects: [
        llmEffect('x', 'small', { input: 1200, output: 300 }),
        llmEffect('x', 'large', { input: 100, output: 10 }),
      ],
      durationMs: 40,
    });
    const prices = { small: { input: 0.15, output: 0.6 }, large: { input: 5, output: 15 } };
    const { totals } = compareRuns(a, b, prices);
    assert.deepEqual(totals.a.tokens, { input: 1000, output: 200 });
    assert.deepEqual(totals.b.tokens, { input: 1300, output: 310 });
    assert.ok(Math.abs(totals.a.cost! - (1000 * 0.15 + 200 * 0.6) / 1e6) < 1e-12);
    assert.ok(
      Math.abs(totals.b.cost! - (1200 * 0.15 + 300 * 0.6 + 100 * 5 + 10 * 15) / 1e6) < 1e-12,
    );
    assert.equal(totals.a.latencyMs, 250);
    assert.equal(totals.b.latencyMs, 40);
    // A model without a price: no cost rather than a wrong one.
    const partial = compareRuns(a, b, { small: prices.small });
    assert.equal(partial.totals.b.cost, undefined);
    assert.equal(partial.totals.a.cost, totals.a.cost);
  });
});
