// Exact replays through the core API, in a MemoryStore: a run recorded with retries, a concurrent
// foreach, clock, random and env reads replays verified without calling anything or reading a
// secret; a recording that lacks one step's answer diverges at exactly that step, and a replay
// never falls back to another recorded answer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EffectCall } from '../../../../core/src/engine/host.js';
import { canonicalJson } from '../../../../core/src/hash/canonical.js';
import { replayRun, type ReplayReport } from '../../../../core/src/replay/replay.js';
import type { EffectExecutor } from '../../../../core/src/runs/recording-host.js';
import type { EffectRecord, RunRecord } from '../../../../core/src/model/runs.js';
import { runVersion } from '../../../../core/src/runs/runner.js';
import { MemoryStore } from '../../../../core/src/store/memory-store.js';
import type { Store } from '../../../../core/src/store/store.js';
import {
  abortableDelay,
  draftOf,
  httpAnswer,
  modelAnswer,
  TableExecutor,
} from '../../../helpers/engine-harness.js';

const WRITER = { pid: process.pid, host: 'replay-test' };

const WORKFLOW = `name: replayed
inputs:
  ticket: { type: string }
  items: { type: array }
models:
  fast:
    provider: openai
    model: small-1
    base_url: http://127.0.0.1:9/v1
    api_key: \${{ secrets.MODEL_KEY }}
    temperature: 0
steps:
  - id: stamp
    transform: '\${{ {"now": $now(), "ms": $millis(), "r": $random(), "region": env.REGION} }}'
  - id: classify
    retry: { max: 2, delay: 1ms }
    llm:
      model: fast
      prompt: 'Classify: \${{ inputs.ticket }}'
      output: json
  - id: customer
    http:
      method: GET
      url: https://crm.example.com/customers/42
      headers: { authorization: 'Bearer \${{ secrets.CRM_TOKEN }}' }
  - id: notes
    foreach: \${{ inputs.items }}
    as: it
    concurrency: 3
    llm: { model: fast, prompt: 'Note on \${{ it }} (\${{ $random() }} at \${{ $millis() }})' }
  - id: summary
    llm:
      model: fast
      prompt: '\${{ steps.classify.output.category }}: \${{ $join(steps.notes.output, "; ") }}'
outputs:
  stamp: \${{ steps.stamp.output }}
  category: \${{ steps.classify.output.category }}
  customer: \${{ steps.customer.output.body.name }}
  summary: \${{ steps.summary.output }}
`;

const INPUT = { ticket: 'Charged twice', items: ['alpha', 'beta', 'gamma', 'delta', 'alpha'] };

/** An executor that fails the test if a replay calls it. */
class Forbidden implements EffectExecutor {
  readonly calls: EffectCall[] = [];
  async execute(call: EffectCall): Promise<never> {
    this.calls.push(call);
    throw new Error(`the replay called ${call.kind} at ${call.path}`);
  }
}

/** Records the workflow's run once into a fresh store (the version saved, as the CLI does). */
async function recordSource(): Promise<{ store: MemoryStore; source: RunRecord }> {
  const store = new MemoryStore();
  const { version } = await store.saveVersion(draftOf(WORKFLOW));
  let classifyCalls = 0;
  const executor = new TableExecutor({
    llm: async (call, signal) => {
      const prompt = call.request.messages.at(-1)!.content;
      if (prompt.startsWith('Classify')) {
        // The first attempt answers text that is not JSON: the step's retry asks again.
        return modelAnswer(classifyCalls++ === 0 ? 'billing, I think' : '{"category":"billing"}');
      }
      // Iterations finish out of order: later items answer sooner.
      await abortableDelay(prompt.includes('alpha') ? 15 : 1, signal);
      return {
        ...modelAnswer(`note: ${prompt.length}`),
        usage: { input: prompt.length, output: 3 },
      };
    },
    http: async () => httpAnswer({ id: 42, name: 'Ada' }),
    clock: [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 5, Date.UTC(2026, 0, 1) + 9],
    random: [0.125, 0.5, 0.75],
    env: { REGION: 'eu-west' },
  });
  const secrets: Record<string, string> = { MODEL_KEY: 'sk-1234-secret', CRM_TOKEN: 'crm-tok-1' };
  const result = await runVersion({
    store,
    version: { record: version },
    input: INPUT,
    executor,
    secret: (name) => secrets[name],
    writer: WRITER,
  });
  assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
  const source = (await store.getRun(result.id))!;
  return { store, source };
}

