/**
 * The PostgreSQL store: a team's versions, control log, channels, runs, pins and blobs in one
 * database, behind the same Store interface (and contract suite) as the file store. Decisions
 * (next `seq`, channel compare and swap, chain linkage) are the shared ControlState's, taken under
 * the chain head's row lock; see pg-control.ts, pg-runs.ts and schema.ts.
 */
import type pg from 'pg';
import {
  checkDraft,
  checkHeader,
  checkName,
  checkQuery,
  checkRunId,
  checkRunIdPrefix,
  checkVersionId,
  checkVersionIdPrefix,
} from '../../../store/argument-checks.js';
import { sha256 } from '../../../hash/canonical.js';
import type { ContentId } from '../../../model/content-id.js';
import { TamperedError } from '../../../model/errors.js';
import type { RunHeader, RunRecord, RunSummary } from '../../../model/runs.js';
import type { ChannelChangeRequest, ChannelState } from '../../../store/channel-records.js';
import { STORE_FORMAT } from '../../../store/format.js';
import { newestFirst } from '../../../store/listing.js';
import {
  pinsOf,
  type GateEntry,
  type ImportEntry,
  type LocalLogLine,
  type PinEntry,
} from '../../../store/local-log.js';
import { notPinned, unknownRun } from '../../../store/pin-errors.js';
import {
  controlEntryProblem,
  makeVersionRecord,
  summarize,
  versionRecordProblem,
  type ControlEntry,
  type Publication,
  type PublishRequest,
  type VersionDraft,
  type VersionRecord,
  type VersionSummary,
} from '../../../store/records.js';
import { snapshotsToPrune } from '../../../store/retention.js';
import type {
  AbandonOutcome,
  RunQuery,
  RunWriter,
  Store,
  StoreInfo,
  VerifyReport,
} from '../../../store/store.js';
import { createPool, storeFailure } from './connection.js';
import { describePostgresUrl } from './store-url.js';
import { applyMigrations } from './migrations.js';
import { PgBaselines } from './pg-baselines.js';
import { PgChanges, type StoreChange } from './pg-changes.js';
import { PgControl } from './pg-control.js';
import { PgLocalLog } from './pg-local-log.js';
import { PgRuns } from './pg-runs.js';
import { verifyPgStore } from './pg-verify.js';
import { STORE_MIGRATIONS } from './schema.js';
import { WriterSession } from './writer-session.js';

export type { StoreChange } from './pg-changes.js';

export interface OpenPgStoreOptions {
  /** Install the schema when the database has none (commands that write). */
  readonly create?: boolean;
}

/**
 * Opens the store in the database at `url` (`postgres://user@host:port/database`; the password
 * from the URL, PGPASSWORD or ~/.pgpass).
 * @throws RefError `no-store` when the database holds no store and `create` is false;
 *   StoreFormatError `newer-format` for a schema newer than this Lockstep; StoreError `no-store`
 *   when the server cannot be reached or refuses the login.
 */
