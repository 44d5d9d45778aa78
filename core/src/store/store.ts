/**
 * The store: where versions, publications, the control log and blobs live. Everything outside a
 * store implementation talks to this interface only (a PostgreSQL backend is planned), and every
 * implementation must pass the contract suite in test/unit/core/store/contract.ts.
 */
import type { ContentId } from '../model/content-id.js';
import type {
  RunEvent,
  RunHeader,
  RunMode,
  RunRecord,
  RunStatus,
  RunSummary,
} from '../model/runs.js';
import type { ChannelChangeRequest, ChannelState } from './channel-records.js';
import type { GateEntry, ImportEntry, LocalLogLine, PinEntry } from './local-log.js';
import type {
  ControlEntry,
  Publication,
  PublishRequest,
  VersionDraft,
  VersionRecord,
  VersionSummary,
} from './records.js';

/** One finding of `verify`. */
export interface VerifyProblem {
  readonly severity: 'error' | 'warning';
  /** The file (or table/row for other backends) the problem is in. */
  readonly where: string;
  /** 1-based line, for line-oriented files such as the control log. */
  readonly line?: number;
  readonly message: string;
}

export interface VerifyReport {
  /** True when there is no error (warnings allowed). */
  readonly ok: boolean;
  /** What was checked: distinct versions (snapshots and published), log entries, blobs. */
  readonly checked: { readonly versions: number; readonly entries: number; readonly blobs: number };
  readonly problems: readonly VerifyProblem[];
}

/** Static facts about an open store. */
export interface StoreInfo {
  /** A human description of where it lives: a folder path, a database without its password. */
  readonly location: string;
  /** The storage format it is written in. */
  readonly format: number;
}

/** Filters for run history. */
export interface RunQuery {
  readonly workflow?: string;
  /** Runs of this version only. */
  readonly version?: ContentId;
  readonly status?: RunStatus;
  /** Runs answered this way only: live, scripted, replay, replay-against. */
  readonly mode?: RunMode['kind'];
  /**
   * Runs this channel routed only (their summary's `routing.channel`): a run of `name@production`
   * is one; a run of `name@2`, one replayed, or one recorded before channels is not.
   */
  readonly channel?: string;
  /** At most this many (default 50), newest first. */
  readonly limit?: number;
}

/** What `Store.abandonRun` found. */
export type AbandonOutcome = 'abandoned' | 'running' | 'ended' | 'unknown';

/** Writes one run's journal. */
export interface RunWriter {
  readonly id: string;
  /**
   * Appends an event. It is handed to the operating system before the process does anything
   * else (before the event loop moves on), so it survives the process being killed (not a power
   * loss: see `sync`); the promise resolves once it has been. Appends keep their call order: a
   * caller may append the next event without waiting for the previous one.
   */
  append(event: RunEvent): Promise<void>;
  /** Makes everything appended so far durable (survives power loss). */
  sync(): Promise<void>;
  /** Syncs, then marks the run as no longer being written. */
  close(): Promise<void>;
}

export interface Store {
  readonly info: StoreInfo;

  /**
   * Stores a version as a snapshot, unless the same content is already stored (snapshot or
   * published): then the existing record is returned unchanged and `created` is false.
   */
  saveVersion(draft: VersionDraft): Promise<{ version: VersionRecord; created: boolean }>;

  /**
   * The stored version with this id, or undefined.
   * @throws TamperedError when the stored record does not match its hashes.
   */
  getVersion(name: string, id: ContentId): Promise<VersionRecord | undefined>;

  /** Versions of `name` (snapshots and published), newest first. */
  listVersions(name: string): Promise<VersionSummary[]>;

  /** Versions of `name` whose id starts with `idPrefix` (`sha256:` and at least one hex digit). */
  findVersions(name: string, idPrefix: string): Promise<VersionSummary[]>;

  /** Names of every workflow with at least one stored version, sorted. */
  listWorkflows(): Promise<string[]>;

  /**
   * Removes the oldest snapshots of `name` beyond its newest `keep`, never a published version
   * and never one a run ran (a run must stay replayable). Snapshots are local history: shared
   * publications are never touched.
   * @returns the removed ids, oldest first.
   */
  pruneSnapshots(name: string, keep: number): Promise<ContentId[]>;

  /**
   * Publishes a version: appends a publication with the workflow's next `seq` to the control
   * log. Publishing a version that is already published returns that publication, `created`
   * false. Concurrent publishers (other processes included) never share a `seq`.
   * @throws StoreError when the control log cannot be extended (broken chain, lock timeout).
   */
  publish(request: PublishRequest): Promise<{ publication: Publication; created: boolean }>;

