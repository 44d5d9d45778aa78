/**
 * Which snapshots the retention rule removes, the same for every backend: the oldest beyond the
 * newest `keep` of a workflow, never one that is protected (published, or run: a run must stay
 * replayable, so the version it ran stays).
 */
import type { ContentId } from '../model/content-id.js';
import { compareCodeUnits } from '../code-unit-order.js';

/** How many snapshots of each workflow are kept when the config does not say. */
export const DEFAULT_SNAPSHOTS_KEPT = 50;

/**
 * The snapshots to remove, oldest first.
 * @param snapshots the workflow's snapshots (published versions excluded), in any order.
 * @param isProtected whether a run ran the version (checked only for candidates).
 */
export async function snapshotsToPrune(
  snapshots: readonly { readonly id: ContentId; readonly createdAt: string }[],
  keep: number,
  isProtected: (id: ContentId) => Promise<boolean>,
): Promise<ContentId[]> {
  const newestFirst = [...snapshots].sort(
    (a, b) => compareCodeUnits(b.createdAt, a.createdAt) || compareCodeUnits(a.id, b.id),
  );
  const removed: ContentId[] = [];
  for (const candidate of newestFirst.slice(Math.max(keep, 0)).reverse()) {
    if (!(await isProtected(candidate.id))) removed.push(candidate.id);
  }
  return removed;
}
