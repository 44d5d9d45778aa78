// retry (exponential and fixed backoff), per-attempt timeouts and cancellation, asserted on the
// recorded run: attempts, effect occurrences, statuses, and how soon a cancelled run returns.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineError } from '../../../../core/src/engine/engine-error.js';
import {
  abortableDelay,
  httpAnswer,
  modelAnswer,
  runOnce,
  stepAt,
  TableExecutor,
  untilAborted,
} from '../../../helpers/engine-harness.js';
import { pollUntil } from '../../../helpers/store-wait.js';

const MODEL = `models:
  fast:
    provider: openai
    model: small-1
`;

/** Timers may fire a little early against performance.now(); allow that much. */
const TIMER_SLACK_MS = 5;

/** An HTTP endpoint that fails `failures` times with a 503, then answers. */
function flakyHttp(failures: number): TableExecutor {
  let calls = 0;
  return new TableExecutor({
    http: async () => {
      calls++;
      if (calls <= failures) {
        throw new EngineError('server-error', `attempt ${calls}: the server answered 503`, {
          status: 503,
        });
      }
      return httpAnswer({ ok: true, calls });
    },
  });
}

const RETRIED = (retry: string): string => `name: retried
steps:
  - id: fetch
    retry: ${retry}
    http: { url: https://api.example.com/data }
`;

/** Time between successive calls of the executor, in ms. */
function gaps(executor: TableExecutor): number[] {
  return executor.calls.slice(1).map((c, i) => c.at - executor.calls[i]!.at);
}

