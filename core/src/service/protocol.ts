/**
 * The workspace service's messages: what the VS Code extension asks the service (one child process
 * per workspace folder, on the core and the store's index) and what the service tells it. Each is
 * declared once as a typed constant that both ends use, so a changed parameter fails to compile on
 * both sides; each is documented in docs/protocol.md. The extension imports this file and nothing
 * else from core/, so its one runtime import is vscode-jsonrpc.
 *
 * Errors: a request that fails answers a JSON-RPC error whose `data.code` is the stable code of
 * the Lockstep error (docs/cli.md, "Error codes") and whose message is written for users.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

/** A stored version, as lists and pickers show it. */
export interface VersionItem {
  /** `sha256:` and 64 hex digits. */
  readonly id: string;
  readonly workflow: string;
  /** The version's number once published (v1, v2…); absent for a snapshot. */
  readonly seq?: number;
  /** The publication's message. */
  readonly message?: string;
  /** When the version was first stored (ISO 8601). */
  readonly createdAt: string;
  /** When it was published, for a published version (ISO 8601). */
  readonly publishedAt?: string;
  readonly author: string;
  /** The git commit the file was at, and whether it had uncommitted changes. */
  readonly git?: { readonly commit: string; readonly dirty: boolean };
  /** Where the file was, relative to the workspace root. */
  readonly sourcePath?: string;
  /** How many runs ran it (in lists of versions). */
  readonly runs?: number;
  /** The channels that route to it now, with their shares (in lists of versions). */
  readonly channels?: readonly ChannelShareItem[];
}

/** A workflow, as the History view lists it. */
export interface WorkflowItem {
  readonly name: string;
  /** Its file in the workspace (absolute path), when one has this name. */
  readonly file?: string;
  /** Its highest published number, if any. */
  readonly latestSeq?: number;
  /** Its newest run, if any. */
  readonly lastRun?: { readonly status: RunItem['status']; readonly startedAt: string };
  /** Its channels whose latest change is an automatic abort of a canary (the editor warns). */
  readonly autoAborted?: readonly AutoAbortItem[];
}

/** A canary its health check aborted: the change's revision and what crossed its threshold. */
export interface AutoAbortItem {
  readonly channel: string;
  readonly revision: number;
  readonly at: string;
  /** `failure_rate 40% > 5% over 20 runs`. */
  readonly trigger: string;
}

/** A run, as lists show it. */
export interface RunItem {
  readonly id: string;
  readonly workflow: string;
  readonly version: { readonly id: string; readonly seq?: number };
  readonly status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  readonly mode: 'live' | 'scripted' | 'replay' | 'replay-against';
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly tokens?: { readonly input: number; readonly output: number };
  /** The run that called this one (a child run). */
  readonly parent?: string;
  /** For a run in progress: the step it is on (its path). */
  readonly currentStep?: string;
  /** For a run routed through a channel: which channel, and whether it went to its candidate. */
  readonly routing?: {
    readonly channel: string;
    readonly bucket: number;
    readonly target: 'stable' | 'candidate';
  };
}

/** `lockstep/service/ready` (service → client): the service has opened its workspace. */
export interface ReadyParams {
  /** The workspace root (the folder holding `.lockstep/`, or the git root). */
  readonly root: string;
  /** The `.lockstep` folder. */
  readonly store: string;
  /** The engine version (`0.1.0`). */
  readonly version: string;
  /**
   * The PostgreSQL store the workspace uses (its URL without a password), when it uses one: the
   * editor keeps its password (see StorePasswordRequest).
   */
  readonly teamStore?: string;
}
export const ReadyNotification = new NotificationType<ReadyParams>('lockstep/service/ready');

/** `lockstep/storePassword` (service → client): the team store's password, if the editor has one. */
export interface StorePasswordParams {
  /** The store's URL without a password (the key the editor keeps the password under). */
  readonly store: string;
}
export interface StorePasswordResult {
  readonly password?: string;
}
export const StorePasswordRequest = new RequestType<StorePasswordParams, StorePasswordResult, void>(
  'lockstep/storePassword',
);

/** What changed in the store: lets views refresh only what they show. */
export type StoreChange = 'versions' | 'runs' | 'baselines';

