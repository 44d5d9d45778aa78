/**
 * History's filter: which runs it lists (statuses, modes) and whether it lists snapshots at all.
 * Pure state plus the query it makes; the quick pick that edits it is in filter-runs.ts.
 */
import type { RunItem, RunsParams } from '../../../../core/src/service/protocol.js';

export interface RunFilter {
  readonly statuses: readonly RunItem['status'][];
  readonly modes: readonly RunItem['mode'][];
  /** Only published versions (snapshots hidden). */
  readonly publishedOnly: boolean;
}

export const NO_FILTER: RunFilter = { statuses: [], modes: [], publishedOnly: false };

export const ALL_STATUSES: readonly RunItem['status'][] = [
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
];
export const ALL_MODES: readonly RunItem['mode'][] = [
  'live',
  'scripted',
  'replay',
  'replay-against',
];

/** Whether the filter narrows anything. */
export function isFiltered(filter: RunFilter): boolean {
  return filter.statuses.length > 0 || filter.modes.length > 0 || filter.publishedOnly;
}

/** The runs query of a version's page under the filter. */
export function runsQuery(
  filter: RunFilter,
  workflow: string,
  version: string,
  limit: number,
): RunsParams {
  return {
    workflow,
    version,
    limit,
    ...(filter.statuses.length > 0 ? { statuses: filter.statuses } : {}),
    ...(filter.modes.length > 0 ? { modes: filter.modes } : {}),
  };
}

/** What the filter shows, in words (the view's description). */
export function describeFilter(filter: RunFilter): string | undefined {
  if (!isFiltered(filter)) return undefined;
  return [
    ...(filter.statuses.length > 0 ? [filter.statuses.join(', ')] : []),
    ...(filter.modes.length > 0 ? [filter.modes.join(', ')] : []),
    ...(filter.publishedOnly ? ['published versions'] : []),
  ].join(' · ');
}
