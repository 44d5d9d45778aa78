/**
 * Hostile-input suite: a seeded mutator (byte flips, cut and repeated ranges, inserted YAML and
 * JSON tokens, huge and invalid text, splices of two seeds; for bundles also edits of the JSON
 * inside, resealed so the deeper checks are reached) turns real files into hostile ones and feeds
 * them to the parser and validator (workflow files, configs, fixtures), the importer (bundles),
 * the store loader (journals, the control log, its index) and the language server. Every input
 * must end accepted or refused with a clear error (a LockstepError: a code and a message); a
 * damaged index (a cache) must never stop a store from opening; nothing may take more than 5 s
 * (the hang detector terminates the worker thread and counts it). Inputs that ever failed are kept
 * under test/reliability/corpus/<target>/ and replayed first, every run.
 *
 * `LOCKSTEP_RELIABILITY_FUZZ` (default 150) sets the mutated inputs per target.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { gunzipSync, gzipSync } from 'node:zlib';
import { canonicalJson, sha256 } from '../../core/src/hash/canonical.js';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { lockstep } from '../helpers/cli-workspace.js';
import { startChildProcess } from '../helpers/lsp-client.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { draft, publishOf } from '../helpers/store-drafts.js';
import { envNumber, Prng, suiteSeed } from './lib/prng.js';
import { recordResult } from './lib/results.js';
import { suiteDir } from './lib/suite-dir.js';
import type { FuzzInput, FuzzOutcome, FuzzTarget } from './workers/fuzz-target.js';

const HANG_MS = 5_000;
const CORPUS = path.join(REPO_ROOT, 'test', 'reliability', 'corpus');
const TOKENS = [
  '${{',
  '}}',
  '${{ inputs.x }}',
  '{',
  '}',
  '[',
  ']',
  ': ',
  '- ',
  '&a ',
  '*a ',
  '<<: *a',
  '!!binary ',
  '!!js/function ',
  '\n',
  '\t',
  '"',
  "'",
  '\\u0000',
  '\u0000',
  '\ud800',
  '9'.repeat(400),
  'x'.repeat(20_000),
  '{"a":',
  'null',
  '-1e309',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  '⟦secret:X⟧',
];

/** Applies one to four random mutations to `bytes` (`other` is another seed, for splices). */
function mutate(prng: Prng, bytes: Buffer, other: Buffer): Buffer {
  let out = Buffer.from(bytes);
  for (let n = prng.between(1, 4); n > 0; n--) {
    const at = out.length === 0 ? 0 : prng.int(out.length);
    const len = prng.between(1, Math.max(1, Math.min(64, out.length - at)));
    switch (prng.int(6)) {
      case 0:
        if (out.length > 0) out[at] = prng.int(256);
        break;
      case 1:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
        break;
      case 2:
        out = Buffer.concat([
          out.subarray(0, at + len),
          out.subarray(at, at + len),
          out.subarray(at + len),
        ]);
        break;
      case 3:
        out = Buffer.concat([
          out.subarray(0, at),
          Buffer.from(prng.pick(TOKENS)),
          out.subarray(at),
        ]);
        break;
      case 4:
        out = out.subarray(0, at);
        break;
      default:
        out = Buffer.concat([
          out.subarray(0, at),
          other.subarray(prng.int(Math.max(1, other.length))),
        ]);
    }
  }
  return out;
}

/** A random JSON value, to put in place of one inside a bundle. */
function randomValue(prng: Prng): unknown {
  return prng.pick<unknown>([
    null,
    -1,
    1e308,
    '',
    'x'.repeat(prng.int(50)),
    [],
    {},
    true,
    '\ud800',
  ]);
}

/** Replaces one value somewhere inside `value` (walking a random path). */
function editJson(prng: Prng, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || prng.chance(0.15)) return randomValue(prng);
  const keys = Object.keys(value);
  if (keys.length === 0) return randomValue(prng);
  const key = prng.pick(keys);
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
  copy[key] = editJson(prng, copy[key]);
  return copy;
}

