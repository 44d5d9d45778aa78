/**
 * A team store seen from one machine: the team's store (PostgreSQL) for everything shared, and a
 * local content-addressed cache (a file store under `.lockstep/local/team-cache/`) for what a
 * replay needs. A finished run and the versions it ran are immutable and named by their ids, so
 * the first read copies them into the cache and every later read — a replay next week, on a
 * train — comes from the cache without the database. Replays (and replays against) are a
 * developer's experiments: they are recorded in the cache, never in the team's production history.
 */
import type { BaselineStore } from '../../baselines/baseline-store.js';
import type { ContentId } from '../../model/content-id.js';
import { StoreError } from '../../model/errors.js';
import type { RunHeader, RunRecord, RunSummary } from '../../model/runs.js';
import type { ChannelChangeRequest, ChannelState } from '../../store/channel-records.js';
import { draftOfRecord, writeFinishedRun } from '../../store/copy-records.js';
import { STORE_FORMAT } from '../../store/format.js';
import type { GateEntry, ImportEntry, LocalLogLine, PinEntry } from '../../store/local-log.js';
import type {
  ControlEntry,
  Publication,
  PublishRequest,
  VersionDraft,
  VersionRecord,
  VersionSummary,
} from '../../store/records.js';
import type {
  AbandonOutcome,
  RunQuery,
  RunWriter,
  Store,
  StoreInfo,
  VerifyReport,
} from '../../store/store.js';
import { ownBaselines } from './store-baselines.js';

/** Statuses a run never leaves: such a run may be cached. */
const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

const isReplay = (header: RunHeader): boolean =>
  header.mode.kind === 'replay' || header.mode.kind === 'replay-against';

/** The team store with a local cache; methods not named here are the team store's. */
export class TeamCacheStore implements Store {
  readonly info: StoreInfo;
  private cache: Promise<Store> | undefined;

  constructor(
    /**
     * The team's store, or why it could not be reached (offline): then only what the cache holds
     * can be read, and everything else fails with that reason.
     */
    private readonly reachable: Store | { readonly location: string; readonly error: Error },
    /** Opens (creating) the cache on first use. */
    private readonly openCache: () => Promise<Store>,
  ) {
    this.info =
      'error' in reachable
        ? { location: reachable.location, format: STORE_FORMAT }
        : reachable.info;
  }

  /**
   * The team's baselines (see PgStore.baselines): kept with the team, not cached.
   * @throws the reason the team store cannot be reached, when it cannot.
   */
  get baselines(): BaselineStore | undefined {
    return ownBaselines(this.team());
  }

  /** The team store's change notifications (see PgStore.onChange), when it has them. */
  onChange(listener: (change: string) => void): () => void {
    if ('error' in this.reachable) return () => undefined;
    const team = this.reachable as Partial<{
      onChange: (l: (change: string) => void) => () => void;
    }>;
    return typeof team.onChange === 'function' ? team.onChange(listener) : () => undefined;
  }

  /** A finished run from the cache, else from the team store (then cached); replays are local. */
  async getRun(id: string): Promise<RunRecord | undefined> {
    const cache = await this.local();
    const copy = await cache.getRun(id);
    if (copy && (FINISHED.has(copy.status) || isReplay(copy.header))) return copy;
    const run = await this.team().getRun(id);
    if (run && FINISHED.has(run.status)) await writeFinishedRun(cache, run);
    return run ?? copy;
  }

  /** A version from the cache, else from the team store (then cached: same id, same bytes). */
  async getVersion(name: string, id: ContentId): Promise<VersionRecord | undefined> {
    const cache = await this.local();
    const copy = await cache.getVersion(name, id);
    if (copy) return copy;
    const record = await this.team().getVersion(name, id);
    if (record) await cache.saveVersion(draftOfRecord(record));
    return record;
  }

  async getBlob(id: ContentId): Promise<Uint8Array | undefined> {
    const cache = await this.local();
    const copy = await cache.getBlob(id);
    if (copy) return copy;
    const data = await this.team().getBlob(id);
    if (data) await cache.putBlob(data);
    return data;
  }

