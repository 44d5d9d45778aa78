/**
 * The gate: before a candidate version takes traffic, replay a deterministic sample of the
 * baseline's real (live, finished) runs against it and count the runs whose outputs break their
 * comparison rules or whose replay fails where the original succeeded. The gate passes when the
 * share of changed runs is at most the threshold (0 % unless told); no runs to sample passes,
 * and the report says so. Every replay is recorded as a replay-against run and has a time limit.
 */
import { canonicalJson, sha256 } from '../../hash/canonical.js';
import type { ContentId } from '../../model/content-id.js';
import type { GateEntry } from '../../store/local-log.js';
import { currentAuthor } from '../workspace/git.js';
import { outputRules } from '../../baselines/rules.js';
import type { OutputVerdict } from '../../baselines/judge.js';
import { callersThrough, type ChannelCaller } from '../../gate/callers.js';
import { judgeGateRun, type GateChange } from '../../gate/judge-run.js';
import { DEFAULT_SAMPLE, isGateable, sampleRuns } from '../../gate/sample.js';
import { RefError, UsageError } from '../../model/errors.js';
import { checkChannelName } from '../../model/names.js';
import type { JsonValue } from '../../model/workflow.js';
import type { RunSummary } from '../../model/runs.js';
import type { Store } from '../../store/store.js';
import { parseRef } from '../../versions/refs.js';
import { resolveStoredRef, type ResolvedVersion } from '../../versions/resolve.js';
import type { Workspace } from '../workspace/workspace.js';
import { loadFixtures, resolveRunnable, type LoadedFixtures } from './run-service.js';
import { timedReplay, type ReplaySettings } from './timed-replay.js';

/** How many of a version's runs a gate looks through to draw its sample. */
const RUNS_LOOKED_AT = 100_000;

export interface GateOptions extends ReplaySettings {
  /** What the candidate is compared with: a channel of its workflow (its stable version) or a ref. */
  readonly baseline: string;
  /** How many runs to draw (default DEFAULT_SAMPLE); ignored when `runs` is given. */
  readonly sample?: number;
  /** These runs (full ids) instead of a sample: live, finished runs of the workflow. */
  readonly runs?: readonly string[];
  /**
   * Draw the sample from the baseline version's runs among these only (an imported bundle's),
   * rather than among all of its runs in the store.
   */
  readonly pool?: { readonly bundle: ContentId; readonly runs: readonly string[] };
  /** The largest share of changed runs, in percent, that still passes (default 0). */
  readonly maxChangedPercent?: number;
  /** Told of each run's result as it is known. */
  readonly onResult?: (result: GateRunResult) => void;
}

export interface GateRunResult {
  readonly run: string;
  readonly startedAt: string;
  readonly input: JsonValue;
  readonly originalStatus: string;
  /** `error` when the replay could not run at all (its input no longer fits, say). */
  readonly change: GateChange | 'error';
  readonly message?: string;
  readonly firstChangedStep?: string;
  readonly outputs?: readonly OutputVerdict[];
  /** The replay, recorded as a run. */
  readonly replay?: string;
  readonly replayStatus?: string;
  readonly durationMs: number;
}

export interface GateReport {
  readonly workflow: string;
  readonly candidate: { readonly ref: string; readonly id: ContentId; readonly seq?: number };
  readonly baseline: {
    readonly ref: string;
    readonly channel?: string;
    readonly id: ContentId;
    readonly seq?: number;
  };
  /** How many of the baseline's runs could be sampled (live and finished). */
  readonly available: number;
  /** The bundle the runs were drawn from (`--bundle`), when they were. */
  readonly bundle?: ContentId;
  /**
   * The workspace's workflows that call this one through the baseline's channel (a promotion
   * there changes what they run); empty when the baseline is not a channel.
   */
  readonly callers: readonly ChannelCaller[];
  /** The runs replayed, in the order they were drawn. */
  readonly sample: readonly string[];
  readonly results: readonly GateRunResult[];
  /** Runs that count as changed (any change but `unchanged`). */
  readonly changed: number;
  readonly changedPercent: number;
  readonly maxChangedPercent: number;
  readonly pass: boolean;
  /** True when Ctrl-C stopped the gate before every run was replayed (then it does not pass). */
  readonly cancelled: boolean;
}

/**
 * Gates `candidateRef` against `options.baseline`.
 * @throws RefError for an unknown candidate, baseline, channel or run; UsageError for a baseline
 *   of another workflow or a run a gate cannot use.
 */
