/**
 * A store held in memory: for tests, for embedding the runner where nothing should persist, and
 * as the second backend that keeps the Store interface honest (nothing in it assumes files).
 */
import {
  checkDraft,
  checkHeader,
  checkName,
  checkQuery,
  checkRunId,
  checkRunIdPrefix,
  checkVersionId,
  checkVersionIdPrefix,
} from './argument-checks.js';
import { StoreError, TamperedError } from '../model/errors.js';
import { sha256 } from '../hash/canonical.js';
import { type ContentId } from '../model/content-id.js';
import { ControlState } from './control-state.js';
import {
  localLine,
  localLogProblems,
  parseLocalLog,
  pinsOf,
  type LocalEntry,
  type LocalLogLine,
  type GateEntry,
  type ImportEntry,
  type PinEntry,
} from './local-log.js';
import { notPinned, unknownRun } from './pin-errors.js';
import { countByVersion, filterRuns, newestFirst } from './listing.js';
import { snapshotsToPrune } from './retention.js';
import type { ChannelChangeRequest, ChannelState } from './channel-records.js';
import {
  controlEntryProblem,
  entryHashProblem,
  makeVersionRecord,
  summarize,
  versionRecordProblem,
  type ControlEntry,
  type Publication,
  type PublishRequest,
  type VersionDraft,
  type VersionRecord,
  type VersionSummary,
} from './records.js';
import { STORE_FORMAT } from './format.js';
import { foldRun, summarizeRun } from './fold-run.js';
import type { RunEvent, RunHeader, RunRecord, RunSummary } from '../model/runs.js';
import type {
  RunQuery,
  RunWriter,
  Store,
  StoreInfo,
  VerifyProblem,
  VerifyReport,
} from './store.js';

export class MemoryStore implements Store {
  readonly info: StoreInfo = { location: 'memory', format: STORE_FORMAT };
  private readonly snapshots = new Map<ContentId, VersionRecord>();
  private readonly entries: ControlEntry[] = [];
  private readonly state = new ControlState();
  private readonly blobs = new Map<ContentId, Uint8Array>();
  /** The local log's text, as a file would hold it. */
  private localText = '';
  /** Each run's events, and whether its writer is still open. */
  private readonly runs = new Map<string, { events: RunEvent[]; open: boolean }>();

  async saveVersion(draft: VersionDraft): Promise<{ version: VersionRecord; created: boolean }> {
    checkDraft(draft);
    const record = makeVersionRecord(draft);
    const existing = await this.getVersion(record.name, record.id);
    if (existing) return { version: existing, created: false };
    this.snapshots.set(record.id, record);
    return { version: record, created: true };
  }

  async getVersion(name: string, id: ContentId): Promise<VersionRecord | undefined> {
    checkName(name);
    checkVersionId(id);
    const publication = this.state.publicationOfVersion(id);
    const record = publication ? this.publishedRecord(publication) : this.snapshots.get(id);
    if (!record || record.name !== name) return undefined;
    const problem = versionRecordProblem(record, id);
    if (problem) throw new TamperedError(`memory:${id}`, problem);
    return record;
  }

  async listVersions(name: string): Promise<VersionSummary[]> {
    checkName(name);
    const byId = new Map<ContentId, VersionSummary>();
    for (const record of this.snapshots.values()) {
      if (record.name === name) byId.set(record.id, summarize(record));
    }
    for (const publication of this.state.publications(name)) {
      const record = this.publishedRecord(publication)!;
      byId.set(
        record.id,
        summarize(byId.has(record.id) ? this.snapshots.get(record.id)! : record, publication),
      );
    }
    return newestFirst([...byId.values()]);
  }

  async findVersions(name: string, idPrefix: string): Promise<VersionSummary[]> {
    checkName(name);
    checkVersionIdPrefix(idPrefix);
    return (await this.listVersions(name)).filter((v) => v.id.startsWith(idPrefix));
  }

  async listWorkflows(): Promise<string[]> {
    const names = new Set(this.state.workflows());
    for (const record of this.snapshots.values()) names.add(record.name);
    return [...names].sort();
  }

