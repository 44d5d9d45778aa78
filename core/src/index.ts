/**
 * Lockstep's programmatic API, for services that embed the runner. It is what the CLI uses:
 *
 * ```ts
 * import { Lockstep } from 'lockstep';
 * const lockstep = await Lockstep.open('/srv/flows');
 * const run = await lockstep.run('support-triage@3', { input: { ticket: '…' }, onEvent: console.log });
 * console.log(run.status, run.output);
 * const recent = await lockstep.runs({ workflow: 'support-triage', limit: 10 });
 * await lockstep.close();
 * ```
 *
 * Versions refs are `name@3`, `name@sha256:<prefix>`, `name@<channel>` or a workflow file's path.
 */
import { Workspace, type WorkspaceOptions } from './node/workspace/workspace.js';
import {
  loadFixtures,
  resolveRunnable,
  runResolved,
  type RunRefOptions,
} from './node/services/run-service.js';
import type { RunRecord, RunSummary } from './model/runs.js';
import type { RunResult } from './runs/runner.js';
import type { VersionSummary } from './store/records.js';
import type { ChannelState } from './store/channel-records.js';
import type { RunQuery, Store } from './store/store.js';

export class Lockstep {
  private constructor(
    /** The workspace: its root, workflow files and settings. */
    readonly workspace: Workspace,
    /** The store holding versions and runs. */
    readonly store: Store,
  ) {}

  /**
   * Opens the workspace holding `dir` (the nearest folder with `.lockstep/`, else the git root,
   * else `dir`) and its store, creating the store when it does not exist yet.
   * @throws StoreFormatError when the store was written by a newer Lockstep.
   */
  static async open(dir: string, options: WorkspaceOptions = {}): Promise<Lockstep> {
    const workspace = await Workspace.locate(dir, options);
    return new Lockstep(workspace, await workspace.openStore({ create: true }));
  }

  /**
   * Runs a version and records the run.
   * @param ref a workflow file's path, `name@3`, `name@sha256:<prefix>` or `name@<channel>`
   *   (routed by the channel as it is when the run starts: a promotion or rollback made by
   *   another process is followed without a restart; the decision is recorded in the run).
   * @throws RefError, InvalidDefinitionError or InputError before anything runs. A run that
   *   starts and fails resolves with status `failed` (or `cancelled` when `signal` aborted it).
   */
  async run(ref: string, options: RunRefOptions = {}): Promise<RunResult> {
    // A broken fixtures file stops the run before the workflow is snapshotted.
    const fixtures =
      typeof options.fixtures === 'string'
        ? await loadFixtures(options.fixtures)
        : options.fixtures;
    const version = await resolveRunnable(this.workspace, this.store, ref, options.input ?? {});
    return runResolved(this.workspace, this.store, version, {
      ...options,
      ...(fixtures ? { fixtures } : {}),
    });
  }

  /** Run summaries, newest first (default: the latest 50 of any workflow). */
  runs(query: RunQuery = {}): Promise<RunSummary[]> {
    return this.store.listRuns(query);
  }

  /** Everything a run recorded, or undefined. */
  inspect(id: string): Promise<RunRecord | undefined> {
    return this.store.getRun(id);
  }

  /** A workflow's channel as the control log says now (undefined when never set). */
  channel(name: string, channel: string): Promise<ChannelState | undefined> {
    return this.store.getChannel(name, channel);
  }

  /** A workflow's versions (published and snapshots), newest first. */
  versions(name: string): Promise<VersionSummary[]> {
    return this.store.listVersions(name);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

export { Workspace, type WorkspaceOptions } from './node/workspace/workspace.js';
export { openFsStore } from './node/store/fs-store.js';
export { MemoryStore } from './store/memory-store.js';
export {
  loadFixtures,
  resolveRunnable,
  runRef,
  runResolved,
  type LoadedFixtures,
  type RunRefOptions,
} from './node/services/run-service.js';
export { runVersion, type RunOptions, type RunResult } from './runs/runner.js';
export { enqueueRun } from './node/team/queue/enqueue-run.js';
export type { EnqueueRequest } from './node/team/queue/run-queue.js';
export type { QueuedJob, JobState } from './node/team/queue/queue-job.js';
export type { ResolvedVersion } from './versions/resolve.js';
export type { EffectExecutor } from './runs/recording-host.js';
export {
  LiveExecutor,
  type LiveExecutorOptions,
  type ShellRunner,
} from './providers/live-executor.js';
export { ScriptedExecutor } from './providers/scripted-executor.js';
export { parseFixturesText, type Fixtures } from './providers/fixtures.js';
export { InputError } from './model/inputs.js';
export { EngineError } from './engine/engine-error.js';
export {
  FileError,
  InvalidDefinitionError,
  LockstepError,
  RefError,
  StoreError,
  StoreFormatError,
  TamperedError,
} from './model/errors.js';
export { validateWorkflowText } from './validate/validate-workflow.js';
export { validateWorkspaceFiles } from './validate/validate-workspace.js';
export type { Diagnostic, Range, Position } from './model/diagnostics.js';
export type { WorkflowDefinition, JsonValue } from './model/workflow.js';
export type { Store, RunQuery, RunWriter, VerifyReport } from './store/store.js';
export type { Publication, VersionRecord, VersionSummary } from './store/records.js';
export type {
  ChannelState,
  ChannelTargets,
  ChannelHistoryEntry,
  HealthRule,
} from './store/channel-records.js';
export type {
  RoutingDecision,
  EffectRecord,
  RecordedError,
  RunEvent,
  RunHeader,
  RunMode,
  RunRecord,
  RunStatus,
  RunSummary,
  StepRecord,
} from './model/runs.js';
export { LOCKSTEP_VERSION } from './version.js';
