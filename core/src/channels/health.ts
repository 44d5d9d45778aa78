/**
 * Canary health: as a candidate's routed runs finish, its figures since the canary began are
 * measured against the channel's `abortIf` thresholds, over a minimum sample. Crossing one aborts
 * the canary by itself (all traffic back to stable), recorded in the control log as `auto-abort`
 * with the figures. Exactly once: the abort is a compare and swap on the revision measured, so of
 * two processes that both see the threshold crossed, one records it and the other's is refused.
 */
import { LockstepError } from '../model/errors.js';
import { describeTrigger } from './describe.js';
import type { RunRecord } from '../model/runs.js';
import { runTotals, type Prices } from '../replay/compare.js';
import type { ChannelState, HealthRule, HealthTrigger } from '../store/channel-records.js';
import type { Store } from '../store/store.js';

/** The figures of a set of finished runs. */
export interface RunFigures {
  readonly runs: number;
  readonly failed: number;
  /** failed / runs (0 when there are none). */
  readonly failureRate: number;
  readonly p50LatencyMs?: number;
  readonly p95LatencyMs?: number;
  readonly tokens: number;
  /** Mean cost per run in USD, when every model called has a price. */
  readonly costPerRun?: number;
  readonly cost?: number;
}

/** How many of the candidate's latest runs a health check reads at most. */
const SAMPLE_LIMIT = 500;

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Figures of finished runs (running and interrupted ones are left out; cancelled ones too). */
export function figuresOf(records: readonly RunRecord[], prices: Prices): RunFigures {
  const done = records.filter((r) => r.status === 'succeeded' || r.status === 'failed');
  const failed = done.filter((r) => r.status === 'failed').length;
  const latencies: number[] = [];
  let tokens = 0;
  let cost: number | undefined = 0;
  for (const record of done) {
    const totals = runTotals(record, prices);
    tokens += totals.tokens.input + totals.tokens.output;
    if (totals.latencyMs !== undefined) latencies.push(totals.latencyMs);
    cost = cost === undefined || totals.cost === undefined ? undefined : cost + totals.cost;
  }
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  return {
    runs: done.length,
    failed,
    failureRate: done.length === 0 ? 0 : failed / done.length,
    ...(p50 === undefined ? {} : { p50LatencyMs: p50 }),
    ...(p95 === undefined ? {} : { p95LatencyMs: p95 }),
    tokens,
    ...(cost === undefined || done.length === 0 ? {} : { cost, costPerRun: cost / done.length }),
  };
}

/** The rule a set of figures crosses, with the figures, or undefined. */
export function crossedRule(
  rules: readonly HealthRule[],
  figures: RunFigures,
): HealthTrigger | undefined {
  for (const rule of rules) {
    if (figures.runs < rule.minRuns) continue;
    const value =
      rule.metric === 'failure_rate'
        ? figures.failureRate
        : rule.metric === 'p95_latency'
          ? figures.p95LatencyMs
          : figures.costPerRun;
    if (value !== undefined && value > rule.threshold) {
      return { metric: rule.metric, value, threshold: rule.threshold, runs: figures.runs };
    }
  }
  return undefined;
}

/**
 * The candidate's runs routed through this channel since its canary began (the change that made
 * it the candidate), newest first, at most SAMPLE_LIMIT.
 */
export async function candidateRuns(store: Store, state: ChannelState): Promise<RunRecord[]> {
  const candidate = state.targets?.candidate;
  if (!candidate) return [];
  const since = canaryStart(state);
  const summaries = await store.listRuns({
    workflow: state.workflow,
    version: candidate.version,
    // Only what this channel routed: direct runs of the version must not crowd out the sample.
    channel: state.channel,
    limit: SAMPLE_LIMIT,
  });
  const records: RunRecord[] = [];
  for (const summary of summaries) {
    if (since !== undefined && summary.startedAt < since) continue;
    const record = await store.getRun(summary.id);
    if (record?.header.routing?.channel === state.channel) records.push(record);
  }
  return records;
}

/** When the current candidate first became the candidate, in the run of changes that kept it. */
function canaryStart(state: ChannelState): string | undefined {
  const candidate = state.targets?.candidate?.version;
  let start: string | undefined;
  for (let i = state.history.length - 1; i >= 0; i--) {
    const change = state.history[i]!;
    if (change.to?.candidate?.version !== candidate) break;
    start = change.at;
  }
  return start;
}

export interface HealthOptions {
  readonly prices: Prices;
  readonly now?: () => Date;
}

/**
 * Checks a channel's canary and aborts it when a threshold is crossed.
 * @returns the trigger when this call recorded the abort, else undefined.
 */
export async function checkCanaryHealth(
  store: Store,
  workflow: string,
  channel: string,
  options: HealthOptions,
): Promise<HealthTrigger | undefined> {
  const state = await store.getChannel(workflow, channel);
  const targets = state?.targets;
  if (!state || !targets?.candidate || !targets.abortIf?.length) return undefined;
  const figures = figuresOf(await candidateRuns(store, state), options.prices);
  const trigger = crossedRule(targets.abortIf, figures);
  if (!trigger) return undefined;
  const { candidate: _candidate, ...rest } = targets;
  try {
    await store.changeChannel({
      workflow,
      channel,
      action: 'auto-abort',
      expectedRevision: state.revision,
      to: rest,
      message: `automatic abort: ${describeTrigger(trigger)}`,
      at: (options.now?.() ?? new Date()).toISOString(),
      actor: 'lockstep (canary health)',
      trigger,
    });
    return trigger;
  } catch (error) {
    // Another process changed the channel first (maybe this very abort): nothing more to do.
    if (error instanceof LockstepError && error.code === 'conflict') return undefined;
    throw error;
  }
}