  async pruneSnapshots(name: string, keep: number): Promise<ContentId[]> {
    checkName(name);
    const published = new Set(this.state.publications(name).map((p) => p.version));
    const snapshots = [...this.snapshots.values()].filter(
      (record) => record.name === name && !published.has(record.id),
    );
    const removed = await snapshotsToPrune(snapshots, keep, async (id) =>
      [...this.runs.values()].some((run) => {
        const started = run.events[0];
        return started?.type === 'run-started' && started.header.version.id === id;
      }),
    );
    if (removed.length > 0) {
      this.appendLocal({ workflow: name, removed, at: new Date().toISOString() });
    }
    for (const id of removed) this.snapshots.delete(id);
    return removed;
  }

  async publish(request: PublishRequest): Promise<{ publication: Publication; created: boolean }> {
    checkDraft(request.version);
    const draft = makeVersionRecord(request.version);
    const existing = this.state.publicationOfVersion(draft.id);
    if (existing) return { publication: existing, created: false };
    const record = this.snapshots.get(draft.id) ?? draft;
    const entry = this.state.nextPublication(record, request);
    this.entries.push(entry);
    this.state.apply(entry, this.entries.length);
    return { publication: this.state.publicationOfVersion(record.id)!, created: true };
  }

  async changeChannel(request: ChannelChangeRequest): Promise<ChannelState> {
    // One process, one event loop: nothing else can append between the check and the push.
    const entry = this.state.nextChannelChange(request);
    this.entries.push(entry);
    this.state.apply(entry, this.entries.length);
    return this.state.channel(request.workflow, request.channel)!;
  }

  async getChannel(workflow: string, channel: string): Promise<ChannelState | undefined> {
    checkName(workflow);
    return this.state.channel(workflow, channel);
  }

  async listChannels(workflow: string): Promise<ChannelState[]> {
    checkName(workflow);
    return this.state.channels(workflow);
  }

  async listPublications(name: string): Promise<Publication[]> {
    checkName(name);
    return this.state.publications(name);
  }

  async readControlLog(): Promise<ControlEntry[]> {
    this.entries.forEach((entry, i) => {
      const problem = controlEntryProblem(entry);
      if (problem) throw new TamperedError(`memory:control log:${i + 1}`, problem);
    });
    return [...this.entries];
  }

  async verify(): Promise<VerifyReport> {
    const problems: VerifyProblem[] = [];
    const check = new ControlState();
    this.entries.forEach((entry, i) => {
      const hashProblem = entryHashProblem(entry);
      if (hashProblem)
        problems.push({
          severity: 'error',
          where: 'control log',
          line: i + 1,
          message: hashProblem,
        });
      const recordProblem =
        entry.type === 'publish' ? versionRecordProblem(entry.record, entry.version) : undefined;
      if (recordProblem)
        problems.push({
          severity: 'error',
          where: 'control log',
          line: i + 1,
          message: recordProblem,
        });
      check.apply(entry, i + 1);
    });
    problems.push(...check.problems('control log'));
    for (const [id, record] of this.snapshots) {
      const problem = versionRecordProblem(record, id);
      if (problem) problems.push({ severity: 'error', where: `snapshot ${id}`, message: problem });
    }
    for (const problem of localLogProblems(parseLocalLog(this.localText))) {
      problems.push({
        severity: 'error',
        where: 'local log',
        line: problem.line,
        message: problem.message,
      });
    }
    for (const [id, data] of this.blobs) {
      if (sha256(data) !== id)
        problems.push({
          severity: 'error',
          where: `blob ${id}`,
          message: 'content does not match its id',
        });
    }
    return {
      ok: !problems.some((p) => p.severity === 'error'),
      checked: {
        versions: new Set([
          ...this.snapshots.keys(),
          ...this.entries.flatMap((e) => (e.type === 'publish' ? [e.version] : [])),
        ]).size,
        entries: this.entries.length,
        blobs: this.blobs.size,
      },
      problems,
    };
  }