describe('retry', () => {
  test('exponential backoff: the same request again, with occurrences 0, 1, 2 under one key', async () => {
    const executor = flakyHttp(2);
    const { result, record } = await runOnce(
      RETRIED('{ max: 3, backoff: exponential, delay: 100ms }'),
      { executor },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(result.output, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { ok: true, calls: 3 },
    });
    assert.equal(stepAt(record, 'fetch').attempts, 3);
    const effects = record.effects.filter((e) => e.path === 'fetch');
    assert.deepEqual(
      effects.map((e) => [e.occurrence, e.error?.code ?? 'ok']),
      [
        [0, 'server-error'],
        [1, 'server-error'],
        [2, 'ok'],
      ],
    );
    assert.equal(new Set(effects.map((e) => e.key)).size, 1, 'one request key for all attempts');
    assert.deepEqual(effects[0]!.request, effects[2]!.request);
    const [first, second] = gaps(executor);
    assert.ok(first! >= 100 - TIMER_SLACK_MS, `first wait ${first} ms, expected ≥ 100`);
    assert.ok(
      second! >= 200 - TIMER_SLACK_MS,
      `second wait ${second} ms, expected ≥ 200 (doubled)`,
    );
  });

  test('fixed backoff waits the same delay each time', async () => {
    const executor = flakyHttp(2);
    const { result, record } = await runOnce(RETRIED('{ max: 2, backoff: fixed, delay: 200ms }'), {
      executor,
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.equal(stepAt(record, 'fetch').attempts, 3);
    const [first, second] = gaps(executor);
    assert.ok(first! >= 200 - TIMER_SLACK_MS, `first wait ${first} ms, expected ≥ 200`);
    assert.ok(second! >= 200 - TIMER_SLACK_MS, `second wait ${second} ms, expected ≥ 200`);
    // Exponential would wait 400 ms the second time.
    assert.ok(second! < 400, `second wait ${second} ms, expected < 400 (not doubled)`);
  });

  test('when every attempt fails the step fails with the last error and the attempts made', async () => {
    const executor = flakyHttp(10);
    const { result, record } = await runOnce(RETRIED('{ max: 2, delay: 1ms }'), { executor });
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.message, 'attempt 3: the server answered 503');
    const step = stepAt(record, 'fetch');
    assert.equal(step.status, 'failed');
    assert.equal(step.attempts, 3);
    assert.deepEqual(step.error, result.error);
    assert.equal(executor.calls.length, 3);
    assert.deepEqual(
      record.effects.map((e) => e.occurrence),
      [0, 1, 2],
    );
  });

  test('a model answer that is not JSON is asked again; the retry has occurrence 1', async () => {
    const answers = ['Sure! Here is JSON:', '{"ok": true}'];
    const executor = new TableExecutor({ llm: async () => modelAnswer(answers.shift()!) });
    const { result, record } = await runOnce(
      `name: json
${MODEL}steps:
  - id: ask
    retry: { max: 1, delay: 1ms }
    llm: { model: fast, prompt: Give JSON, output: json }
`,
      { executor },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(result.output, { ok: true });
    assert.equal(stepAt(record, 'ask').attempts, 2);
    assert.deepEqual(
      record.effects.map((e) => [e.occurrence, (e.response as { content: string }).content]),
      [
        [0, 'Sure! Here is JSON:'],
        [1, '{"ok": true}'],
      ],
    );
    assert.equal(record.effects[0]!.key, record.effects[1]!.key);
  });

  test('errors a retry cannot fix are not retried', async () => {
    const executor = new TableExecutor();
    const { result, record } = await runOnce(
      `name: noshell
steps:
  - id: build
    retry: { max: 3, delay: 1ms }
    shell: make
`,
      { executor },
    );
    assert.equal(result.error?.code, 'shell-not-allowed');
    assert.equal(stepAt(record, 'build').attempts, 1);
  });
});

describe('timeout', () => {
  test('applies to each attempt; an endpoint that never answers gives code timeout', async () => {
    const executor = new TableExecutor({ llm: (_request, signal) => untilAborted(signal) });
    const started = performance.now();
    const { result, record } = await runOnce(
      `name: slow
${MODEL}steps:
  - id: think
    timeout: 100ms
    retry: { max: 1, delay: 1ms }
    llm: { model: fast, prompt: Take your time }
`,
      { executor },
    );
    const took = performance.now() - started;
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.error, {
      code: 'timeout',
      message: 'steps.think: timed out after 100ms (attempt 2 of 2)',
    });
    const step = stepAt(record, 'think');
    assert.equal(step.status, 'failed', 'a timeout is a failure, not a cancellation');
    assert.equal(step.attempts, 2);
    assert.equal(executor.calls.length, 2);
    assert.ok(took >= 200 - TIMER_SLACK_MS, `took ${took} ms for two attempts of 100 ms`);
    assert.deepEqual(
      record.effects.map((e) => [e.occurrence, e.error?.code]),
      [
        [0, 'timeout'],
        [1, 'timeout'],
      ],
    );
    assert.equal(record.status, 'failed');
  });

  test('an attempt that finishes in time is not affected', async () => {
    const executor = new TableExecutor({
      llm: async (_request, signal) => {
        await abortableDelay(5, signal);
        return modelAnswer('in time');
      },
    });
    const { result } = await runOnce(
      `name: quick
${MODEL}steps:
  - id: think
    timeout: 10s
    llm: { model: fast, prompt: Quick }
`,
      { executor },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.output, 'in time');
  });
});

describe('cancellation', () => {
  const LONG_MS = 30_000;
  const THREE_STEPS = `name: long
${MODEL}steps:
  - id: prepare
    transform: ready
  - id: think
    llm: { model: fast, prompt: Think long }
  - id: report
    transform: done
`;

  test('stops the run promptly: run and current step cancelled, later steps not run', async () => {
    const executor = new TableExecutor({
      llm: async (_request, signal) => {
        await abortableDelay(LONG_MS, signal);
        return modelAnswer('too late');
      },
    });
    const controller = new AbortController();
    const running = runOnce(THREE_STEPS, { executor, signal: controller.signal });
    await pollUntil(() => executor.calls.length === 1, { what: 'the model call' });
    const abortedAt = performance.now();
    controller.abort();
    const { result, record } = await running;
    const took = performance.now() - abortedAt;
    assert.ok(took < 2_000, `returned ${took} ms after the abort (the model would take 30 s)`);
    assert.equal(result.status, 'cancelled');
    assert.equal(result.output, null);
    assert.deepEqual(result.error, { code: 'cancelled', message: 'the run was cancelled' });
    assert.equal(record.status, 'cancelled');
    assert.equal(stepAt(record, 'prepare').status, 'succeeded');
    const think = stepAt(record, 'think');
    assert.equal(think.status, 'cancelled');
    assert.equal(think.error?.code, 'cancelled');
    assert.equal(
      record.steps.some((s) => s.path === 'report'),
      false,
    );
    assert.equal(record.effects[0]?.error?.code, 'cancelled');
    assert.ok(record.finishedAt, 'a cancelled run is finished');
  });

  test('cancels every iteration in flight', async () => {
    const executor = new TableExecutor({ llm: (_request, signal) => untilAborted(signal) });
    const controller = new AbortController();
    const running = runOnce(
      `name: many
${MODEL}steps:
  - id: each
    foreach: [a, b, c, d]
    key: \${{ item }}
    concurrency: 2
    llm: { model: fast, prompt: "\${{ item }}" }
`,
      { executor, signal: controller.signal },
    );
    await pollUntil(() => executor.calls.length === 2, { what: 'two iterations in flight' });
    controller.abort();
    const { result, record } = await running;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(record.steps.map((s) => [s.path, s.status]).sort(), [
      ['each', 'cancelled'],
      ['each[a]', 'cancelled'],
      ['each[b]', 'cancelled'],
    ]);
    assert.equal(executor.calls.length, 2);
  });

  test('during a retry wait: the step is cancelled with the attempts it made', async () => {
    const executor = new TableExecutor({
      http: async () => {
        throw new EngineError('server-error', 'the server answered 503');
      },
    });
    const controller = new AbortController();
    const running = runOnce(RETRIED('{ max: 5, backoff: exponential, delay: 100ms }'), {
      executor,
      signal: controller.signal,
    });
    // The second attempt failed: the runner now waits 200 ms before the third.
    await pollUntil(() => executor.calls.length === 2, { what: 'two attempts' });
    controller.abort();
    const { result, record } = await running;
    assert.equal(result.status, 'cancelled');
    const step = stepAt(record, 'fetch');
    assert.equal(step.status, 'cancelled');
    assert.equal(step.attempts, executor.calls.length, 'attempts made before the cancellation');
    assert.ok(step.attempts >= 2);
  });

  test('a run cancelled before it starts records no step', async () => {
    const controller = new AbortController();
    controller.abort();
    const { result, record } = await runOnce(THREE_STEPS, { signal: controller.signal });
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(record.steps, []);
    assert.equal(record.status, 'cancelled');
  });
});
