/**
 * Which recorded runs a gate replays: the baseline version's live runs that finished (succeeded
 * or failed), never replays or scripted runs, chosen deterministically. Ordering by the hash of
 * each run's id spreads the sample over the whole history (not only the newest runs) and gives
 * every candidate gated against the same store the same runs.
 */
import { compareCodeUnits } from '../code-unit-order.js';
import { sha256 } from '../hash/canonical.js';
import type { RunSummary } from '../model/runs.js';

/** The sample size when none is asked for. */
export const DEFAULT_SAMPLE = 50;

/** Whether a run can stand for real traffic in a gate. */
export function isGateable(run: RunSummary): boolean {
  return run.mode === 'live' && (run.status === 'succeeded' || run.status === 'failed');
}

/**
 * At most `size` of `runs` that a gate may replay, in a deterministic order (by the hash of
 * their ids); the rest are left out.
 */
export function sampleRuns(runs: readonly RunSummary[], size: number): RunSummary[] {
  return runs
    .filter(isGateable)
    .map((run) => ({ run, key: sha256(run.id) }))
    .sort((a, b) => compareCodeUnits(a.key, b.key))
    .slice(0, Math.max(0, size))
    .map(({ run }) => run);
}
