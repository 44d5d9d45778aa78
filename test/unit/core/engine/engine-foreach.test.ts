// foreach: bounded concurrency, results in item order whatever the completion order, iterations
// keyed by their declared key or by the item's hash plus its occurrence, and a failing iteration
// stopping the others.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineError } from '../../../../core/src/engine/engine-error.js';
import { contentId } from '../../../../core/src/hash/canonical.js';
import type { ModelCall } from '../../../../core/src/engine/steps/llm-step.js';
import type { RunEvent } from '../../../../core/src/model/runs.js';
import {
  abortableDelay,
  modelAnswer,
  runOnce,
  stepAt,
  TableExecutor,
} from '../../../helpers/engine-harness.js';
import { pollUntil } from '../../../helpers/store-wait.js';

const MODEL = `models:
  fast:
    provider: openai
    model: small-1
`;

/** The last user message of a model call: what the iteration was about. */
function promptOf(call: ModelCall): string {
  return call.request.messages.at(-1)?.content ?? '';
}

/** A model whose answers wait until the test releases them, one prompt at a time. */
function gatedModel(): {
  executor: TableExecutor;
  waiting: Map<string, () => void>;
  release: (prompt: string) => void;
} {
  const waiting = new Map<string, () => void>();
  const executor = new TableExecutor({
    llm: (request, signal) =>
      new Promise((resolve, reject) => {
        const prompt = promptOf(request);
        waiting.set(prompt, () => resolve(modelAnswer(`note on ${prompt}`)));
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      }),
  });
  return {
    executor,
    waiting,
    release: (prompt) => {
      const go = waiting.get(prompt);
      assert.ok(go, `no call waiting for ${prompt}; waiting: ${[...waiting.keys()].join(', ')}`);
      waiting.delete(prompt);
      go();
    },
  };
}

/** The 12 hex digits of an item's hash that an undeclared key uses. */
function hashKey(item: unknown): string {
  return contentId(item).slice('sha256:'.length, 'sha256:'.length + 12);
}