export async function runGate(
  workspace: Workspace,
  store: Store,
  candidateRef: string,
  options: GateOptions,
): Promise<GateReport> {
  const candidate = await resolveRunnable(workspace, store, candidateRef);
  const workflow = candidate.record.name;
  const baseline = await resolveBaseline(store, workflow, options.baseline);
  const size = options.sample ?? DEFAULT_SAMPLE;
  const { available, sample } = options.runs
    ? await namedRuns(store, workflow, options.runs)
    : options.pool
      ? await drawFromPool(store, workflow, baseline.version, options.pool.runs, size)
      : await drawSample(store, workflow, baseline.version, size);

  const config = await workspace.config();
  const outputs = candidate.record.definition.outputs;
  const ruleOf =
    outputs === undefined ? undefined : outputRules(outputs, config.compare?.[workflow]);
  const fixtures =
    options.fixtures === undefined ? undefined : await loadFixtures(options.fixtures);
  const results: GateRunResult[] = [];
  for (const run of sample) {
    if (options.signal?.aborted) break;
    const result = await replayOne(workspace, store, run, candidate, ruleOf, {
      ...options,
      ...(fixtures ? { loaded: fixtures } : {}),
    });
    if (options.signal?.aborted) break; // cut short by Ctrl-C: not a verdict
    results.push(result);
    options.onResult?.(result);
  }
  const changed = results.filter((r) => r.change !== 'unchanged').length;
  const changedPercent = results.length === 0 ? 0 : (changed / results.length) * 100;
  const maxChangedPercent = options.maxChangedPercent ?? 0;
  const cancelled = options.signal?.aborted === true;
  return {
    workflow,
    candidate: {
      ref: candidateRef,
      id: candidate.record.id,
      ...(candidate.publication ? { seq: candidate.publication.seq } : {}),
    },
    baseline: {
      ref: options.baseline,
      ...(baseline.channel ? { channel: baseline.channel } : {}),
      id: baseline.version.record.id,
      ...(baseline.version.publication ? { seq: baseline.version.publication.seq } : {}),
    },
    available,
    ...(options.pool ? { bundle: options.pool.bundle } : {}),
    callers: baseline.channel ? await callersOf(workspace, workflow, baseline.channel) : [],
    sample: sample.map((run) => run.id),
    results,
    changed,
    changedPercent,
    maxChangedPercent,
    pass: !cancelled && changedPercent <= maxChangedPercent,
    cancelled,
  };
}

/**
 * Records a finished gate in the local log (what `promote --require-gate` looks for), with the
 * sha256 of the report's canonical JSON.
 * @returns the record.
 */
export async function recordGateReport(
  workspace: Workspace,
  store: Store,
  report: GateReport,
): Promise<Omit<GateEntry, 'type'>> {
  const record = {
    workflow: report.workflow,
    candidate: report.candidate.id,
    baseline: report.baseline.id,
    ...(report.baseline.channel ? { channel: report.baseline.channel } : {}),
    sample: report.sample,
    changed: report.changed,
    maxChangedPercent: report.maxChangedPercent,
    pass: report.pass,
    report: sha256(canonicalJson(report)),
    actor: await currentAuthor(workspace.root),
    at: new Date().toISOString(),
  };
  await store.recordGate(record);
  return record;
}

/** The baseline's version: a channel's stable version, or a ref of the same workflow. */
async function resolveBaseline(
  store: Store,
  workflow: string,
  text: string,
): Promise<{ version: ResolvedVersion; channel?: string }> {
  if (!text.includes('@') && !/^(v?\d+|sha256:.*)$/.test(text)) {
    const channel = checkChannelName(text);
    const state = await store.getChannel(workflow, channel);
    const stable = state?.targets?.stable;
    if (!stable) {
      throw new RefError(
        'unknown-channel',
        state
          ? `--baseline ${text}: ${workflow}'s channel '${channel}' points at no version since its last rollback`
          : `--baseline ${text}: ${workflow} has no channel '${channel}' (\`lockstep channels ${workflow}\` lists its channels)`,
      );
    }
    return {
      version: await resolveStoredRef(store, { kind: 'seq', name: workflow, seq: stable.seq }),
      channel,
    };
  }
  const ref = parseRef(text.includes('@') ? text : `${workflow}@${text.replace(/^v/, '')}`);
  if (ref.kind === 'file') {
    throw new UsageError(`--baseline ${text}: give a channel or a stored version, not a file`);
  }
  if (ref.name !== workflow) {
    throw new UsageError(
      `--baseline ${text}: the candidate is a version of ${workflow}; give a channel or version of ${workflow}`,
    );
  }
  if (ref.kind === 'channel') return resolveBaseline(store, workflow, ref.channel);
  return { version: await resolveStoredRef(store, ref) };
}