  /**
   * Appends a channel change to the control log, under the same cross-process lock as publishing,
   * after checking that the channel is still at `request.expectedRevision` (compare and swap).
   * @returns the channel after the change.
   * @throws LockstepError `conflict` when another change came first; RefError `unknown-version`
   *   when a target is not a published version of the workflow; StoreError as `publish`.
   */
  changeChannel(request: ChannelChangeRequest): Promise<ChannelState>;

  /** A workflow's channel as the control log says now, or undefined when it was never set. */
  getChannel(workflow: string, channel: string): Promise<ChannelState | undefined>;

  /** Every channel of a workflow, by name. */
  listChannels(workflow: string): Promise<ChannelState[]>;

  /** The publications of `name`, by ascending `seq`. */
  listPublications(name: string): Promise<Publication[]>;

  /**
   * The control log, oldest first: the audit trail.
   * @throws TamperedError when an entry does not match its hash.
   */
  readControlLog(): Promise<ControlEntry[]>;

  /** Checks every stored hash and the control log's chain; changes nothing. */
  verify(): Promise<VerifyReport>;

  /**
   * Starts a run's journal with its header (the `run-started` event). While the writer is open
   * the run shows as `running`; a journal whose writer went away without closing shows as
   * `interrupted`.
   */
  createRun(header: RunHeader): Promise<RunWriter>;

  /**
   * Gives up a run that reads `interrupted`, for good: in one step that no writer can interleave
   * with, a run still open, `running` and whose writer is gone is closed as `interrupted`, and
   * its writer can never continue it: were that writer only cut off and comes back, its appends
   * and its `close` record nothing, the appends failing with StoreError `run-abandoned`. Whoever
   * runs the work again (a queue's next attempt) seals the earlier run first, so that only one of
   * them can ever finish.
   *
   * Present on stores that processes on several machines share (PostgreSQL), where a run reads
   * interrupted when its writer's database session is gone, which a process that is only cut off
   * from the database outlives. Absent on the file and memory stores, which cannot be shared by
   * machines: a file store's run reads interrupted once its writing process on the same machine
   * has exited (or has been suspended past its 20 s heartbeat, which this does not fence), and a
   * memory store lives in one process.
   * @returns `abandoned` when this call sealed the run; `running` when its writer is alive (the
   *   run is left as it is); `ended` when it was closed already (finished, or sealed before);
   *   `unknown` when there is no such run.
   * @throws StoreError when the store cannot be reached.
   */
  abandonRun?(id: string): Promise<AbandonOutcome>;

  /**
   * A run folded from its journal, or undefined.
   * @throws TamperedError when the journal is not a run journal.
   * @throws StoreError (`starting-run`) when the journal has no event yet (being created, or
   *   its process ended while creating it).
   */
  getRun(id: string): Promise<RunRecord | undefined>;

  /** Run summaries matching `query`, newest first. */
  listRuns(query?: RunQuery): Promise<RunSummary[]>;

  /** How many runs each version of `workflow` has (versions without runs are absent). */
  runCountsByVersion(workflow: string): Promise<Map<ContentId, number>>;

  /** Ids of runs starting with `prefix` (for short ids typed by people). */
  findRunIds(prefix: string): Promise<string[]>;

  /**
   * Pins a run (kept by `lockstep prune`), recorded in the local log.
   * @throws LockstepError `unknown-run` when there is no such run.
   */
  pinRun(pin: Omit<PinEntry, 'type'>): Promise<void>;

  /**
   * Unpins a run, recorded in the local log.
   * @throws LockstepError `invalid-change` when the run is not pinned.
   */
  unpinRun(unpin: {
    readonly run: string;
    readonly actor: string;
    readonly at: string;
  }): Promise<void>;

  /** The pinned runs, by id. */
  listPins(): Promise<Map<string, PinEntry>>;

  /**
   * Removes runs' data (the prune is logged in the local log first). The caller chose them: the
   * store removes what it is given that exists, and returns those ids.
   */
  removeRuns(
    ids: readonly string[],
    meta: { readonly actor: string; readonly at: string },
  ): Promise<string[]>;

  /** The local log (prunes, pins, gates, imports), oldest first, with each line's chain hash. */
  readLocalLog(): Promise<LocalLogLine[]>;

  /** Records a gate's verdict in the local log (see GateEntry). */
  recordGate(gate: Omit<GateEntry, 'type'>): Promise<void>;

  /** Records an imported run bundle in the local log (see ImportEntry). */
  recordImport(entry: Omit<ImportEntry, 'type'>): Promise<void>;

  /** Stores bytes under their sha256; storing the same bytes again is a no-op. */
  putBlob(data: Uint8Array): Promise<ContentId>;

  /**
   * The bytes stored under `id`, or undefined.
   * @throws TamperedError when the stored bytes do not hash to `id`.
   */
  getBlob(id: ContentId): Promise<Uint8Array | undefined>;

  /** Releases resources; the store must not be used afterwards. */
  close(): Promise<void>;
}
