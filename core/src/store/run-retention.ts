/**
 * Which runs `lockstep prune` removes, the same for every backend: finished runs older than the
 * age limit or beyond the newest `keep` of their workflow, never a run in progress, a pinned run,
 * a run kept as a baseline, or a child run whose parent stays (a replay of the parent reads it).
 */
import type { RunSummary } from '../model/runs.js';
import { compareCodeUnits } from '../code-unit-order.js';

/** `retention.runs` when the config does not say. */
export const DEFAULT_RUNS_KEPT = { maxAgeDays: 90, maxCount: 10_000 } as const;

export interface RunRetention {
  /** Runs started before this time (ms) go. */
  readonly olderThan?: number;
  /** The newest this many runs of each workflow stay. */
  readonly keep?: number;
  /** Runs that stay whatever their age: pinned ones, baselines' runs. */
  readonly protectedIds: ReadonlySet<string>;
}

/** The ids of the runs to remove, oldest first. */
export function runsToPrune(runs: readonly RunSummary[], rule: RunRetention): string[] {
  const byWorkflow = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const list = byWorkflow.get(run.workflow) ?? [];
    list.push(run);
    byWorkflow.set(run.workflow, list);
  }
  const chosen = new Set<string>();
  for (const list of byWorkflow.values()) {
    list.sort((a, b) => compareCodeUnits(b.startedAt, a.startedAt));
    list.forEach((run, i) => {
      const tooMany = rule.keep !== undefined && i >= rule.keep;
      const tooOld = rule.olderThan !== undefined && Date.parse(run.startedAt) < rule.olderThan;
      const finished = run.status !== 'running';
      if ((tooMany || tooOld) && finished && !rule.protectedIds.has(run.id)) chosen.add(run.id);
    });
  }
  // A child stays while its parent does.
  for (const run of runs) {
    if (run.parent !== undefined && chosen.has(run.id) && !chosen.has(run.parent)) {
      chosen.delete(run.id);
    }
  }
  return runs
    .filter((run) => chosen.has(run.id))
    .sort((a, b) => compareCodeUnits(a.startedAt, b.startedAt))
    .map((run) => run.id);
}
