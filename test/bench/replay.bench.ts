/**
 * Replay throughput: 1 000 recorded 10-step runs (6 model calls, 3 HTTP GETs, 1 transform, each
 * step reading earlier ones) of a published version replayed (a) exactly and (b) against a changed version (the prompt
 * of step 7 edited; misses answered by fixtures, `onMiss: 'stub'`), through the core API
 * (`replayRun`) into the real file store. Each replay is a run recorded with the same durability
 * as any run: its journal is created (folder synced) and synced with fdatasync when it ends.
 * Replays run `concurrency` at a time, as a service replaying a batch would, after a warm-up of
 * `WARM_UP_RUNS` runs of each kind (recorded, replayed exactly, replayed against) that is not timed.
 * The 1 000 runs are replayed in `passes` passes of each kind, exact and against taking turns:
 * each pass takes about a second, which a busy neighbour on a shared machine can slow by half, so
 * the median pass is reported beside the slowest and fastest.
 *
 * Beside it, the floor measured on the same disk in the same process: 1 000 new files each
 * written and fdatasync'ed (one sync per run, nothing else), one at a time and `concurrency` at
 * a time. Peak memory (RSS, heap used) is sampled during each phase.
 *
 * The source runs are recorded by the real runner with an instant executor. Every replay is
 * checked (exact: verified; against: exactly the edited step and its readers differ), so the
 * numbers are those of correct replays. Facts are reported, never asserted.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EffectCall, EffectOutcome } from '../../core/src/engine/host.js';
import type { JsonValue } from '../../core/src/model/workflow.js';
import { openFsStore, type FsStore } from '../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../core/src/node/store/files/layout.js';
import { runDay } from '../../core/src/node/store/files/run-journals.js';
import { replayRun, type ReplayReport } from '../../core/src/replay/replay.js';
import type { EffectExecutor } from '../../core/src/runs/recording-host.js';
import { runVersion } from '../../core/src/runs/runner.js';
import type { ResolvedVersion } from '../../core/src/versions/resolve.js';
import type { VersionDraft } from '../../core/src/store/records.js';
import { validateWorkflowText } from '../../core/src/validate/validate-workflow.js';
import { benchTempRoot } from './publish.bench.js';
import { ms, round, table } from './stats.js';

export interface ReplayBenchOptions {
  /** Recorded runs, each replayed once per mode. */
  readonly runs: number;
  /** Replays (and recordings) in flight at once. */
  readonly concurrency: number;
  /** Timed passes over the recorded runs, of each kind (odd, so one pass is the median). */
  readonly passes: number;
}

export const DEFAULT_REPLAY_OPTIONS: ReplayBenchOptions = {
  runs: 1_000,
  concurrency: 32,
  passes: 5,
};

/**
 * Runs recorded and replayed before each timed phase, not counted: the first runs of a process
 * pay for compiling its code (V8 optimises a function only after it has run often), which a
 * host replaying a sample pays once, not per run. The timed replays replay other runs.
 */
const WARM_UP_RUNS = 64;

export interface ReplayPhase {
  readonly name: string;
  readonly runs: number;
  /** Timed passes; the figures are the median pass's, peaks the highest of any pass. */
  readonly passes: number;
  /** The slowest and the fastest pass. */
  readonly runsPerSecondRange: readonly [number, number];
  readonly totalMs: number;
  readonly runsPerSecond: number;
  /** Peak sampled during the phase, MB. */
  readonly peakRssMb: number;
  readonly peakHeapUsedMb: number;
  /** Event-loop utilisation: the share of the phase the main thread was running JavaScript. */
  readonly mainThreadBusy: number;
  /** CPU time of this process (user + system, all threads) per run, ms. */
  readonly cpuMsPerRun: number;
}

export interface ReplayBenchResult {
  readonly name: 'replay-throughput';
  readonly options: ReplayBenchOptions;
  readonly steps: number;
  readonly journalEvents: number;
  readonly record: ReplayPhase;
  readonly exact: ReplayPhase;
  readonly against: ReplayPhase;
  /** 1 000 × (new file, write, fdatasync, close): one at a time and `concurrency` at a time. */
  readonly floor: {
    readonly sequential: { readonly totalMs: number; readonly perSyncMs: number };
    readonly concurrent: { readonly totalMs: number; readonly runsPerSecond: number };
  };
  readonly targets: { readonly exact: number; readonly against: number };
  readonly met: { readonly exact: boolean; readonly against: boolean };
  readonly report: string;
}