/** `lockstep/storeChanged` (service → client): the store changed, whoever wrote it. */
export interface StoreChangedParams {
  readonly changes: readonly StoreChange[];
}
export const StoreChangedNotification = new NotificationType<StoreChangedParams>(
  'lockstep/storeChanged',
);

/** `lockstep/fileVersion`: which version a workflow file's content on disk is. */
export interface FileVersionParams {
  /** The file's absolute path. */
  readonly file: string;
}
export type FileVersionResult =
  /** The file does not validate: it has no version; `errors` says how many problems it has. */
  | { readonly state: 'invalid'; readonly workflow?: string; readonly errors: number }
  /** The file is valid; its content is `id`, stored (`stored`) and maybe published (`seq`). */
  | {
      readonly state: 'valid';
      readonly workflow: string;
      readonly id: string;
      readonly stored: boolean;
      readonly seq?: number;
      /** The highest published number of the workflow, if any. */
      readonly latestSeq?: number;
      /** The channels that route to this content now (when it is published). */
      readonly channels?: readonly ChannelShareItem[];
    };
export const FileVersionRequest = new RequestType<FileVersionParams, FileVersionResult, void>(
  'lockstep/fileVersion',
);

/** `lockstep/snapshot`: stores a workflow file's content as a version, unless it is stored. */
export interface SnapshotParams {
  readonly file: string;
}
export interface SnapshotResult {
  readonly version: VersionItem;
  /** False when the same content was already stored: no new version. */
  readonly created: boolean;
  /** Snapshots removed by the retention rule (`retention.snapshots`), oldest first. */
  readonly pruned: readonly string[];
}
export const SnapshotRequest = new RequestType<SnapshotParams, SnapshotResult, void>(
  'lockstep/snapshot',
);

/** `lockstep/publish`: gives a workflow file's content the workflow's next number. */
export interface PublishParams {
  readonly file: string;
  readonly message: string;
}
export interface PublishResult {
  readonly version: VersionItem;
  /** False when this content was already published (then `version.seq` is its number). */
  readonly created: boolean;
}
export const PublishRequest = new RequestType<PublishParams, PublishResult, void>(
  'lockstep/publish',
);

/** `lockstep/versions`: a workflow's versions, newest first (published and snapshots). */
export interface VersionsParams {
  readonly workflow: string;
}
export interface VersionsResult {
  readonly versions: readonly VersionItem[];
}
export const VersionsRequest = new RequestType<VersionsParams, VersionsResult, void>(
  'lockstep/versions',
);

/**
 * `lockstep/workflows`: the workspace's workflows, those with a file and those with stored
 * versions, by name.
 */
export const WorkflowsRequest = new RequestType0<
  { readonly workflows: readonly WorkflowItem[] },
  void
>('lockstep/workflows');

/** `lockstep/runs`: a workflow's runs, newest first, as a filter asks. */
export interface RunsParams {
  readonly workflow: string;
  /** Only runs of this version (a full id). */
  readonly version?: string;
  /** Only runs with one of these statuses (default: any). */
  readonly statuses?: readonly RunItem['status'][];
  /** Only runs with one of these modes (default: any). */
  readonly modes?: readonly RunItem['mode'][];
  /** At most this many (default 20). */
  readonly limit?: number;
}
export interface RunsResult {
  readonly runs: readonly RunItem[];
  /** Whether more runs match than `limit`. */
  readonly more: boolean;
}
export const RunsRequest = new RequestType<RunsParams, RunsResult, void>('lockstep/runs');

/** One effect of a step, as recorded (secrets as their placeholders). */
export interface EffectItem {
  readonly kind: string;
  readonly key: string;
  readonly occurrence: number;
  readonly request: unknown;
  readonly response?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
  readonly latencyMs: number;
  readonly tokens?: { readonly input: number; readonly output: number };
  readonly served?: string;
}

/** One step (or foreach iteration) of a run. */
export interface StepItem {
  /** Its structural path: `classify`, `notes[intro]`. */
  readonly path: string;
  /** The step's id in the definition. */
  readonly step: string;
  /** Its kind in the definition (`llm`, `http`, …), when known. */
  readonly kind?: string;
  readonly status: 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly attempts?: number;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
  readonly tokens?: { readonly input: number; readonly output: number };
  readonly provenance?: string;
  readonly effects: readonly EffectItem[];
}