/** An exact replay that must not call anything nor read a secret. */
async function replayExactly(
  store: Store,
  run: string,
): Promise<{ report: ReplayReport; replayed: RunRecord }> {
  const live = new Forbidden();
  const report = await replayRun({
    store,
    run,
    live,
    fixtures: live,
    secret: (name) => assert.fail(`the replay read secret ${name}`),
    writer: WRITER,
  });
  assert.deepEqual(live.calls, [], 'nothing is called in an exact replay');
  const replayed = await store.getRun(report.replay.id);
  assert.ok(replayed);
  return { report, replayed };
}

/** A store that serves `record` in place of the run with the same id. */
function serving(store: MemoryStore, record: RunRecord): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'getRun') {
        return async (id: string) => (id === record.header.id ? record : target.getRun(id));
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

function without(source: RunRecord, drop: (e: EffectRecord) => boolean): RunRecord {
  const effects = source.effects.filter((e) => !drop(e));
  assert.equal(effects.length, source.effects.length - 1, 'exactly one effect removed');
  return { ...source, effects };
}

describe('exact replay', () => {
  test('retries, a concurrent foreach, clock, random and env reads replay verified', async () => {
    const { store, source } = await recordSource();
    // The recording holds what the replay must reproduce.
    const classify = source.steps.find((s) => s.path === 'classify')!;
    assert.equal(classify.attempts, 2);
    const kinds = new Set(source.effects.map((e) => e.kind));
    for (const kind of ['llm', 'http', 'clock', 'random', 'env', 'secret'] as const) {
      assert.ok(kinds.has(kind), `the source run has a ${kind} effect`);
    }
    const iterations = source.steps.filter((s) => s.step === 'notes' && s.path !== 'notes');
    assert.equal(iterations.length, 5);

    const { report, replayed } = await replayExactly(store, source.header.id);
    assert.equal(report.kind, 'exact');
    assert.equal(report.verified, true, JSON.stringify(report.comparison.steps));
    assert.equal(report.divergence, undefined);
    assert.deepEqual(replayed.header.mode, { kind: 'replay', source: source.header.id });
    assert.equal(canonicalJson(replayed.output), canonicalJson(source.output));
    assert.deepEqual(
      replayed.steps.map((s) => [s.path, canonicalJson(s.output), s.attempts]).sort(),
      source.steps.map((s) => [s.path, canonicalJson(s.output), s.attempts]).sort(),
    );
    // Every effect was answered from the recording, with the same identities.
    const identity = (e: EffectRecord): string => `${e.path} ${e.kind} ${e.key} ${e.occurrence}`;
    assert.deepEqual(
      replayed.effects
        .filter((e) => e.kind !== 'secret')
        .map(identity)
        .sort(),
      source.effects
        .filter((e) => e.kind !== 'secret')
        .map(identity)
        .sort(),
    );
    assert.ok(
      replayed.effects.filter((e) => e.kind !== 'secret').every((e) => e.served === 'recording'),
    );
    // No secret value reached the replay's record.
    assert.ok(!JSON.stringify(replayed).includes('sk-1234-secret'));
    assert.ok(!JSON.stringify(replayed).includes('crm-tok-1'));
    // A replay of the replay is verified too.
    const again = await replayExactly(store, replayed.header.id);
    assert.equal(again.report.verified, true);
  });

  test('a recording without one step’s answer diverges at exactly that step', async () => {
    const { store, source } = await recordSource();
    const customer = source.effects.find((e) => e.path === 'customer')!;
    const tampered = without(source, (e) => e === customer);
    const { report, replayed } = await replayExactly(serving(store, tampered), source.header.id);
    assert.equal(report.verified, false);
    assert.ok(report.divergence);
    assert.equal(report.divergence.path, 'customer');
    assert.equal(report.divergence.kind, 'http');
    assert.equal(report.divergence.now.key, customer.key);
    assert.deepEqual(report.divergence.now.request, customer.request);
    // The replay stopped there: customer failed, nothing after it ran.
    assert.equal(replayed.status, 'failed');
    assert.equal(replayed.error?.code, 'divergence');
    const customerStep = replayed.steps.find((s) => s.path === 'customer')!;
    assert.equal(customerStep.status, 'failed');
    assert.equal(customerStep.attempts, 1, 'a divergence is not retried');
    assert.ok(!replayed.steps.some((s) => s.step === 'notes' || s.step === 'summary'));
    assert.equal(report.comparison.firstDivergence, 'customer');
  });

  test('a missing iteration answer diverges at that iteration', async () => {
    const { store, source } = await recordSource();
    const target = source.effects.find((e) => e.kind === 'llm' && e.path.startsWith('notes['))!;
    const tampered = without(source, (e) => e === target);
    const { report } = await replayExactly(serving(store, tampered), source.header.id);
    assert.equal(report.divergence?.path, target.path);
    assert.equal(report.divergence?.kind, 'llm');
    // The closest recorded request is another iteration's model call, and the diff shows how
    // the two prompts differ.
    assert.ok(report.divergence?.recorded);
    assert.notEqual(report.divergence.recorded.path, target.path);
    assert.match(report.divergence.diff, /^--- recorded /m);
    assert.match(report.divergence.diff, /^\+\+\+ now /m);
  });

  test('a retry whose second answer is missing diverges; the first answer is not served again', async () => {
    const { store, source } = await recordSource();
    const second = source.effects.find(
      (e) => e.path === 'classify' && e.kind === 'llm' && e.occurrence === 1,
    )!;
    const tampered = without(source, (e) => e === second);
    const { report, replayed } = await replayExactly(serving(store, tampered), source.header.id);
    assert.equal(report.divergence?.path, 'classify');
    assert.equal(report.divergence?.occurrence, 1);
    assert.equal(report.divergence?.recorded?.occurrence, 0);
    assert.equal(report.divergence?.diff, '', 'the same request: nothing to diff');
    const classify = replayed.steps.find((s) => s.path === 'classify')!;
    assert.equal(classify.status, 'failed');
    assert.equal(classify.attempts, 2);
  });

  test('a clock read missing from the recording diverges at the step that reads the clock', async () => {
    const { store, source } = await recordSource();
    const tampered = without(source, (e) => e.path === 'stamp' && e.kind === 'random');
    const { report } = await replayExactly(serving(store, tampered), source.header.id);
    assert.equal(report.divergence?.path, 'stamp');
    assert.equal(report.divergence?.kind, 'random');
  });

  test('a replay is stamped with its version’s publication, also one made after the run', async () => {
    const { store, source } = await recordSource();
    assert.equal(source.header.version.seq, undefined, 'recorded on a saved, unpublished version');
    const before = await replayExactly(store, source.header.id);
    assert.equal(before.replayed.header.version.seq, undefined);

    const { publication } = await store.publish({
      version: draftOf(WORKFLOW),
      message: 'ship it',
      at: new Date(0).toISOString(),
      author: 'test',
      git: null,
    });
    assert.equal(publication.version, source.header.version.id);
    // The source was recorded before the publication; its replay now names it.
    const after = await replayExactly(store, source.header.id);
    assert.equal(after.replayed.header.version.seq, publication.seq);
    assert.equal(after.report.verified, true);
    // A run of the published version, replayed twice: the same publication both times.
    for (let i = 0; i < 2; i++) {
      const again = await replayExactly(store, after.replayed.header.id);
      assert.equal(again.replayed.header.version.seq, publication.seq);
    }
  });
});