export async function openPgStore(url: string, options: OpenPgStoreOptions = {}): Promise<PgStore> {
  const location = describePostgresUrl(url);
  const pool = createPool(url);
  try {
    const client = await pool.connect();
    try {
      await applyMigrations(client, 'store', STORE_MIGRATIONS, {
        create: options.create ?? false,
        location,
      });
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw storeFailure(location, error);
  }
  return new PgStore(url, location, pool);
}

export class PgStore implements Store {
  readonly info: StoreInfo;
  /** The team's regression baselines, kept in this database. */
  readonly baselines: PgBaselines;
  private readonly control: PgControl;
  private readonly runs: PgRuns;
  private readonly local: PgLocalLog;
  private readonly session: WriterSession;
  private readonly changes: PgChanges;

  constructor(
    url: string,
    private readonly location: string,
    private readonly pool: pg.Pool,
  ) {
    this.info = { location, format: STORE_FORMAT };
    this.control = new PgControl(pool, location);
    this.session = new WriterSession(url, pool);
    this.runs = new PgRuns(pool, location, this.session);
    this.local = new PgLocalLog(pool, location);
    this.changes = new PgChanges(url);
    this.baselines = new PgBaselines(pool, location, this.local);
  }

  /**
   * Calls `listener` when any process changes the store (LISTEN/NOTIFY): `control` for
   * publications and channel changes, `runs` for runs started, finished or removed, `local` for
   * pins, prunes, gates and imports, `baselines` for baselines added or removed.
   * @returns a function that stops listening.
   */
  onChange(listener: (change: StoreChange) => void): () => void {
    return this.changes.subscribe(listener);
  }

  async saveVersion(draft: VersionDraft): Promise<{ version: VersionRecord; created: boolean }> {
    checkDraft(draft);
    const record = makeVersionRecord(draft);
    const existing = await this.getVersion(record.name, record.id);
    if (existing) return { version: existing, created: false };
    const { rowCount } = await this.query(
      `INSERT INTO snapshots (id, workflow, created_at, record) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [record.id, record.name, record.createdAt, JSON.stringify(record)],
    );
    if (rowCount === 1) return { version: record, created: true };
    // Another process stored the same content a moment ago: theirs is the version.
    return { version: (await this.snapshot(record.name, record.id))!, created: false };
  }

  async getVersion(name: string, id: ContentId): Promise<VersionRecord | undefined> {
    checkName(name);
    checkVersionId(id);
    const state = await this.control.current();
    const publication = state.publicationOfVersion(id);
    if (publication?.workflow === name) return this.publishedRecord(publication);
    return this.snapshot(name, id);
  }

  async listVersions(name: string): Promise<VersionSummary[]> {
    checkName(name);
    return this.versionsMatching(name, '');
  }

  async findVersions(name: string, idPrefix: string): Promise<VersionSummary[]> {
    checkName(name);
    checkVersionIdPrefix(idPrefix);
    return this.versionsMatching(name, idPrefix);
  }

  async listWorkflows(): Promise<string[]> {
    const state = await this.control.current();
    const { rows } = await this.query<{ workflow: string }>(
      'SELECT DISTINCT workflow FROM snapshots',
    );
    return [...new Set([...state.workflows(), ...rows.map((row) => row.workflow)])].sort();
  }

  async pruneSnapshots(name: string, keep: number): Promise<ContentId[]> {
    checkName(name);
    const state = await this.control.current();
    const published = new Set(state.publications(name).map((p) => p.version));
    const { rows } = await this.query<{ id: ContentId; created_at: string }>(
      'SELECT id, created_at FROM snapshots WHERE workflow = $1',
      [name],
    );
    const snapshots = rows
      .filter((row) => !published.has(row.id))
      .map((row) => ({ id: row.id, createdAt: row.created_at }));
    const removed = await snapshotsToPrune(snapshots, keep, (id) => this.runs.anyRunOf(id));
    if (removed.length === 0) return removed;
    // Logged before the rows go, so the log never misses one.
    await this.local.append({ workflow: name, removed, at: new Date().toISOString() });
    await this.query('DELETE FROM snapshots WHERE id = ANY($1::text[])', [removed]);
    return removed;
  }

  async publish(request: PublishRequest): Promise<{ publication: Publication; created: boolean }> {
    checkDraft(request.version);
    const draft = makeVersionRecord(request.version);
    let existing: Publication | undefined;
    await this.control.append(async (state, client) => {
      existing = state.publicationOfVersion(draft.id);
      if (existing) return undefined;
      // The first-seen record (from a snapshot) keeps its original time and author.
      const { rows } = await client.query<{ record: string }>(
        'SELECT record FROM snapshots WHERE id = $1 AND workflow = $2',
        [draft.id, draft.name],
      );
      const record = rows[0] ? (JSON.parse(rows[0].record) as VersionRecord) : draft;
      return state.nextPublication(record, request);
    }, 'Nothing was published');
    if (existing) return { publication: existing, created: false };
    const state = await this.control.current();
    return { publication: state.publicationOfVersion(draft.id)!, created: true };
  }

  async changeChannel(request: ChannelChangeRequest): Promise<ChannelState> {
    await this.control.append(
      async (state) => state.nextChannelChange(request),
      'The channel was not changed',
    );
    const state = await this.control.current();
    return state.channel(request.workflow, request.channel)!;
  }

  async getChannel(workflow: string, channel: string): Promise<ChannelState | undefined> {
    checkName(workflow);
    return (await this.control.current()).channel(workflow, channel);
  }

  async listChannels(workflow: string): Promise<ChannelState[]> {
    checkName(workflow);
    return (await this.control.current()).channels(workflow);
  }

  async listPublications(name: string): Promise<Publication[]> {
    checkName(name);
    return (await this.control.current()).publications(name);
  }

  async readControlLog(): Promise<ControlEntry[]> {
    const entries = await this.control.readAll();
    for (const entry of entries) {
      const problem = controlEntryProblem(entry);
      if (problem) throw new TamperedError(`${this.location} control log:${entry.index}`, problem);
    }
    return entries;
  }

  /**
   * Appends another store's control-log entries exactly (same hashes, same chain): for
   * `lockstep migrate`. Entries already here are skipped, so a copy resumes.
   * @returns how many entries were added.
   */
  async appendControlVerbatim(entries: readonly ControlEntry[]): Promise<number> {
    return this.control.appendVerbatim(entries);
  }

  /** Appends another store's local-log lines exactly; lines already here are skipped. */
  async appendLocalVerbatim(lines: readonly LocalLogLine[]): Promise<number> {
    return this.local.appendVerbatim(lines);
  }

  async verify(): Promise<VerifyReport> {
    return verifyPgStore(this.pool, this.location, await this.control.readAll(), () =>
      this.local.read(),
    );
  }

  async createRun(header: RunHeader): Promise<RunWriter> {
    checkHeader(header);
    return this.guard(() => this.runs.create(header));
  }

  async abandonRun(id: string): Promise<AbandonOutcome> {
    checkRunId(id);
    return this.guard(() => this.runs.abandon(id));
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    checkRunId(id);
    return this.guard(() => this.runs.get(id));
  }

  async listRuns(query: RunQuery = {}): Promise<RunSummary[]> {
    checkQuery(query);
    return this.guard(() => this.runs.list(query));
  }

  async runCountsByVersion(workflow: string): Promise<Map<ContentId, number>> {
    checkName(workflow);
    return this.guard(() => this.runs.countsByVersion(workflow));
  }

  async findRunIds(prefix: string): Promise<string[]> {
    checkRunIdPrefix(prefix);
    return this.guard(() => this.runs.findIds(prefix));
  }

  async pinRun(pin: Omit<PinEntry, 'type'>): Promise<void> {
    checkRunId(pin.run);
    if (!(await this.guard(() => this.runs.exists(pin.run)))) throw unknownRun(pin.run);
    await this.local.append({ type: 'pin', ...pin });
  }

  async unpinRun(unpin: { run: string; actor: string; at: string }): Promise<void> {
    checkRunId(unpin.run);
    if (!(await this.listPins()).has(unpin.run)) throw notPinned(unpin.run);
    await this.local.append({ type: 'unpin', ...unpin });
  }

  async listPins(): Promise<Map<string, PinEntry>> {
    return pinsOf(await this.local.read());
  }

  async removeRuns(ids: readonly string[], meta: { actor: string; at: string }): Promise<string[]> {
    ids.forEach((id) => checkRunId(id));
    const present = new Set(await this.guard(() => this.runs.existing(ids)));
    const removing = ids.filter((id) => present.has(id));
    if (removing.length === 0) return [];
    // Logged first: the log never misses a prune.
    await this.local.append({ type: 'prune-runs', removed: removing, ...meta });
    return this.guard(() => this.runs.remove(removing));
  }

  async readLocalLog(): Promise<LocalLogLine[]> {
    return this.local.read();
  }

  async recordGate(gate: Omit<GateEntry, 'type'>): Promise<void> {
    await this.local.append({ type: 'gate', ...gate });
  }

  async recordImport(entry: Omit<ImportEntry, 'type'>): Promise<void> {
    await this.local.append({ type: 'import', ...entry });
  }

  async putBlob(data: Uint8Array): Promise<ContentId> {
    const id = sha256(data);
    await this.query('INSERT INTO blobs (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
      id,
      Buffer.from(data),
    ]);
    return id;
  }

  async getBlob(id: ContentId): Promise<Uint8Array | undefined> {
    checkVersionId(id);
    const { rows } = await this.query<{ data: Buffer }>('SELECT data FROM blobs WHERE id = $1', [
      id,
    ]);
    const data = rows[0]?.data;
    if (data && sha256(data) !== id) {
      throw new TamperedError(`${this.location} blob ${id}`, 'content does not match its id');
    }
    return data ? new Uint8Array(data) : undefined;
  }

  async close(): Promise<void> {
    await this.changes.close();
    await this.session.end();
    await this.pool.end().catch(() => undefined);
  }

  private async versionsMatching(name: string, idPrefix: string): Promise<VersionSummary[]> {
    const state = await this.control.current();
    const byId = new Map<ContentId, VersionSummary>();
    const { rows } = await this.query<{ record: string }>(
      'SELECT record FROM snapshots WHERE workflow = $1 AND starts_with(id, $2)',
      [name, idPrefix],
    );
    for (const row of rows) {
      const record = JSON.parse(row.record) as VersionRecord;
      byId.set(record.id, summarize(record, state.publicationOfVersion(record.id)));
    }
    for (const publication of state.publications(name)) {
      if (!publication.version.startsWith(idPrefix) || byId.has(publication.version)) continue;
      const record = await this.publishedRecord(publication);
      byId.set(record.id, summarize(record, publication));
    }
    return newestFirst([...byId.values()]);
  }

  private async snapshot(name: string, id: ContentId): Promise<VersionRecord | undefined> {
    const { rows } = await this.query<{ record: string }>(
      'SELECT record FROM snapshots WHERE id = $1 AND workflow = $2',
      [id, name],
    );
    if (!rows[0]) return undefined;
    const record = JSON.parse(rows[0].record) as VersionRecord;
    const problem = versionRecordProblem(record, id);
    if (problem) throw new TamperedError(`${this.location} snapshot ${id}`, problem);
    return record;
  }

  private async publishedRecord(publication: Publication): Promise<VersionRecord> {
    const record = await this.guard(() => this.control.record(publication.entry));
    const problem = versionRecordProblem(record, publication.version);
    if (problem) {
      throw new TamperedError(`${this.location} control log:${publication.entry}`, problem);
    }
    return record!;
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    return this.guard(() => this.pool.query<R>(text, values));
  }

  /** Runs `work`, turning a database failure into an error that names this store. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storeFailure(this.location, error);
    }
  }
}