/** Everything a run recorded, ready to show. */
export interface RunDetails {
  readonly run: RunItem;
  readonly input: unknown;
  readonly output: unknown;
  readonly error?: { readonly code: string; readonly message: string };
  readonly steps: readonly StepItem[];
  /** USD, from the configured model prices; absent when a model has no price. */
  readonly cost?: number;
  readonly engine: string;
  /** How a channel routed the run, when it ran `name@<channel>` (decided before it started). */
  readonly routing?: {
    readonly channel: string;
    readonly revision: number;
    readonly bucket: number;
    readonly sticky: boolean;
    readonly inherited?: boolean;
    readonly target: 'stable' | 'candidate';
  };
  /** Where each step is in the definition at the run's version: 1-based lines, by step id. */
  readonly stepLines: {
    readonly [step: string]: { readonly line: number; readonly endLine: number };
  };
}

/** `lockstep/run`: everything a run recorded. */
export const RunDetailsRequest = new RequestType<{ readonly id: string }, RunDetails, void>(
  'lockstep/run',
);

/** `lockstep/versionText`: a version's text exactly as it was first stored. */
export interface VersionTextParams {
  readonly workflow: string;
  /** A full version id, or a published number. */
  readonly version: string | number;
}
export interface VersionTextResult {
  readonly version: VersionItem;
  readonly text: string;
}
export const VersionTextRequest = new RequestType<VersionTextParams, VersionTextResult, void>(
  'lockstep/versionText',
);

/** `lockstep/service/stats`: the service's own figures (memory), for diagnostics and benchmarks. */
export interface StatsResult {
  /** Resident set size, bytes. */
  readonly rss: number;
  readonly heapUsed: number;
  /** Milliseconds since the service started. */
  readonly uptimeMs: number;
}
export const StatsRequest = new RequestType0<StatsResult, void>('lockstep/service/stats');

/** `lockstep/run/start`: runs a workflow in the service; answered once the run has started. */
export interface RunStartParams {
  /** A workflow file (absolute path: its current content, snapshotted first), or `name@3`. */
  readonly ref: string;
  /** Inputs by name. */
  readonly input: { readonly [name: string]: unknown };
  /** A fixtures file (absolute path): a scripted run. */
  readonly fixtures?: string;
  /** Let shell steps run (the user's setting, `lockstep.allowShell`). */
  readonly allowShell?: boolean;
  /**
   * Secret values from the editor's secret storage, by name; the environment answers the others.
   * Only the secrets `.lockstep/config.yaml` lists are ever read. Never logged.
   */
  readonly secrets?: { readonly [name: string]: string };
}
export interface RunStartResult {
  readonly run: string;
  readonly workflow: string;
  readonly version: { readonly id: string; readonly seq?: number };
}
/**
 * Fails with `secret-missing` (`data.names`: the secrets to set) when a secret the workflow reads
 * has no value, with `invalid-input` (`data.problems`) when the inputs do not fit, and with the
 * errors of the ref and the fixtures file; nothing runs and no run is recorded then (a working
 * copy may have been snapshotted, as saving it does).
 */
export const RunStartRequest = new RequestType<RunStartParams, RunStartResult, void>(
  'lockstep/run/start',
);

/** `lockstep/run/progress` (service → client): a step of a run started by the client moved. */
export interface RunProgressParams {
  /** The run the client started. */
  readonly run: string;
  readonly event:
    | {
        readonly type: 'step-started';
        readonly path: string;
        readonly step: string;
        readonly at: string;
      }
    | {
        readonly type: 'step-finished';
        readonly path: string;
        readonly step: string;
        readonly status: StepItem['status'];
        readonly durationMs: number;
        readonly tokens?: { readonly input: number; readonly output: number };
        readonly error?: { readonly code: string; readonly message: string };
      }
    | {
        readonly type: 'run-finished';
        readonly status: Exclude<RunItem['status'], 'running' | 'interrupted'>;
        readonly output: unknown;
        readonly error?: { readonly code: string; readonly message: string };
        readonly durationMs: number;
      };
}
export const RunProgressNotification = new NotificationType<RunProgressParams>(
  'lockstep/run/progress',
);