  async createRun(header: RunHeader): Promise<RunWriter> {
    checkHeader(header);
    if (this.runs.has(header.id))
      throw new StoreError('duplicate-run', `run ${header.id} already exists`);
    // Events are copied as JSON: what a reader gets is what a file would hold.
    const run = { events: [copy<RunEvent>({ type: 'run-started', header })], open: true };
    this.runs.set(header.id, run);
    return {
      id: header.id,
      append: async (event) => {
        if (!run.open) throw new StoreError('closed-run', `run ${header.id} is closed`);
        run.events.push(copy(event));
      },
      sync: async () => {},
      close: async () => {
        run.open = false;
      },
    };
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    checkRunId(id);
    const run = this.runs.get(id);
    return run ? foldRun(run.events, run.open) : undefined;
  }

  async listRuns(query: RunQuery = {}): Promise<RunSummary[]> {
    checkQuery(query);
    return filterRuns(this.summaries(), query);
  }

  async runCountsByVersion(workflow: string): Promise<Map<ContentId, number>> {
    checkName(workflow);
    return countByVersion(this.summaries(), workflow);
  }

  async findRunIds(prefix: string): Promise<string[]> {
    checkRunIdPrefix(prefix);
    return [...this.runs.keys()].filter((id) => id.startsWith(prefix)).sort();
  }

  async pinRun(pin: Omit<PinEntry, 'type'>): Promise<void> {
    checkRunId(pin.run);
    if (!this.runs.has(pin.run)) throw unknownRun(pin.run);
    this.appendLocal({ type: 'pin', ...pin });
  }

  async unpinRun(unpin: { run: string; actor: string; at: string }): Promise<void> {
    checkRunId(unpin.run);
    if (!(await this.listPins()).has(unpin.run)) throw notPinned(unpin.run);
    this.appendLocal({ type: 'unpin', ...unpin });
  }

  async listPins(): Promise<Map<string, PinEntry>> {
    return pinsOf(parseLocalLog(this.localText));
  }

  async recordGate(gate: Omit<GateEntry, 'type'>): Promise<void> {
    this.appendLocal({ type: 'gate', ...gate });
  }

  async recordImport(entry: Omit<ImportEntry, 'type'>): Promise<void> {
    this.appendLocal({ type: 'import', ...entry });
  }

  async removeRuns(ids: readonly string[], meta: { actor: string; at: string }): Promise<string[]> {
    ids.forEach((id) => checkRunId(id));
    const removed = ids.filter((id) => this.runs.has(id));
    if (removed.length === 0) return removed;
    this.appendLocal({ type: 'prune-runs', removed, ...meta });
    for (const id of removed) this.runs.delete(id);
    return removed;
  }

  async readLocalLog(): Promise<LocalLogLine[]> {
    return parseLocalLog(this.localText);
  }

  private appendLocal(entry: LocalEntry): void {
    const last = this.localText.trimEnd().split('\n').at(-1);
    this.localText += `${localLine(entry, last === '' ? undefined : last)}\n`;
  }

  async putBlob(data: Uint8Array): Promise<ContentId> {
    const id = sha256(data);
    if (!this.blobs.has(id)) this.blobs.set(id, new Uint8Array(data));
    return id;
  }

  async getBlob(id: ContentId): Promise<Uint8Array | undefined> {
    checkVersionId(id);
    const data = this.blobs.get(id);
    if (data && sha256(data) !== id)
      throw new TamperedError(`memory:${id}`, 'content does not match its id');
    return data ? new Uint8Array(data) : undefined;
  }

  async close(): Promise<void> {}

  private publishedRecord(publication: Publication): VersionRecord | undefined {
    const entry = this.entries[publication.entry - 1];
    return entry?.type === 'publish' ? entry.record : undefined;
  }

  private summaries(): RunSummary[] {
    const summaries: RunSummary[] = [];
    for (const run of this.runs.values()) {
      const record = foldRun(run.events, run.open);
      if (record) summaries.push(summarizeRun(record));
    }
    return summaries;
  }
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