  /** Replays are recorded in the cache; every other run in the team store. */
  async createRun(header: RunHeader): Promise<RunWriter> {
    return isReplay(header)
      ? (await this.local()).createRun(header)
      : this.team().createRun(header);
  }

  /**
   * Seals a run in the team store (see Store.abandonRun); the cache holds only finished runs and
   * replays, which have nothing to seal.
   * @throws StoreError `unwritable` when the team store cannot seal runs (not one machines share).
   */
  async abandonRun(id: string): Promise<AbandonOutcome> {
    const team = this.team();
    if (!team.abandonRun) {
      throw new StoreError('unwritable', `${this.info.location} cannot give up a run`);
    }
    return team.abandonRun(id);
  }

  /** Ids from both: a replay recorded here is found by its short id too. */
  async findRunIds(prefix: string): Promise<string[]> {
    const ids = new Set('error' in this.reachable ? [] : await this.team().findRunIds(prefix));
    for (const id of await (await this.local()).findRunIds(prefix)) ids.add(id);
    return [...ids].sort();
  }

  async close(): Promise<void> {
    if (!('error' in this.reachable)) await this.reachable.close();
    if (this.cache) await (await this.cache).close();
  }

  saveVersion(draft: VersionDraft): ReturnType<Store['saveVersion']> {
    return this.team().saveVersion(draft);
  }
  listVersions(name: string): Promise<VersionSummary[]> {
    return this.team().listVersions(name);
  }
  findVersions(name: string, idPrefix: string): Promise<VersionSummary[]> {
    return this.team().findVersions(name, idPrefix);
  }
  listWorkflows(): Promise<string[]> {
    return this.team().listWorkflows();
  }
  pruneSnapshots(name: string, keep: number): Promise<ContentId[]> {
    return this.team().pruneSnapshots(name, keep);
  }
  publish(request: PublishRequest): ReturnType<Store['publish']> {
    return this.team().publish(request);
  }
  changeChannel(request: ChannelChangeRequest): Promise<ChannelState> {
    return this.team().changeChannel(request);
  }
  getChannel(workflow: string, channel: string): Promise<ChannelState | undefined> {
    return this.team().getChannel(workflow, channel);
  }
  listChannels(workflow: string): Promise<ChannelState[]> {
    return this.team().listChannels(workflow);
  }
  /** Offline, the cache's (none): a replay then names its version by id, not by number. */
  async listPublications(name: string): Promise<Publication[]> {
    if ('error' in this.reachable) return (await this.local()).listPublications(name);
    return this.team().listPublications(name);
  }
  readControlLog(): Promise<ControlEntry[]> {
    return this.team().readControlLog();
  }
  verify(): Promise<VerifyReport> {
    return this.team().verify();
  }
  listRuns(query?: RunQuery): Promise<RunSummary[]> {
    return this.team().listRuns(query);
  }
  runCountsByVersion(workflow: string): Promise<Map<ContentId, number>> {
    return this.team().runCountsByVersion(workflow);
  }
  pinRun(pin: Omit<PinEntry, 'type'>): Promise<void> {
    return this.team().pinRun(pin);
  }
  unpinRun(unpin: { run: string; actor: string; at: string }): Promise<void> {
    return this.team().unpinRun(unpin);
  }
  listPins(): Promise<Map<string, PinEntry>> {
    return this.team().listPins();
  }
  removeRuns(ids: readonly string[], meta: { actor: string; at: string }): Promise<string[]> {
    return this.team().removeRuns(ids, meta);
  }
  readLocalLog(): Promise<LocalLogLine[]> {
    return this.team().readLocalLog();
  }
  recordGate(gate: Omit<GateEntry, 'type'>): Promise<void> {
    return this.team().recordGate(gate);
  }
  recordImport(entry: Omit<ImportEntry, 'type'>): Promise<void> {
    return this.team().recordImport(entry);
  }
  putBlob(data: Uint8Array): Promise<ContentId> {
    return this.team().putBlob(data);
  }

  /** The team's store; throws why it is unreachable when it is. */
  private team(): Store {
    if ('error' in this.reachable) throw this.reachable.error;
    return this.reachable;
  }

  private local(): Promise<Store> {
    return (this.cache ??= this.openCache());
  }
}