const STEPS = 10;

/** The recorded version: 10 steps, model calls and CRM lookups reading the ticket and each other. */
export function workflowText(draftPrompt: string): string {
  return `name: bench-triage
inputs:
  ticket: { type: string }
  customer_id: { type: string }
models:
  fast:
    provider: openai
    model: gpt-4o-mini
    base_url: http://127.0.0.1:9/v1
    api_key: \${{ secrets.OPENAI_API_KEY }}
    temperature: 0
steps:
  - id: classify
    llm:
      model: fast
      system: You are a support triage assistant. Answer with JSON only.
      prompt: 'Classify this ticket as billing, bug or how-to. Ticket: \${{ inputs.ticket }}'
      output: json
  - id: customer
    http:
      method: GET
      url: https://crm.example.com/customers/\${{ inputs.customer_id }}
      headers: { authorization: 'Bearer \${{ secrets.CRM_TOKEN }}' }
  - id: orders
    http:
      method: GET
      url: https://crm.example.com/customers/\${{ inputs.customer_id }}/orders
      query: { limit: '5' }
      headers: { authorization: 'Bearer \${{ secrets.CRM_TOKEN }}' }
  - id: summary
    llm:
      model: fast
      prompt: 'Summarise for an agent: \${{ inputs.ticket }} Customer: \${{ steps.customer.output.body.name }}'
  - id: sentiment
    llm:
      model: fast
      prompt: 'One word for the mood of: \${{ inputs.ticket }}'
  - id: priority
    transform: '\${{ steps.classify.output.category = "billing" ? "high" : "normal" }}'
  - id: draft
    llm:
      model: fast
      system: You write short, warm customer-support replies.
      prompt: '${draftPrompt} Summary: \${{ steps.summary.output }} Mood: \${{ steps.sentiment.output }}'
  - id: policy
    http:
      method: GET
      url: https://policy.example.com/refunds
      query: { plan: '\${{ steps.customer.output.body.plan }}', priority: '\${{ steps.priority.output }}' }
  - id: review
    llm:
      model: fast
      prompt: 'Check this reply against the policy \${{ steps.policy.output.body.rule }}: \${{ steps.draft.output }}'
  - id: reply
    transform: '\${{ {"reply": steps.draft.output, "review": steps.review.output, "orders": $count(steps.orders.output.body.orders)} }}'
outputs:
  category: \${{ steps.classify.output.category }}
  reply: \${{ steps.reply.output }}
`;
}

export const PROMPT = 'Write a reply of at most five sentences.';
export const EDITED_PROMPT = 'Write a reply of at most three sentences.';

/** Answers every call at once, by step: what the recorded provider said. */
export class InstantExecutor implements EffectExecutor {
  async execute(call: EffectCall): Promise<EffectOutcome> {
    const text = (content: string): EffectOutcome => ({
      response: { content, finishReason: 'stop' },
      usage: { input: 96, output: 24 },
    });
    const body = (value: JsonValue): EffectOutcome => ({
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: value },
    });
    switch (call.path) {
      case 'classify':
        return text('{"category":"billing"}');
      case 'customer':
        return body({ id: 'c-42', name: 'Ada', plan: 'pro' });
      case 'orders':
        return body({
          orders: [
            { id: 1, total: 20 },
            { id: 2, total: 20 },
          ],
        });
      case 'policy':
        return body({ rule: 'refund duplicate charges within 30 days' });
      case 'summary':
        return text('The customer was charged twice this month and asks for a refund.');
      case 'sentiment':
        return text('annoyed');
      case 'draft':
        return text('Dear Ada, we are sorry about the double charge and have refunded it.');
      case 'review':
        return text('The reply follows the policy.');
      default:
        throw new Error(`no instant answer for ${call.kind} at ${call.path}`);
    }
  }
}

