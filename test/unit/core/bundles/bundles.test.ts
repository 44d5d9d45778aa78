/**
 * Run bundles' pure parts: a bundle checks whole (id, versions, runs, selection); redact paths
 * are checked before use; personal values are replaced in every run, short ones only where a
 * whole text equals them, and effects whose requests changed get the keys a replay computes;
 * a finished run written back from its record folds to the same record.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BundleError, checkBundle, sealBundle } from '../../../../core/src/bundles/bundle.js';
import {
  findPersonalValues,
  redactRun,
  redactedPlaceholder,
} from '../../../../core/src/bundles/personal-data.js';
import { requestKey } from '../../../../core/src/engine/effects.js';
import { redactPathProblem } from '../../../../core/src/expressions/redact-path.js';
import { canonicalJson, contentId } from '../../../../core/src/hash/canonical.js';
import type { EffectRecord, RunRecord } from '../../../../core/src/model/runs.js';
import type { WorkflowDefinition } from '../../../../core/src/model/workflow.js';
import { foldRun, unfoldRun } from '../../../../core/src/store/fold-run.js';
import type { VersionRecord } from '../../../../core/src/store/records.js';
import { runHeader } from '../../../helpers/run-records.js';

function version(name: string): VersionRecord {
  const definition: WorkflowDefinition = { name, steps: [{ id: 'a', transform: 1 }] };
  const rest = {
    kind: 'lockstep.version' as const,
    id: contentId(definition),
    name,
    definition,
    source: `name: ${name}\n`,
    createdAt: '2026-12-05T10:00:00.000Z',
    author: 'Ada',
    git: null,
  };
  return { ...rest, checksum: contentId(rest) };
}

function effect(path: string, request: EffectRecord['request'], occurrence = 0): EffectRecord {
  return {
    path,
    kind: 'llm',
    key: requestKey(request),
    occurrence,
    request,
    response: { text: 'ok' },
    latencyMs: 3,
    at: '2026-12-05T10:00:01.000Z',
  };
}

function run(
  v: VersionRecord,
  input: RunRecord['header']['input'],
  effects: EffectRecord[],
): RunRecord {
  return {
    header: { ...runHeader({ workflow: v.name }), version: { id: v.id, seq: 3 }, input },
    status: 'succeeded',
    output: { reply: `Dear ${String(input.email)}` },
    steps: [
      {
        path: 'a',
        step: 'a',
        status: 'succeeded',
        output: `for ${String(input.email)}`,
        attempts: 1,
        startedAt: '2026-12-05T10:00:00.500Z',
        finishedAt: '2026-12-05T10:00:01.500Z',
      },
    ],
    effects,
    finishedAt: '2026-12-05T10:00:02.000Z',
  };
}

function bundleOf(runs: RunRecord[], versions: VersionRecord[]) {
  return sealBundle({
    lockstep: 'bundle',
    format: 1,
    exportedAt: '2026-12-05T11:00:00.000Z',
    exportedBy: 'Ada',
    engine: 'test',
    redacted: [],
    selected: runs.map((r) => r.header.id),
    runs,
    versions,
  });
}

test('a bundle checks whole: its id, each version’s hashes, each run’s version, its selection', () => {
  const v = version('triage');
  const r = run(v, { email: 'ann@example.com' }, []);
  const good = JSON.parse(canonicalJson(bundleOf([r], [v]))) as ReturnType<typeof bundleOf>;
  assert.equal(checkBundle(good, 'b').id, good.id);

  const refuses = (value: unknown, reason: RegExp) =>
    assert.throws(
      () => checkBundle(value, 'b.bundle'),
      (error: unknown) =>
        error instanceof BundleError &&
        error.code === 'bad-bundle' &&
        error.message.startsWith('b.bundle: ') &&
        reason.test(error.message),
    );
  refuses(null, /not a Lockstep run bundle/);
  // The last digit changed (to '1' when it already is '0': the id comes from a fresh run id).
  const otherId = good.id.replace(/.$/, (digit) => (digit === '0' ? '1' : '0'));
  assert.notEqual(otherId, good.id);
  refuses({ ...good, id: otherId }, /does not match its id/);
  refuses({ ...good, format: 2 }, /newer than this Lockstep reads/);
  const reseal = (change: (b: Record<string, unknown>) => void) => {
    const { id: _id, ...contents } = structuredClone(good) as unknown as Record<string, unknown>;
    change(contents);
    return { ...contents, id: contentId(contents) };
  };
  refuses(
    reseal((b) => ((b.versions as { source: string }[])[0]!.source = 'edited')),
    /checksum does not match/,
  );
  refuses(
    reseal((b) => (b.runs = [...(b.runs as RunRecord[]), (b.runs as RunRecord[])[0]])),
    /is in it twice/,
  );
  refuses(
    reseal((b) => (b.selected = ['0190aaaa-0000-7000-8000-000000000000'])),
    /names run 0190aaaa-.* but does not hold it/,
  );
  refuses(
    reseal((b) => ((b.runs as { status: string }[])[0]!.status = 'running')),
    /is running: a bundle holds finished runs only/,
  );
  refuses(
    reseal((b) => ((b.runs as { header: { format: number } }[])[0]!.header.format = 9)),
    /run format 9, newer/,
  );
});

test('redact paths start at input or output and are JSONata paths', () => {
  assert.equal(redactPathProblem('input.customer.email'), undefined);
  assert.equal(redactPathProblem('$.output.reply'), undefined);
  assert.equal(redactPathProblem('input.contacts[type="home"].phone'), undefined);
  assert.match(redactPathProblem('inputs.email')!, /a run records its input as `input`/);
  assert.match(redactPathProblem('steps.a.output')!, /reads 'steps'/);
  assert.match(redactPathProblem('"literal"')!, /reads nothing/);
  assert.match(redactPathProblem('input.(')!, /not a path/);
});

test('personal values are replaced in every run and every field, and changed requests are keyed again', async () => {
  const v = version('triage');
  const prompt = (email: string) => ({ model: 'm', messages: [`Write to ${email}`] });
  const runs = [
    run(v, { email: 'ann@example.com', name: 'Al' }, [
      effect('a', prompt('ann@example.com')),
      effect('b', { unrelated: true }),
    ]),
    run(v, { email: 'bo@example.org', name: 'Bo' }, [effect('a', prompt('bo@example.org'))]),
  ];
  const values = await findPersonalValues(runs, ['input.email', 'input.name']);
  assert.equal(values.found.size, 4);
  const [first, second] = runs.map((r) => redactRun(r, values));
  const text = canonicalJson([first, second]);
  for (const value of ['ann@example.com', 'bo@example.org', 'Dear ann', 'for bo@']) {
    assert.ok(!text.includes(value), value);
  }
  assert.equal(first!.header.input.email, redactedPlaceholder('input.email'));
  // Short values only where a whole text equals them: "Al" inside other words is left alone.
  assert.equal(first!.header.input.name, redactedPlaceholder('input.name'));
  assert.equal(
    (first!.effects[0]!.request as { model: string }).model,
    'm',
    'untouched fields stay',
  );
  // The changed request has the key a replay will compute from the placeholder; the other kept.
  const rebuilt = prompt(redactedPlaceholder('input.email'));
  assert.equal(first!.effects[0]!.key, requestKey(rebuilt));
  assert.deepEqual(first!.effects[0]!.request, rebuilt);
  assert.equal(first!.effects[1], runs[0]!.effects[1], 'an unchanged effect is the same object');
  assert.equal(redactRun(runs[0]!, { found: new Map() }), runs[0]);
});

test('two requests that differed only by personal data get distinct occurrences', async () => {
  const v = version('triage');
  const r = run(v, { email: 'ann@example.com', other: 'cy@example.net' }, [
    effect('a', { to: 'ann@example.com' }),
    effect('a', { to: 'cy@example.net' }),
  ]);
  const values = await findPersonalValues([r], ['input.email', 'input.other']);
  const redacted = redactRun(r, values);
  // Different paths: different placeholders, so still different requests.
  assert.notEqual(redacted.effects[0]!.key, redacted.effects[1]!.key);
  const same = await findPersonalValues([r], ['input.*']);
  const collapsed = redactRun(r, same);
  assert.equal(collapsed.effects[0]!.key, collapsed.effects[1]!.key);
  assert.deepEqual(
    collapsed.effects.map((e) => e.occurrence),
    [0, 1],
  );
});

test('a redact path leading to a number is refused, naming the run', async () => {
  const v = version('triage');
  const r = run(v, { email: 'ann@example.com', age: 43 }, []);
  await assert.rejects(findPersonalValues([r], ['input.age']), (error: Error) =>
    new RegExp(`'input.age' leads to a number in run ${r.header.id}`).test(error.message),
  );
});

test('a finished run written back from its record folds to the same record', () => {
  const v = version('triage');
  const r = run(v, { email: 'ann@example.com' }, [effect('a', { q: 1 }), effect('a', { q: 2 })]);
  assert.deepEqual(foldRun(unfoldRun(r), false), r);
  assert.throws(() => unfoldRun({ ...r, status: 'interrupted' }), /only a finished run/);
});