/** `lockstep/run/cancel`: cancels a run the client started; it is recorded as cancelled. */
export const RunCancelRequest = new RequestType<
  { readonly run: string },
  { readonly cancelled: boolean },
  void
>('lockstep/run/cancel');

/** An input a workflow declares, as the runner's form shows it. */
export interface InputField {
  readonly name: string;
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly required: boolean;
}

/** `lockstep/run/inputs`: a workflow's inputs and the inputs of its recent runs. */
export interface RunInputsResult {
  readonly workflow: string;
  readonly inputs: readonly InputField[];
  /** Distinct inputs of its newest runs, newest first. */
  readonly recent: readonly {
    readonly run: string;
    readonly startedAt: string;
    readonly input: unknown;
  }[];
}
export const RunInputsRequest = new RequestType<{ readonly ref: string }, RunInputsResult, void>(
  'lockstep/run/inputs',
);

/** A step's last result, for the lens above it. */
export interface StepResult {
  readonly status: StepItem['status'];
  readonly durationMs?: number;
  readonly tokens?: { readonly input: number; readonly output: number };
  readonly error?: { readonly code: string; readonly message: string };
  /** The run it is from, and that run's version. */
  readonly run: string;
  readonly version: { readonly id: string; readonly seq?: number };
  /** The step was edited since that version (its definition differs from the file's). */
  readonly stale: boolean;
}

/** `lockstep/stepResults`: what the lenses above a workflow file show. */
export interface StepResultsResult {
  readonly workflow?: string;
  /** The file's content as a version (see FileVersionResult). */
  readonly version: FileVersionResult;
  readonly runs: number;
  /** The newest run's input, for "Run with Last Input". */
  readonly lastInput?: unknown;
  /** Each step's result in the newest run that ran it, by step id. */
  readonly steps: { readonly [step: string]: StepResult };
}
export interface StepResultsParams {
  readonly file: string;
  /**
   * The editor's text of the file, when it has unsaved changes: steps are marked stale against
   * it (the version state stays the saved file's).
   */
  readonly text?: string;
}
export const StepResultsRequest = new RequestType<StepResultsParams, StepResultsResult, void>(
  'lockstep/stepResults',
);

/** `lockstep/secrets`: the secrets `.lockstep/config.yaml` lists (names only, never values). */
export interface SecretsResult {
  readonly secrets: readonly {
    readonly name: string;
    /** The hosts it may be sent to, when bound. */
    readonly hosts?: readonly string[];
    /** Whether the service's environment has a value for it (the editor's storage aside). */
    readonly inEnvironment: boolean;
  }[];
}
export const SecretsRequest = new RequestType0<SecretsResult, void>('lockstep/secrets');

/** `lockstep/replay/start`: replays a recorded run in the service; answered once it started. */
export interface ReplayStartParams {
  /** The recorded run. */
  readonly run: string;
  /**
   * Replay against this instead of the run's own version: a workflow file (absolute path: its
   * current content, snapshotted first) or `name@3` / `name@<hash>`. Absent: an exact replay.
   */
  readonly against?: string;
  /** What a request without a recorded answer does (default: `replay.on_miss`, else live). */
  readonly onMiss?: 'live' | 'stub' | 'fail';
  /** A fixtures file (absolute path) answering misses under `stub`. */
  readonly fixtures?: string;
  readonly allowShell?: boolean;
  /** Secret values from the editor's secret storage, for live misses. Never logged. */
  readonly secrets?: { readonly [name: string]: string };
}
export interface ReplayStartResult extends RunStartResult {
  /** The run it replays. */
  readonly source: string;
}
/**
 * Progress arrives as `lockstep/run/progress` for the replay's id; a replay that diverges from
 * its recording ends failed with the divergence as its error. Fails with `unknown-run` and the
 * errors of the ref and the fixtures file before anything runs.
 */
export const ReplayStartRequest = new RequestType<ReplayStartParams, ReplayStartResult, void>(
  'lockstep/replay/start',
);