export function draftOf(text: string): VersionDraft {
  const validated = validateWorkflowText(text);
  if (!validated.definition) {
    throw new Error(
      `bench workflow does not validate: ${validated.diagnostics.map((d) => d.message).join('; ')}`,
    );
  }
  return {
    definition: validated.definition,
    source: text,
    createdAt: new Date(0).toISOString(),
    author: 'bench',
    git: null,
  };
}

/** Samples RSS and heap every few ms while `work` runs; returns its time and the peaks. */
async function measured<T>(work: () => Promise<T>): Promise<{
  value: T;
  ms: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  mainThreadBusy: number;
  cpuMs: number;
}> {
  let rss = 0;
  let heap = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heap = Math.max(heap, usage.heapUsed);
  };
  sample();
  // Every 20 ms: memoryUsage() walks the heap's spaces, and sampling every 5 ms took ~2% of
  // the main thread from the replays being measured.
  const timer = setInterval(sample, 20);
  const started = performance.now();
  const loop = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  try {
    const value = await work();
    const elapsed = performance.now() - started;
    sample();
    return {
      value,
      ms: elapsed,
      peakRssMb: round(rss / 1024 ** 2),
      peakHeapUsedMb: round(heap / 1024 ** 2),
      mainThreadBusy: round(performance.eventLoopUtilization(loop).utilization),
      cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpu)),
    };
  } finally {
    clearInterval(timer);
  }
}

/** Calls `task(i)` for i in [0, count) with at most `width` in flight; results in order. */
export async function pool<T>(
  count: number,
  width: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return results;
}

type Measurement = Omit<Awaited<ReturnType<typeof measured>>, 'value'>;

/** A phase from its passes: the median pass (by time), with the range and the highest peaks. */
function phase(name: string, runs: number, passes: readonly Measurement[]): ReplayPhase {
  const byTime = [...passes].sort((a, b) => a.ms - b.ms);
  const median = byTime[Math.floor(byTime.length / 2)]!;
  const rate = (m: Measurement): number => Math.round((runs / m.ms) * 1000);
  return {
    name,
    runs,
    passes: passes.length,
    runsPerSecondRange: [rate(byTime.at(-1)!), rate(byTime[0]!)],
    totalMs: round(median.ms),
    runsPerSecond: rate(median),
    peakRssMb: Math.max(...passes.map((m) => m.peakRssMb)),
    peakHeapUsedMb: Math.max(...passes.map((m) => m.peakHeapUsedMb)),
    mainThreadBusy: median.mainThreadBusy,
    cpuMsPerRun: round(median.cpuMs / runs),
  };
}

/** Checks an exact replay: verified. */
function checkExact(report: ReplayReport): void {
  if (report.verified !== true) {
    throw new Error(
      `replay of ${report.source.header.id} not verified: ${JSON.stringify(report.divergence ?? report.comparison.firstDivergence)}`,
    );
  }
}

/** Checks a replay against the edited version: draft and what reads it differ, nothing else. */
function checkAgainst(report: ReplayReport): void {
  const changed = report.comparison.steps
    .filter((s) => !(s.change === 'identical' && s.provenance === 'recorded'))
    .map((s) => `${s.path}:${s.change}:${s.provenance}`)
    .join(' ');
  // The fixtures answer the edited draft as recorded: review's request is the same (tainted).
  const expected = 'draft:input-changed:stubbed review:identical:tainted reply:identical:tainted';
  if (report.replay.status !== 'succeeded' || changed !== expected) {
    throw new Error(`replay against of ${report.source.header.id}: ${changed}`);
  }
}