describe('foreach', () => {
  test('answers completing in reverse order still give outputs in item order, keyed paths', async () => {
    const { executor, waiting, release } = gatedModel();
    const events: RunEvent[] = [];
    const finished = (path: string): boolean =>
      events.some((e) => e.type === 'step-finished' && e.record.path === path);
    const running = runOnce(
      `name: notes
inputs:
  sections: { type: array }
${MODEL}steps:
  - id: notes
    foreach: \${{ inputs.sections }}
    as: section
    key: \${{ section.id }}
    concurrency: 4
    llm: { model: fast, prompt: "\${{ index }}:\${{ section.text }}" }
  - id: joined
    transform: \${{ $join(steps.notes.output, " | ") }}
`,
      {
        executor,
        onEvent: (event) => events.push(event),
        input: {
          sections: [
            { id: 'intro', text: 'a' },
            { id: 'body', text: 'b' },
            { id: 'end', text: 'c' },
          ],
        },
      },
    );
    await pollUntil(() => waiting.size === 3, { what: 'three model calls in flight at once' });
    for (const [prompt, path] of [
      ['2:c', 'notes[end]'],
      ['1:b', 'notes[body]'],
      ['0:a', 'notes[intro]'],
    ] as const) {
      release(prompt);
      await pollUntil(() => finished(path), { what: `${path} to finish` });
    }
    const { result, record } = await running;
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const notes = stepAt(record, 'notes');
    assert.deepEqual(notes.output, ['note on 0:a', 'note on 1:b', 'note on 2:c']);
    assert.deepEqual(notes.iterations, ['notes[intro]', 'notes[body]', 'notes[end]']);
    assert.equal(stepAt(record, 'joined').output, 'note on 0:a | note on 1:b | note on 2:c');
    // The journal shows the real completion order; the paths do not depend on it.
    assert.deepEqual(
      record.steps.filter((s) => s.step === 'notes').map((s) => s.path),
      ['notes[end]', 'notes[body]', 'notes[intro]', 'notes'],
    );
    assert.deepEqual(
      record.effects.map((e) => e.path),
      ['notes[end]', 'notes[body]', 'notes[intro]'],
    );
    assert.equal(stepAt(record, 'notes[body]').output, 'note on 1:b');
  });

  test('without a key, iterations are keyed by the item hash; identical items get #1, #2', async () => {
    const items = ['x', { n: 1 }, 'x', 'y', 'x', { n: 1 }];
    const { result, record } = await runOnce(
      `name: hashed
inputs:
  items: { type: array }
steps:
  - id: each
    foreach: \${{ inputs.items }}
    concurrency: 3
    transform: '\${{ { "item": item, "index": index } }}'
`,
      { input: { items } },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const x = hashKey('x');
    const n = hashKey({ n: 1 });
    const y = hashKey('y');
    assert.deepEqual(stepAt(record, 'each').iterations, [
      `each[${x}]`,
      `each[${n}]`,
      `each[${x}#1]`,
      `each[${y}]`,
      `each[${x}#2]`,
      `each[${n}#1]`,
    ]);
    assert.deepEqual(
      stepAt(record, 'each').output,
      items.map((item, index) => ({ item, index })),
    );
    assert.deepEqual(stepAt(record, `each[${x}#2]`).output, { item: 'x', index: 4 });
  });

  test('at most `concurrency` iterations run at once', async () => {
    let inFlight = 0;
    let most = 0;
    const executor = new TableExecutor({
      llm: async (request, signal) => {
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          await abortableDelay(5, signal); // a model's latency
          return modelAnswer(promptOf(request).toUpperCase());
        } finally {
          inFlight--;
        }
      },
    });
    const { result } = await runOnce(
      `name: bounded
${MODEL}steps:
  - id: each
    foreach: [a, b, c, d, e, f, g]
    concurrency: 2
    llm: { model: fast, prompt: "\${{ item }}" }
`,
      { executor },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(result.output, ['A', 'B', 'C', 'D', 'E', 'F', 'G']);
    assert.equal(most, 2);
    assert.equal(executor.calls.length, 7);
  });

  test('two items with the same declared key fail the step before any iteration runs', async () => {
    const executor = new TableExecutor({ llm: async () => modelAnswer('x') });
    const { result, record } = await runOnce(
      `name: dupes
${MODEL}steps:
  - id: each
    foreach: [{ id: a }, { id: b }, { id: a }]
    key: \${{ item.id }}
    llm: { model: fast, prompt: "\${{ item.id }}" }
`,
      { executor },
    );
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'foreach');
    assert.equal(
      result.error?.message,
      "steps.each.key: items 0 and 2 both have the key 'a'; keys must be unique",
    );
    assert.equal(executor.calls.length, 0);
    assert.deepEqual(
      record.steps.map((s) => [s.path, s.status]),
      [['each', 'failed']],
    );
  });

  test('a value that is not a list is a clear error', async () => {
    const { result } = await runOnce(`name: notalist
steps:
  - id: each
    foreach: \${{ "one, two" }}
    transform: \${{ item }}
`);
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'foreach');
    assert.match(result.error?.message ?? '', /steps\.each\.foreach: must give a list, got string/);
  });

  test('a failing iteration fails the step, cancels the ones in flight and starts no more', async () => {
    const executor = new TableExecutor({
      llm: async (request, signal) => {
        const prompt = promptOf(request);
        if (prompt === '1')
          return new Promise((_, reject) => {
            signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
          });
        // Fails only once the first iteration is waiting, so the order is fixed.
        await pollUntil(() => executor.calls.length >= 2, { what: 'both iterations started' });
        throw new EngineError('server-error', `item ${prompt}: the model answered 500`);
      },
    });
    const { result, record } = await runOnce(
      `name: failing
${MODEL}steps:
  - id: each
    foreach: [1, 2, 3, 4, 5, 6]
    key: \${{ $string(item) }}
    concurrency: 2
    llm: { model: fast, prompt: "\${{ item }}" }
  - id: after
    transform: never
`,
      { executor },
    );
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.error, {
      code: 'server-error',
      message: 'item 2: the model answered 500',
    });
    assert.equal(executor.calls.length, 2, 'items 3 to 6 never started');
    assert.deepEqual(
      record.steps.map((s) => [s.path, s.status]),
      [
        ['each[2]', 'failed'],
        ['each[1]', 'cancelled'],
        ['each', 'failed'],
      ],
    );
    assert.deepEqual(stepAt(record, 'each').error, result.error);
    assert.equal(stepAt(record, 'each[1]').error?.code, 'cancelled');
    assert.deepEqual(
      record.effects.map((e) => [e.path, e.error?.code]),
      [
        ['each[2]', 'server-error'],
        ['each[1]', 'cancelled'],
      ],
    );
    assert.equal(record.status, 'failed');
  });
});