/** A mutated bundle: its compressed bytes, its JSON text, or a value inside it resealed. */
function mutateBundle(prng: Prng, bytes: Buffer, other: Buffer): Buffer {
  const choice = prng.int(3);
  if (choice === 0) return mutate(prng, bytes, other);
  const json = gunzipSync(bytes);
  if (choice === 1) return gzipSync(mutate(prng, json, other));
  const { id: _id, ...contents } = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  const edited = editJson(prng, contents) as Record<string, unknown>;
  let resealed: unknown;
  try {
    resealed = { ...edited, id: sha256(canonicalJson(edited)) };
  } catch {
    resealed = edited; // not canonical JSON (a lone surrogate): sent as it is
  }
  return gzipSync(Buffer.from(JSON.stringify(resealed)));
}

/** A real workspace's files: a published workflow calling another, a run of it, its bundle. */
async function seedFiles(dir: string): Promise<Record<FuzzTarget, Buffer[]>> {
  const examples = path.join(REPO_ROOT, 'examples');
  for (const file of [
    'support-triage.workflow.yaml',
    'polite-reply.workflow.yaml',
    'fixtures.yaml',
    'inputs',
  ]) {
    cpSync(path.join(examples, file), path.join(dir, file), { recursive: true });
  }
  mkdirSync(path.join(dir, '.lockstep'), { recursive: true });
  cpSync(
    path.join(examples, '.lockstep', 'config.yaml'),
    path.join(dir, '.lockstep', 'config.yaml'),
  );
  const cli = async (args: string[]) => {
    const result = await lockstep(dir, args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  await cli(['publish', 'support-triage.workflow.yaml', '-m', 'seed']);
  const run = JSON.parse(
    await cli([
      'run',
      'support-triage@1',
      '--fixtures',
      'fixtures.yaml',
      '--input-file',
      'inputs/ticket.json',
      '--json',
    ]),
  ) as { id: string };
  await cli([
    'export',
    run.id,
    '--redact',
    'input.customer_id',
    '-o',
    path.join(dir, 'seed.bundle'),
  ]);
  const store = path.join(dir, '.lockstep');
  const runsDir = path.join(store, 'local', 'runs');
  const journals = readdirSync(runsDir).flatMap((day) =>
    readdirSync(path.join(runsDir, day)).map((f) => readFileSync(path.join(runsDir, day, f))),
  );
  const read = (...parts: string[]) => readFileSync(path.join(...parts));
  // A store with more entries than a checkpoint is written for (128), and its checkpoint.
  const checkpointed = path.join(dir, 'checkpointed');
  const many = await openFsStore(checkpointed, { create: true });
  for (let value = 1; value <= 140; value++) {
    await many.publish(publishOf(draft(value % 2 === 0 ? 'even' : 'odd', value)));
  }
  await many.listWorkflows(); // a catch-up: the checkpoint is written
  await many.close();
  return {
    workflow: [
      'support-triage.workflow.yaml',
      'polite-reply.workflow.yaml',
      'summarize-document.workflow.yaml',
    ].map((f) => read(examples, f)),
    config: [read(examples, '.lockstep', 'config.yaml')],
    fixtures: [read(examples, 'fixtures.yaml')],
    bundle: [read(dir, 'seed.bundle')],
    journal: journals,
    'control-log': [read(store, 'control.jsonl')],
    'log-index': [read(store, 'local', 'control-index.jsonl')],
    'control-checkpoint': [read(checkpointed, 'local', 'control-checkpoint.bin')],
  };
}

/** Inputs that failed in an earlier run, kept as regression fixtures. */
function corpusOf(target: FuzzTarget): Buffer[] {
  const dir = path.join(CORPUS, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f)));
}