/** 1 000 new files, each written (one journal's worth) and fdatasync'ed, one at a time. */
function sequentialFloor(dir: string, runs: number, bytes: Buffer): number {
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const fd = openSync(path.join(dir, `${i}.jsonl`), 'wx');
    try {
      writeSync(fd, bytes);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return performance.now() - started;
}

/** The same, `width` at a time (fdatasync in Node's thread pool, as the store does). */
async function concurrentFloor(
  dir: string,
  runs: number,
  width: number,
  bytes: Buffer,
): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  await pool(runs, width, async (i) => {
    const handle = await open(path.join(dir, `${i}.jsonl`), 'wx');
    try {
      await handle.write(bytes);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  });
  return performance.now() - started;
}

export async function runReplayBench(
  options: ReplayBenchOptions = DEFAULT_REPLAY_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<ReplayBenchResult> {
  const temp = benchTempRoot();
  let store: FsStore | undefined;
  try {
    store = await openFsStore(path.join(temp.dir, '.lockstep'), { create: true });
    const writer = { pid: process.pid, host: os.hostname() };
    // Published, as the versions production runs run are; the candidate is only saved.
    const published = await store.publish({
      version: draftOf(workflowText(PROMPT)),
      message: 'bench: the recorded version',
      at: new Date(0).toISOString(),
      author: 'bench',
      git: null,
    });
    const recordedRecord = await store.getVersion('bench-triage', published.publication.version);
    if (!recordedRecord) throw new Error('the published bench version cannot be read back');
    const recorded: ResolvedVersion = {
      record: recordedRecord,
      publication: published.publication,
    };
    const edited: ResolvedVersion = {
      record: (await store.saveVersion(draftOf(workflowText(EDITED_PROMPT)))).version,
    };
    const instant = new InstantExecutor();
    const secrets: Record<string, string> = { OPENAI_API_KEY: 'sk-bench', CRM_TOKEN: 'crm-bench' };
    const s = store;

    const record = (i: number) =>
      runVersion({
        store: s,
        version: recorded,
        input: {
          ticket: `Order #${10_000 + i}: I was charged twice for the Pro plan this month. Please refund one.`,
          customer_id: `cus_${i.toString(16).padStart(8, '0')}`,
        },
        executor: instant,
        secret: (name) => secrets[name],
        writer,
      });
    const replayExact = async (id: string) =>
      checkExact(await replayRun({ store: s, run: id, writer }));
    const replayAgainst = async (id: string) =>
      checkAgainst(
        await replayRun({
          store: s,
          run: id,
          against: edited,
          onMiss: 'stub',
          fixtures: instant,
          writer,
        }),
      );

    log(`replay: warming up (${WARM_UP_RUNS} runs recorded and replayed both ways, not timed)…`);
    const warmUp = await pool(WARM_UP_RUNS, options.concurrency, async (i) => {
      return (await record(options.runs + i)).id;
    });
    await pool(WARM_UP_RUNS, options.concurrency, (i) => replayExact(warmUp[i]!));
    await pool(WARM_UP_RUNS, options.concurrency, (i) => replayAgainst(warmUp[i]!));

    log(`replay: recording ${options.runs} 10-step runs…`);
    const recording = await measured(() =>
      pool(options.runs, options.concurrency, async (i) => {
        const result = await record(i);
        if (result.status !== 'succeeded') throw new Error(JSON.stringify(result.error));
        return result.id;
      }),
    );
    const ids = recording.value;
    const sample = (await store.getRun(ids[0]!))!;
    const journal = path.join(
      storeLayout(path.join(temp.dir, '.lockstep')).runs,
      runDay(sample.header.id),
      `${sample.header.id}.jsonl`,
    );
    const journalEvents = readFileSync(journal, 'utf8').trimEnd().split('\n').length;

    const exact: Measurement[] = [];
    const against: Measurement[] = [];
    for (let pass = 1; pass <= options.passes; pass++) {
      log(`replay: pass ${pass} of ${options.passes}: ${options.runs} exact replays…`);
      exact.push(
        await measured(() => pool(options.runs, options.concurrency, (i) => replayExact(ids[i]!))),
      );
      log(`replay: pass ${pass} of ${options.passes}: ${options.runs} replays against (stub)…`);
      against.push(
        await measured(() =>
          pool(options.runs, options.concurrency, (i) => replayAgainst(ids[i]!)),
        ),
      );
    }

    log('replay: the fdatasync floor…');
    // As many bytes as one replay's journal, in one write.
    const bytes = readFileSync(journal);
    const sequentialMs = sequentialFloor(path.join(temp.dir, 'floor-1'), options.runs, bytes);
    const concurrentMs = await concurrentFloor(
      path.join(temp.dir, 'floor-n'),
      options.runs,
      options.concurrency,
      bytes,
    );

    const exactPhase = phase('exact', options.runs, exact);
    const againstPhase = phase('against (stub)', options.runs, against);
    const targets = { exact: 1_000, against: 500 };
    const result = {
      name: 'replay-throughput' as const,
      options,
      steps: STEPS,
      journalEvents,
      record: phase('record (source runs)', options.runs, [recording]),
      exact: exactPhase,
      against: againstPhase,
      floor: {
        sequential: {
          totalMs: round(sequentialMs),
          perSyncMs: round(sequentialMs / options.runs),
        },
        concurrent: {
          totalMs: round(concurrentMs),
          runsPerSecond: Math.round((options.runs / concurrentMs) * 1000),
        },
      },
      targets,
      met: {
        exact: exactPhase.runsPerSecond >= targets.exact,
        against: againstPhase.runsPerSecond >= targets.against,
      },
    };
    return { ...result, report: formatReport(result) };
  } finally {
    await store?.close();
    temp.cleanup();
  }
}

function formatReport(result: Omit<ReplayBenchResult, 'report'>): string {
  const { options, floor } = result;
  const rows = [result.record, result.exact, result.against].map((p) => [
    p.name,
    `${p.runs}`,
    ms(p.totalMs),
    `${p.runsPerSecond}`,
    p.passes > 1 ? `${p.runsPerSecondRange[0]}–${p.runsPerSecondRange[1]}` : '',
    `${ms(p.totalMs / p.runs)}`,
    `${Math.round(p.peakRssMb)}`,
    `${Math.round(p.peakHeapUsedMb)}`,
    ms(p.cpuMsPerRun),
    `${Math.round(p.mainThreadBusy * 100)}%`,
  ]);
  rows.push([
    'floor: 1 fdatasync per run, 1 at a time',
    `${options.runs}`,
    ms(floor.sequential.totalMs),
    `${Math.round((options.runs / floor.sequential.totalMs) * 1000)}`,
    '',
    ms(floor.sequential.perSyncMs),
    '',
    '',
    '',
    '',
  ]);
  rows.push([
    `floor: 1 fdatasync per run, ${options.concurrency} at a time`,
    `${options.runs}`,
    ms(floor.concurrent.totalMs),
    `${floor.concurrent.runsPerSecond}`,
    '',
    ms(floor.concurrent.totalMs / options.runs),
    '',
    '',
    '',
    '',
  ]);
  const verdict = (name: string, rate: number, target: number): string =>
    `${name}: ${rate} runs/s (median pass) against a target of ${target} runs/s (${rate >= target ? 'met' : 'not met'})`;
  return [
    `Replay throughput — ${options.runs} recorded ${result.steps}-step runs (6 model calls, 3 HTTP GETs, ${result.journalEvents} journal events each), ${options.concurrency} replays in flight, file store (each replay journal created with a folder sync and fdatasync'ed at its end), after ${WARM_UP_RUNS} warm-up runs of each kind, not timed; replays: the median of ${options.passes} passes of each kind, taking turns`,
    table(
      [
        'phase',
        'runs',
        'total ms',
        'runs/s',
        'slowest–fastest pass',
        'ms/run',
        'peak RSS MB',
        'peak heap MB',
        'CPU ms/run',
        'main thread busy',
      ],
      rows,
    ),
    verdict('Exact', result.exact.runsPerSecond, result.targets.exact),
    verdict(
      'Against (one prompt edited, misses stubbed)',
      result.against.runsPerSecond,
      result.targets.against,
    ),
    'Every replay was checked: exact ones verified; against ones changed exactly the edited step (draft) and its readers.',
  ].join('\n');
}

/**
 * `node out/test/bench/replay.bench.js` runs this benchmark alone and prints its report; with
 * `--json`, the whole result as JSON (how `npm run bench` runs it, in a fresh process).
 */
if (process.argv[1]?.endsWith('replay.bench.js')) {
  const result = await runReplayBench(DEFAULT_REPLAY_OPTIONS, (line) =>
    process.stderr.write(`  ${line}\n`),
  );
  console.log(process.argv.includes('--json') ? JSON.stringify(result) : result.report);
}
