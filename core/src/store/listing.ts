/**
 * Orders and filters of store listings, shared by every backend (the memory store, the file
 * store's index) so that each lists versions and runs the same way.
 */
import type { RunSummary } from '../model/runs.js';
import type { VersionSummary } from './records.js';
import type { RunQuery } from './store.js';
import { compareCodeUnits } from '../code-unit-order.js';

/** Newest first by creation time, then by id for a stable order. */
export function newestFirst(list: VersionSummary[]): VersionSummary[] {
  return list.sort(
    (a, b) => compareCodeUnits(b.createdAt, a.createdAt) || compareCodeUnits(a.id, b.id),
  );
}

/** Applies a run query to summaries: filters, newest first, limit (default 50). */
export function filterRuns(summaries: readonly RunSummary[], query: RunQuery): RunSummary[] {
  return summaries
    .filter(
      (r) =>
        (query.workflow === undefined || r.workflow === query.workflow) &&
        (query.version === undefined || r.version.id === query.version) &&
        (query.status === undefined || r.status === query.status) &&
        (query.mode === undefined || r.mode === query.mode) &&
        (query.channel === undefined || r.routing?.channel === query.channel),
    )
    .sort((a, b) => compareCodeUnits(b.startedAt, a.startedAt) || compareCodeUnits(b.id, a.id))
    .slice(0, query.limit ?? 50);
}

/** Runs per version among `summaries` of `workflow`. */
export function countByVersion(
  summaries: readonly RunSummary[],
  workflow: string,
): Map<RunSummary['version']['id'], number> {
  const counts = new Map<RunSummary['version']['id'], number>();
  for (const summary of summaries) {
    if (summary.workflow !== workflow) continue;
    counts.set(summary.version.id, (counts.get(summary.version.id) ?? 0) + 1);
  }
  return counts;
}
