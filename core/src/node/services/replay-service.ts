/**
 * Replaying runs from a workspace on disk: the run's store, a live executor for misses, fixtures
 * for stubs, the workspace's sub-workflows and model prices. The CLI and services use this.
 */
import type { FetchPolicy } from '../../providers/fetch-with-retries.js';
import { ScriptedExecutor } from '../../providers/scripted-executor.js';
import { replayRun, type ReplayReport } from '../../replay/replay.js';
import type { MissPolicy } from '../../replay/replay-executor.js';
import type { RunEvent, RunRecord } from '../../model/runs.js';
import type { ResolvedVersion } from '../../versions/resolve.js';
import type { Store } from '../../store/store.js';
import { secretAccess } from '../../runs/secret-access.js';
import { displayPath } from '../workspace/display-path.js';
import {
  liveExecutor,
  loadFixtures,
  resolveChild,
  resolveRunnable,
  thisProcess,
  type LoadedFixtures,
} from './run-service.js';
import type { Workspace } from '../workspace/workspace.js';

export interface ReplayRunOptions {
  /**
   * Replay against this ref (a workflow file = the working copy, `name@3`, `name@sha256:…`), or
   * a version already resolved.
   */
  readonly against?: string | ResolvedVersion;
  /** The recording to replay when it is not in the store (a baseline's copy of the run). */
  readonly source?: RunRecord;
  /** What a request without a recorded answer does in a replay against (default live). */
  readonly onMiss?: MissPolicy;
  /** Fixtures for `stub` misses (a path, or already loaded). */
  readonly fixtures?: string | LoadedFixtures;
  readonly allowShell?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent, run: string) => void;
  readonly secret?: (name: string) => string | undefined;
  readonly fetchPolicy?: FetchPolicy;
}

/**
 * Replays `run` exactly, or against another version, and compares the replay with it.
 * @throws RefError for an unknown run, version or ref; InvalidDefinitionError for a broken file
 *   or fixtures; InputError when the other version's inputs do not fit the run's input.
 */
export async function replayInWorkspace(
  workspace: Workspace,
  store: Store,
  run: string,
  options: ReplayRunOptions = {},
): Promise<ReplayReport> {
  const fixtures =
    typeof options.fixtures === 'string' ? await loadFixtures(options.fixtures) : options.fixtures;
  const against =
    typeof options.against === 'string'
      ? await resolveRunnable(workspace, store, options.against)
      : options.against;
  const live = await liveExecutor(
    workspace,
    options.fetchPolicy ? { fetchPolicy: options.fetchPolicy } : {},
  );
  const config = await workspace.config();
  return replayRun({
    store,
    run,
    ...(options.source ? { source: options.source } : {}),
    ...(against ? { against } : {}),
    onMiss: options.onMiss ?? config.replay?.on_miss ?? 'live',
    live,
    ...(fixtures
      ? { fixtures: new ScriptedExecutor(fixtures.fixtures, live, displayPath(fixtures.file)) }
      : {}),
    ...secretAccess(config, options.secret ?? ((name) => process.env[name])),
    resolveChild: (workflow, pin) => resolveChild(workspace, store, workflow, pin),
    shellAllowed: options.allowShell === true,
    writer: thisProcess(),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(config.prices ? { prices: config.prices } : {}),
  });
}
