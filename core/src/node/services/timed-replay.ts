/**
 * One replay against a version with a time limit, as baseline tests and gates run them: it ends
 * (the limit, or Ctrl-C), and a replay the version cannot do at all (its input no longer fits,
 * say) is an outcome to report, where a bug is not.
 */
import { LockstepError } from '../../model/errors.js';
import type { RunRecord } from '../../model/runs.js';
import type { ReplayReport } from '../../replay/replay.js';
import type { Store } from '../../store/store.js';
import type { ResolvedVersion } from '../../versions/resolve.js';
import type { Workspace } from '../workspace/workspace.js';
import type { MissPolicy } from '../../replay/replay-executor.js';
import { replayInWorkspace } from './replay-service.js';
import type { LoadedFixtures } from './run-service.js';

/** How each replay of a baseline test or a gate runs. */
export interface ReplaySettings {
  /** A request without a recorded answer (default: `replay.on_miss` in the config, else live). */
  readonly onMiss?: MissPolicy;
  /** Fixtures for `stub` misses. */
  readonly fixtures?: string;
  /** The time limit of each replay (default DEFAULT_REPLAY_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Cancels the whole test or gate (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly secret?: (name: string) => string | undefined;
  /** Lets `shell` steps run on a live miss (default: refused). */
  readonly allowShell?: boolean;
}

/** How long one replay may take unless told otherwise. */
export const DEFAULT_REPLAY_TIMEOUT_MS = 300_000;

export type TimedReplay =
  | {
      readonly report: ReplayReport;
      /** Set when the time limit (not Ctrl-C) cut the replay short: why, in words. */
      readonly timedOut?: string;
      readonly durationMs: number;
    }
  | { readonly refused: LockstepError; readonly durationMs: number };

/**
 * Replays `run` (or `source`, a recording kept outside the store) against `version`.
 * @throws whatever is not a LockstepError (a bug is not an outcome).
 */
export async function timedReplay(
  workspace: Workspace,
  store: Store,
  run: string,
  version: ResolvedVersion,
  settings: ReplaySettings & { readonly loaded?: LoadedFixtures; readonly source?: RunRecord },
): Promise<TimedReplay> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const timeoutMs = settings.timeoutMs ?? DEFAULT_REPLAY_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = settings.signal ? AbortSignal.any([settings.signal, timeout]) : timeout;
  try {
    const report = await replayInWorkspace(workspace, store, run, {
      against: version,
      ...(settings.source ? { source: settings.source } : {}),
      ...(settings.onMiss ? { onMiss: settings.onMiss } : {}),
      ...(settings.loaded ? { fixtures: settings.loaded } : {}),
      ...(settings.secret ? { secret: settings.secret } : {}),
      ...(settings.allowShell ? { allowShell: true } : {}),
      signal,
    });
    const timedOut = timeout.aborted && !settings.signal?.aborted;
    return {
      report,
      ...(timedOut ? { timedOut: `the replay did not finish within ${timeoutMs / 1000} s` } : {}),
      durationMs: elapsed(),
    };
  } catch (error) {
    if (!(error instanceof LockstepError)) throw error;
    return { refused: error, durationMs: elapsed() };
  }
}
