/**
 * How channels read in listings and messages (the CLI and the editor use the same words):
 * `v3 90% · v4 10%, sticky inputs.customer`, `failure_rate > 5% (at least 20 runs)`,
 * `24 runs, 4.2% failed, p50 310 ms, p95 812 ms, 5120 tokens, $0.0412`.
 */
import type {
  ChannelChange,
  ChannelState,
  ChannelTargets,
  HealthMetric,
  HealthRule,
  HealthTrigger,
} from '../store/channel-records.js';
import type { RunFigures } from './health.js';

/** A channel's targets in one short line; `nothing` for an empty channel. */
export function describeTargets(targets: ChannelTargets | null): string {
  if (!targets) return 'nothing';
  if (!targets.candidate) return `v${targets.stable.seq} 100%`;
  const stableShare = +(100 - targets.candidate.weight).toFixed(2);
  const sticky = targets.sticky ? `, sticky ${targets.sticky}` : '';
  return `v${targets.stable.seq} ${stableShare}% · v${targets.candidate.seq} ${targets.candidate.weight}%${sticky}`;
}

/** A value of a health metric in its unit: `12.5%`, `812 ms`, `$0.0031`. */
export function metricValue(metric: HealthMetric, value: number): string {
  return metric === 'failure_rate'
    ? `${+(value * 100).toFixed(2)}%`
    : metric === 'p95_latency'
      ? `${Math.round(value)} ms`
      : `$${+value.toFixed(6)}`;
}

/** `failure_rate > 5% (at least 20 runs)`. */
export function describeRule(rule: HealthRule): string {
  return `${rule.metric} > ${metricValue(rule.metric, rule.threshold)} (at least ${rule.minRuns} runs)`;
}

/** `failure_rate 12.5% > 5% over 24 runs`. */
export function describeTrigger(trigger: HealthTrigger): string {
  const show = (value: number): string => metricValue(trigger.metric, value);
  return `${trigger.metric} ${show(trigger.value)} > ${show(trigger.threshold)} over ${trigger.runs} runs`;
}

/** `24 runs, 4.2% failed, p50 310 ms, p95 812 ms, 5120 tokens, $0.0412`; `no runs`. */
export function describeFigures(figures: RunFigures): string {
  if (figures.runs === 0) return 'no runs';
  const ms = (v: number | undefined): string => (v === undefined ? '–' : `${Math.round(v)} ms`);
  const cost = figures.cost === undefined ? '' : `, $${figures.cost.toFixed(4)}`;
  return `${figures.runs} runs, ${+(figures.failureRate * 100).toFixed(1)}% failed, p50 ${ms(figures.p50LatencyMs)}, p95 ${ms(figures.p95LatencyMs)}, ${figures.tokens} tokens${cost}`;
}

/** Whether a change was undone by a later rollback (a rollback itself never counts as undone). */
export function wasRolledBack(state: ChannelState, change: ChannelChange): boolean {
  return change.action !== 'rollback' && !state.undoable.includes(change.revision);
}