/** How a step of run B differs from the same step of run A. */
export type StepChange =
  | 'identical'
  | 'output-changed'
  | 'input-changed'
  | 'status-changed'
  | 'branch-changed'
  | 'added'
  | 'removed';

/** How one value became another (core/src/replay/compare.ts computes it). */
export type ValueDiff =
  | { readonly kind: 'same' }
  /** Both JSON structures: what changed, by path (`reply`, `items.2.name`). */
  | {
      readonly kind: 'structural';
      readonly changes: readonly {
        readonly type: 'added' | 'removed' | 'changed';
        readonly path: string;
        readonly before?: unknown;
        readonly after?: unknown;
      }[];
    }
  /** Both text: the changed lines (or words) as +/- parts. */
  | {
      readonly kind: 'text';
      readonly parts: readonly {
        readonly added?: boolean;
        readonly removed?: boolean;
        readonly value: string;
      }[];
    }
  /** Different kinds of value. */
  | { readonly kind: 'replaced'; readonly before: unknown; readonly after: unknown };

/** Two runs step by step, as `lockstep compare --json` prints them. */
export interface RunComparison {
  readonly a: ComparedRun;
  readonly b: ComparedRun;
  readonly steps: readonly {
    readonly path: string;
    readonly change: StepChange;
    readonly a?: { readonly status: string; readonly output: unknown };
    readonly b?: { readonly status: string; readonly output: unknown };
    /** Where run B's answers for the step came from, in a replay against another version. */
    readonly provenance?: 'recorded' | 'live' | 'stubbed' | 'missing' | 'tainted';
    readonly outputDiff?: ValueDiff;
    readonly inputDiff?: ValueDiff;
  }[];
  /** The first step (in run order) that is not identical. */
  readonly firstDivergence?: string;
  readonly output: ValueDiff;
  readonly totals: {
    readonly a: ComparedTotals;
    readonly b: ComparedTotals;
  };
}
export interface ComparedRun {
  readonly run: string;
  readonly version: { readonly id: string; readonly seq?: number };
  readonly status: string;
}
export interface ComparedTotals {
  readonly tokens: { readonly input: number; readonly output: number };
  readonly cost?: number;
  readonly latencyMs?: number;
}

/** `lockstep/compare`: two runs step by step (B against A), as `lockstep compare` shows them. */
export const CompareRequest = new RequestType<
  { readonly a: string; readonly b: string },
  RunComparison,
  void
>('lockstep/compare');

/** A regression baseline (`.lockstep/baselines/<workflow>/<hash>.json`) as the editor lists it. */
export interface BaselineItem {
  /** `sha256:` of its canonical text (a file's name). */
  readonly id: string;
  /** Where it is kept, as people may see it: its file's path, or the team store and its id. */
  readonly location: string;
  /** Absolute path of its file; absent for a baseline kept in a team store. */
  readonly file?: string;
  readonly workflow: string;
  /** The recorded run it keeps. */
  readonly run: string;
  readonly version: { readonly id: string; readonly seq?: number };
  readonly startedAt: string;
  readonly input: unknown;
}

/** `lockstep/baselines`: a workflow's baselines, oldest recorded run first. */
export const BaselinesRequest = new RequestType<
  { readonly workflow: string },
  { readonly baselines: readonly BaselineItem[] },
  void
>('lockstep/baselines');

/**
 * `lockstep/baselines/add`: keeps a run that succeeded as a baseline of its workflow (redacted of
 * the secrets set now, content-addressed); adding it again changes nothing (`created` false).
 * Fails with `unknown-run`, `running-run`, or a usage error for a run that did not succeed.
 */
export const BaselineAddRequest = new RequestType<
  { readonly run: string },
  { readonly baseline: BaselineItem; readonly created: boolean },
  void
>('lockstep/baselines/add');

/** `lockstep/baselines/remove`: deletes the baseline of a run (its file, or its team-store row). */
export const BaselineRemoveRequest = new RequestType<
  { readonly workflow: string; readonly run: string },
  { readonly removed: BaselineItem },
  void
>('lockstep/baselines/remove');