async function drawSample(
  store: Store,
  workflow: string,
  baseline: ResolvedVersion,
  size: number,
): Promise<{ available: number; sample: RunSummary[] }> {
  const runs = await store.listRuns({
    workflow,
    version: baseline.record.id,
    mode: 'live',
    limit: RUNS_LOOKED_AT,
  });
  return { available: runs.filter(isGateable).length, sample: sampleRuns(runs, size) };
}

/** A sample of the baseline version's gateable runs among `pool`. */
async function drawFromPool(
  store: Store,
  workflow: string,
  baseline: ResolvedVersion,
  pool: readonly string[],
  size: number,
): Promise<{ available: number; sample: RunSummary[] }> {
  const wanted = new Set(pool);
  const runs = (
    await store.listRuns({
      workflow,
      version: baseline.record.id,
      mode: 'live',
      limit: RUNS_LOOKED_AT,
    })
  ).filter((run) => wanted.has(run.id));
  return { available: runs.filter(isGateable).length, sample: sampleRuns(runs, size) };
}

/** The workspace's workflows calling `workflow` through `channel` (files with errors skipped). */
async function callersOf(
  workspace: Workspace,
  workflow: string,
  channel: string,
): Promise<ChannelCaller[]> {
  const definitions = (await workspace.validate()).flatMap((file) =>
    file.definition ? [file.definition] : [],
  );
  return callersThrough(definitions, workflow, channel);
}

/** The runs named with `--runs`, each checked: of this workflow, live and finished. */
async function namedRuns(
  store: Store,
  workflow: string,
  ids: readonly string[],
): Promise<{ available: number; sample: RunSummary[] }> {
  const all = await store.listRuns({ workflow, limit: RUNS_LOOKED_AT });
  const byId = new Map(all.map((run) => [run.id, run]));
  const sample = [...new Set(ids)].map((id) => {
    const run = byId.get(id);
    if (!run) {
      throw new RefError(
        'unknown-run',
        `--runs: no run ${id} of ${workflow} (\`lockstep runs ${workflow}\` lists them)`,
      );
    }
    if (!isGateable(run)) {
      throw new UsageError(
        `--runs: run ${id} is ${run.mode === 'live' ? run.status : `a ${run.mode} run`}; a gate replays live runs that succeeded or failed`,
      );
    }
    return run;
  });
  return { available: sample.length, sample };
}

async function replayOne(
  workspace: Workspace,
  store: Store,
  run: RunSummary,
  candidate: ResolvedVersion,
  ruleOf: Parameters<typeof judgeGateRun>[1],
  options: GateOptions & { loaded?: LoadedFixtures },
): Promise<GateRunResult> {
  const base = { run: run.id, startedAt: run.startedAt, originalStatus: run.status };
  const replayed = await timedReplay(workspace, store, run.id, candidate, options);
  // A run the candidate cannot replay (its input no longer fits, say) counts as changed.
  if ('refused' in replayed) {
    return {
      ...base,
      input: null,
      change: 'error',
      message: replayed.refused.message,
      durationMs: replayed.durationMs,
    };
  }
  const { report, timedOut, durationMs } = replayed;
  const { source, replay } = report;
  const verdict = judgeGateRun(
    {
      expected: source.output,
      actual: replay.output,
      status: replay.status,
      ...(replay.error ? { error: replay.error } : {}),
      comparison: report.comparison,
      originalStatus: source.status,
      ...(source.error ? { originalError: source.error } : {}),
    },
    ruleOf,
  );
  const message = timedOut ?? verdict.message;
  return {
    ...base,
    input: source.header.input,
    change: timedOut && verdict.change === 'unchanged' ? 'regressed' : verdict.change,
    ...(message === undefined ? {} : { message }),
    ...(verdict.firstChangedStep === undefined
      ? {}
      : { firstChangedStep: verdict.firstChangedStep }),
    outputs: verdict.outputs,
    replay: replay.id,
    replayStatus: replay.status,
    durationMs,
  };
}