/** Keeps a failing input in the corpus (commit it with the fix). */
function keep(target: FuzzTarget, bytes: Buffer): string {
  const dir = path.join(CORPUS, target);
  mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`,
  );
  writeFileSync(file, bytes);
  return path.relative(REPO_ROOT, file);
}

/** Runs inputs in a worker thread, one at a time, restarting it after a hang. */
class Harness {
  private worker: Worker | undefined;
  private next = 0;

  constructor(private readonly workerData: unknown) {}

  async feed(target: FuzzTarget, bytes: Buffer): Promise<FuzzOutcome | 'hang'> {
    const worker = (this.worker ??= new Worker(
      new URL('./workers/fuzz-target.js', import.meta.url),
      {
        workerData: this.workerData,
      },
    ));
    const input: FuzzInput = { id: this.next++, target, bytes };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        this.worker = undefined;
        void worker.terminate();
        resolve('hang');
      }, HANG_MS);
      const onMessage = (outcome: FuzzOutcome): void => {
        if (outcome.id !== input.id) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(outcome);
      };
      worker.on('message', onMessage);
      worker.postMessage(input);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

test('hostile input: every mutated file is accepted or refused clearly, none hangs', async (t) => {
  const started = Date.now();
  const seed = suiteSeed();
  const prng = new Prng(seed);
  console.log(`hostile-input: seed ${seed}`);
  const perTarget = envNumber('LOCKSTEP_RELIABILITY_FUZZ', 150);
  const dir = suiteDir(t, 'lockstep-fuzz-');
  const seeds = await seedFiles(dir);
  const workDir = path.join(dir, 'work');
  mkdirSync(workDir);
  const harness = new Harness({
    dir: workDir,
    controlLog: seeds['control-log'][0],
    logIndex: seeds['log-index'][0],
    storeJson: readFileSync(path.join(dir, '.lockstep', 'store.json')),
    checkpointedLog: readFileSync(path.join(dir, 'checkpointed', 'control.jsonl')),
  });
  const counts = {
    inputs: 0,
    accepted: 0,
    refused: 0,
    crashes: 0,
    hangs: 0,
    cacheRefusals: 0,
    corpus: 0,
  };
  const failures: string[] = [];
  try {
    for (const target of Object.keys(seeds) as FuzzTarget[]) {
      const pool = seeds[target];
      const regression = corpusOf(target);
      counts.corpus += regression.length;
      const inputs = [
        ...regression,
        ...pool,
        ...Array.from({ length: perTarget }, () =>
          (target === 'bundle' ? mutateBundle : mutate)(prng, prng.pick(pool), prng.pick(pool)),
        ),
      ];
      for (const bytes of inputs) {
        counts.inputs++;
        const outcome = await harness.feed(target, bytes);
        if (outcome === 'hang') {
          counts.hangs++;
          failures.push(`${target}: hang over ${HANG_MS} ms, kept as ${keep(target, bytes)}`);
        } else if (outcome.outcome === 'crashed') {
          counts.crashes++;
          failures.push(`${target}: ${outcome.detail ?? ''} — kept as ${keep(target, bytes)}`);
        } else if (
          outcome.outcome === 'refused' &&
          (target === 'log-index' || target === 'control-checkpoint')
        ) {
          counts.cacheRefusals++;
          failures.push(
            `${target}: a damaged cache refused the store: ${outcome.detail ?? ''} — kept as ${keep(target, bytes)}`,
          );
        } else {
          counts[outcome.outcome]++;
        }
      }
    }
  } finally {
    await harness.close();
  }

  // The language server: mutated workflow files sent as edits to one server process; each must
  // get its diagnostics within the hang limit, and the server must stay up.
  const server = await startChildProcess(t, path.join(REPO_ROOT, 'dist', 'server.js'), {
    root: dir,
  });
  const uri = `file://${path.join(dir, 'fuzz.workflow.yaml')}`;
  const pool = seeds.workflow;
  await server.open(uri, pool[0]!.toString('utf8'));
  let lspInputs = 0;
  let lspHangs = 0;
  for (let i = 0; i < Math.min(perTarget, 100); i++) {
    const bytes = mutate(prng, prng.pick(pool), prng.pick(pool));
    await server.change(uri, bytes.toString('utf8'));
    lspInputs++;
    try {
      await server.waitFor(
        'diagnostics',
        () => {
          const last = server.lastPublished(uri);
          return last && last.version === server.version(uri) ? true : undefined;
        },
        HANG_MS,
      );
    } catch {
      lspHangs++;
      failures.push(
        `language server: no diagnostics within ${HANG_MS} ms, kept as ${keep('workflow', bytes)}`,
      );
    }
  }

  const result = {
    ...counts,
    languageServerInputs: lspInputs,
    languageServerHangs: lspHangs,
  };
  recordResult('hostile-input', {
    ok: failures.length === 0,
    seed,
    counts: result,
    notes: failures.slice(0, 10),
    durationMs: Date.now() - started,
  });
  assert.deepEqual(failures, [], `seed ${seed}:\n${failures.join('\n')}`);
});