/**
 * `lockstep/baselines/accept`: "Accept as New Baseline": the replay of a baseline (`run`, which
 * must have succeeded) becomes the workflow's baseline in place of the one it replayed
 * (`replaced`, a run id). The new baseline is written before the old one is removed.
 */
export const BaselineAcceptRequest = new RequestType<
  { readonly workflow: string; readonly replaced: string; readonly run: string },
  { readonly baseline: BaselineItem },
  void
>('lockstep/baselines/accept');

/** `lockstep/baselines/test`: replays baselines against a version and judges each. */
export interface BaselineTestParams {
  /** Chosen by the client: progress carries it, and `lockstep/baselines/cancel` names it. */
  readonly session: string;
  /** What the baselines replay against: a workflow file (absolute path) or `name@3` / `name@<hash>`. */
  readonly ref: string;
  /** Only the baselines of these runs; all of the workflow's when absent. */
  readonly baselines?: readonly string[];
  readonly onMiss?: 'live' | 'stub' | 'fail';
  readonly fixtures?: string;
  /** The time limit of each replay. */
  readonly timeoutMs?: number;
  readonly allowShell?: boolean;
  /** Secret values from the editor's secret storage, for live misses. Never logged. */
  readonly secrets?: { readonly [name: string]: string };
}

/** One output judged by its comparison rule. */
export interface OutputVerdictItem {
  readonly output: string;
  readonly rule: string;
  readonly pass: boolean;
  readonly reason?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
}

/** The verdict on one baseline. */
export interface BaselineTestItem {
  /** The baseline's recorded run. */
  readonly baseline: string;
  readonly pass: boolean;
  /** Why it failed, in one line. */
  readonly message?: string;
  /** The replay, recorded as a run (absent when it could not start). */
  readonly replay?: string;
  /** How the replay ended: only a replay that succeeded can be accepted as the new baseline. */
  readonly replayStatus?: RunItem['status'];
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly outputs: readonly OutputVerdictItem[];
  /** The first step whose status, input or output changed. */
  readonly firstChangedStep?: string;
  /** The lines (1-based) of that step's top-level step in the tested version's text. */
  readonly location?: { readonly line: number; readonly endLine: number };
  readonly durationMs: number;
}

export interface BaselineTestResult {
  readonly workflow: string;
  readonly version: { readonly id: string; readonly seq?: number };
  /** True when cancelled before every baseline was judged. */
  readonly cancelled: boolean;
}

/** Answered when every baseline asked for is judged (or the test was cancelled). */
export const BaselineTestRequest = new RequestType<BaselineTestParams, BaselineTestResult, void>(
  'lockstep/baselines/test',
);

/** `lockstep/baselines/progress`: a baseline's replay started, or was judged. */
export interface BaselineTestProgressParams {
  readonly session: string;
  readonly event:
    | { readonly type: 'started'; readonly baseline: string }
    | { readonly type: 'judged'; readonly result: BaselineTestItem };
}
export const BaselineTestProgressNotification = new NotificationType<BaselineTestProgressParams>(
  'lockstep/baselines/progress',
);

/** `lockstep/baselines/cancel`: stops a test session (its current replay is recorded as cancelled). */
export const BaselineTestCancelRequest = new RequestType<
  { readonly session: string },
  { readonly cancelled: boolean },
  void
>('lockstep/baselines/cancel');

/** A published version on a channel, as History shows it. */
export interface ChannelShareItem {
  readonly channel: string;
  /** Percent of the channel's traffic. */
  readonly share: number;
  /** The canary's candidate (else the stable version). */
  readonly candidate?: boolean;
}

/** A workflow's channel as the editor lists it. */
export interface ChannelItem {
  readonly channel: string;
  readonly revision: number;
  /** `v3 90% · v4 10%, sticky inputs.customer`, or `nothing` once rolled back to empty. */
  readonly summary: string;
  readonly stable?: { readonly id: string; readonly seq: number };
  readonly candidate?: { readonly id: string; readonly seq: number; readonly weight: number };
  readonly sticky?: string;
  /** The canary's abort thresholds, in words (`failure_rate > 5% (at least 20 runs)`). */
  readonly abortIf?: readonly string[];
  /** Whether a change is left to roll back. */
  readonly canRollBack: boolean;
  /** The latest change: what, who, when, why. */
  readonly lastChange?: ChannelChangeItem;
}

/** A change in a channel's history, as the editor shows it. */
export interface ChannelChangeItem {
  /** The channel's revision after it. */
  readonly revision: number;
  readonly action: 'promote' | 'canary' | 'abort' | 'auto-abort' | 'rollback';
  readonly at: string;
  readonly actor: string;
  readonly message: string;
  /** The targets before and after, in words (`v7 100%` → `v7 90% · v8 10%`). */
  readonly from: string;
  readonly to: string;
  /** Undone by a later rollback. */
  readonly rolledBack: boolean;
  /** For an automatic abort: what crossed its threshold (`failure_rate 40% > 5% over 20 runs`). */
  readonly trigger?: string;
}

/** Figures of the finished runs a channel routed to one version, over a window. */
export interface ChannelFiguresItem {
  readonly runs: number;
  readonly failed: number;
  /** failed / runs (0 without runs). */
  readonly failureRate: number;
  readonly p50LatencyMs?: number;
  readonly p95LatencyMs?: number;
  readonly tokens: number;
  /** USD, when every model called has a price. */
  readonly cost?: number;
  readonly costPerRun?: number;
  /** All of it in one line, as `lockstep channels` prints it. */
  readonly text: string;
}

/** A version a channel routes to, with the health of its routed runs. */
export interface ChannelVersionHealth {
  readonly id: string;
  readonly seq: number;
  readonly target: 'stable' | 'candidate';
  /** Percent of the channel's traffic. */
  readonly share: number;
  readonly lastHour: ChannelFiguresItem;
  readonly lastDay: ChannelFiguresItem;
}

/** `lockstep/channels/health`: what `lockstep channels` shows of one channel. */
export interface ChannelHealthResult {
  readonly channel: ChannelItem;
  /** The versions it routes to now (stable first). */
  readonly versions: readonly ChannelVersionHealth[];
  /** Every change, newest first. */
  readonly history: readonly ChannelChangeItem[];
}
export const ChannelHealthRequest = new RequestType<
  { readonly workflow: string; readonly channel: string },
  ChannelHealthResult,
  void
>('lockstep/channels/health');

/** `lockstep/channels`: a workflow's channels, by name. */
export const ChannelsRequest = new RequestType<
  { readonly workflow: string },
  { readonly channels: readonly ChannelItem[] },
  void
>('lockstep/channels');

/** `lockstep/channels/change`: promote, canary (start or change its weight), abort, roll back. */
export interface ChannelChangeParams {
  readonly workflow: string;
  readonly channel: string;
  readonly action: 'promote' | 'canary' | 'abort' | 'rollback';
  /** The published number, for promote and canary. */
  readonly version?: number;
  /** Percent for the candidate (canary): above 0, at most 100 (100 completes the rollout). */
  readonly weight?: number;
  /** An expression over the inputs that keeps a key on one version (canary). */
  readonly sticky?: string;
  /**
   * Thresholds that abort the canary by themselves, as `lockstep canary --abort-if` takes them
   * (`failure_rate > 5%`, `p95_latency > 2s`, `cost_per_run > 0.02`), over at least 20 runs.
   * Absent: the canary keeps the ones it has (none for a new one).
   */
  readonly abortIf?: readonly string[];
  readonly message?: string;
  /** Decide it but do not append it: the confirmation's words. */
  readonly preview?: boolean;
  /** Append only if the channel is still at this revision (what the preview was decided on). */
  readonly expectedRevision?: number;
}
export interface ChannelChangeResult {
  readonly applied: boolean;
  /** The revision it was decided on (pass it back as `expectedRevision`). */
  readonly decidedOn: number;
  /** The channel's targets before and after, in words (`v7 100%` → `v7 90% · v8 10%`). */
  readonly from: string;
  readonly to: string;
  /** The thresholds the channel has after the change, in words. */
  readonly abortIf?: readonly string[];
}
export const ChannelChangeRequest = new RequestType<ChannelChangeParams, ChannelChangeResult, void>(
  'lockstep/channels/change',
);
