/**
 * The file-system store: append-only, content-addressed files in a `.lockstep` folder.
 *
 * - Snapshots: one write-once JSON file per version under `local/versions/<name>/`.
 * - Publications: lines of the hash-chained `control.jsonl`, each embedding its version record,
 *   appended under a cross-process lock and synced (one fdatasync per publish).
 * - Blobs: write-once files under `local/blobs/`, named by their sha256.
 * - Runs: one journal per run under `local/runs/<day>/` (run-journals.ts). History queries are
 *   answered by the index (`local/index.sqlite`, core/src/node/store/index/): a cache that a worker
 *   thread keeps up to date with the files, and that writers never touch.
 *
 * Nothing is ever rewritten. The only change to existing bytes is cutting off a partial last line
 * of the control log that a killed writer left (it was never acknowledged), after copying it to
 * `local/quarantine/`.
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
} from '../../store/argument-checks.js';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { StoreError, TamperedError } from '../../model/errors.js';
import { isContentId, type ContentId } from '../../model/content-id.js';
import { sha256 } from '../../hash/canonical.js';
import { ControlState } from '../../store/control-state.js';
import {
  localLogProblems,
  pinsOf,
  type LocalLogLine,
  type GateEntry,
  type ImportEntry,
  type PinEntry,
} from '../../store/local-log.js';
import { notPinned, unknownRun } from '../../store/pin-errors.js';
import type { ChannelChangeRequest, ChannelState } from '../../store/channel-records.js';
import { countByVersion, filterRuns, newestFirst } from '../../store/listing.js';
import { snapshotsToPrune } from '../../store/retention.js';
import type { RunHeader, RunRecord, RunSummary } from '../../model/runs.js';
import { RunJournals } from './files/run-journals.js';
import { StoreIndex } from './index/store-index.js';
import {
  controlEntryProblem,
  entryHashProblem,
  makeVersionRecord,
  publicationOf,
  summarize,
  versionRecordProblem,
  type ControlEntry,
  type Publication,
  type PublishRequest,
  type VersionDraft,
  type VersionRecord,
  type VersionSummary,
} from '../../store/records.js';
import type {
  RunQuery,
  RunWriter,
  Store,
  StoreInfo,
  VerifyProblem,
  VerifyReport,
} from '../../store/store.js';
import { writeFileOnce } from './files/atomic-file.js';
import {
  ControlLogFile,
  formatLogLine,
  parseLogLine,
  parseLogLineHead,
  readWholeLog,
  type LogLine,
  type LogTail,
} from './files/control-log-file.js';
import {
  blobPath,
  hexOf,
  snapshotDir,
  snapshotPath,
  storeLayout,
  TEMP_PREFIX,
  type StoreLayout,
} from './files/layout.js';
import { withLock } from './files/lock.js';
import { readCheckpoint, writeCheckpoint } from './files/control-checkpoint.js';
import { EntryLines } from './entry-lines.js';
import { appendLocal, pruneLogPath, readLocalLog } from './files/prune-log.js';
import { checkStoreFormat, createStoreFiles } from './files/store-format.js';

/** Entries folded in past the checkpoint before a new one is written. */
const CHECKPOINT_EVERY = 128;

export interface OpenFsStoreOptions {
  /** Create the folder and its format file when missing (commands that write). Default false. */
  readonly create?: boolean;
}

/**
 * Opens the store in a `.lockstep` folder.
 * @throws StoreError when the folder does not exist and `create` is false.
 * @throws StoreFormatError when the store was written by a newer Lockstep, or its format file is
 *   damaged.
 */
export async function openFsStore(
  root: string,
  options: OpenFsStoreOptions = {},
): Promise<FsStore> {
  const layout = storeLayout(path.resolve(root));
  const format = await checkStoreFormat(layout, options.create ?? false);
  const store = new FsStore(layout, format);
  await store.catchUp();
  return store;
}

export class FsStore implements Store {
  readonly info: StoreInfo;
  private readonly log: ControlLogFile;
  private state = new ControlState();
  /** Where each entry's line is, by entry index (the first line wins if an index repeats). */
  private lines = new EntryLines();
  /** Entries folded in since the checkpoint was read or written (or since the start). */
  private sinceCheckpoint = 0;
  /** Whether the checkpoint was looked at (on the first read of the log). */
  private checkpointTried = false;
  private tail: LogTail | undefined;
  private writable = false;
  private readonly runs: RunJournals;
  /** History queries: answered by the index worker, started on the first one. */
  readonly index: StoreIndex;
  /** The last line known to hash correctly (see `checkHeadIntact`). */
  private trustedHead: LogLine | undefined;
  /** The last queued access to the control log (see `exclusive`). */
  private logQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly layout: StoreLayout,
    format: number,
  ) {
    this.info = { location: layout.root, format };
    this.log = new ControlLogFile(layout.controlLog, layout.controlIndex);
    this.runs = new RunJournals(layout.runs);
    this.index = new StoreIndex({
      runs: layout.runs,
      snapshots: layout.snapshots,
      controlLog: layout.controlLog,
      index: layout.index,
      newestRuns: layout.newestRuns,
    });
  }

  /**
   * Reads what other processes appended to the control log since the last look, and saves a
   * checkpoint of the folded state when it has moved on far enough from the last one.
   */
  async catchUp(): Promise<void> {
    return this.exclusive(async () => {
      this.readDelta();
      this.saveCheckpointIfBehind();
    });
  }

  private readDelta(): void {
    if (!this.checkpointTried) {
      this.checkpointTried = true;
      this.restoreCheckpoint();
    }
    const delta = this.log.readNew();
    if (delta.reset) {
      this.state = new ControlState();
      this.lines = new EntryLines();
      this.sinceCheckpoint = 0;
    }
    for (const line of delta.lines) this.applyLine(line);
    this.tail = delta.tail;
  }

  /** Starts from the checkpoint when the log still holds what it was made from. */
  private restoreCheckpoint(): void {
    const checkpoint = readCheckpoint(this.layout.controlCheckpoint, (entries) =>
      this.publicationsFromLog(entries),
    );
    if (!checkpoint || !this.log.resumeAt(checkpoint.position)) return;
    this.state = new ControlState({
      state: checkpoint.state,
      publications: checkpoint.publications,
    });
    this.lines = new EntryLines(checkpoint.places);
  }

  /**
   * Writes a checkpoint once enough entries were folded in since the last one: an open then reads
   * at most that many lines past it, and a store that publishes often is not rewritten at every
   * publish. Not under the lock: it is a cache, and a failed or skipped write is tried again
   * after as many entries.
   */
  private saveCheckpointIfBehind(): void {
    if (this.sinceCheckpoint < CHECKPOINT_EVERY || this.tail) return;
    const position = this.log.position();
    if (position) {
      writeCheckpoint(this.layout.controlCheckpoint, position, this.state, (entry) =>
        this.lines.get(entry)!,
      );
    }
    this.sinceCheckpoint = 0;
  }

  /** Publications read from their log lines (a damaged checkpoint section's replacement). */
  private publicationsFromLog(entries: readonly number[]): Publication[] {
    this.sinceCheckpoint = CHECKPOINT_EVERY; // written again at the next catch-up
    return entries.map((index) => {
      const line = this.lines.get(index);
      const head = line && parseLogLineHead(this.log.readLineBytes(line.offset, line.length)).entry;
      if (head?.type !== 'publish' || head.index !== index) {
        throw new TamperedError(
          this.layout.controlCheckpoint,
          `it places entry ${index} where ${this.layout.controlLog} holds another line. Delete it: it is written again from the log`,
        );
      }
      return publicationOf(head);
    });
  }

  async saveVersion(draft: VersionDraft): Promise<{ version: VersionRecord; created: boolean }> {
    checkDraft(draft);
    const record = makeVersionRecord(draft);
    const existing = await this.getVersion(record.name, record.id);
    if (existing) return { version: existing, created: false };
    await this.ensureWritable();
    const file = snapshotPath(this.layout, record.name, record.id);
    if (await writeFileOnce(file, `${JSON.stringify(record, null, 2)}\n`)) {
      return { version: record, created: true };
    }
    // Another process stored the same content a moment ago: theirs is the version.
    return { version: this.readSnapshotSync(record.name, record.id)!, created: false };
  }

  async getVersion(name: string, id: ContentId): Promise<VersionRecord | undefined> {
    checkName(name);
    checkVersionId(id);
    await this.catchUp();
    const publication = this.state.publicationOfVersion(id);
    if (publication?.workflow === name) return this.readPublishedRecord(publication);
    return this.readSnapshotSync(name, id);
  }

  async listVersions(name: string): Promise<VersionSummary[]> {
    checkName(name);
    await this.catchUp();
    const byId = new Map<ContentId, VersionSummary>();
    for (const id of await this.snapshotIds(name)) {
      const record = this.readSnapshotSync(name, id);
      if (record) byId.set(id, summarize(record));
    }
    for (const publication of this.state.publications(name)) {
      const record = await this.readPublishedRecord(publication);
      byId.set(record.id, summarize(record, publication));
    }
    return newestFirst([...byId.values()]);
  }

  async findVersions(name: string, idPrefix: string): Promise<VersionSummary[]> {
    checkName(name);
    checkVersionIdPrefix(idPrefix);
    await this.catchUp();
    const ids = new Set((await this.snapshotIds(name)).filter((id) => id.startsWith(idPrefix)));
    for (const publication of this.state.publications(name)) {
      if (publication.version.startsWith(idPrefix)) ids.add(publication.version);
    }
    const found: VersionSummary[] = [];
    for (const id of ids) {
      const publication = this.state.publicationOfVersion(id);
      const record =
        publication?.workflow === name
          ? await this.readPublishedRecord(publication)
          : this.readSnapshotSync(name, id);
      if (record) found.push(summarize(record, publication));
    }
    return newestFirst(found);
  }

  async listWorkflows(): Promise<string[]> {
    await this.catchUp();
    const names = new Set(this.state.workflows());
    for (const entry of await readdirIfExists(this.layout.snapshots)) {
      if (!entry.startsWith('.')) names.add(entry);
    }
    return [...names].sort();
  }

  async pruneSnapshots(name: string, keep: number): Promise<ContentId[]> {
    checkName(name);
    await this.catchUp();
    const published = new Set(this.state.publications(name).map((p) => p.version));
    const snapshots: { id: ContentId; createdAt: string }[] = [];
    for (const id of await this.snapshotIds(name)) {
      if (published.has(id)) continue;
      const record = this.readSnapshotSync(name, id);
      if (record) snapshots.push({ id, createdAt: record.createdAt });
    }
    const removed = await snapshotsToPrune(
      snapshots,
      keep,
      async (id) => (await this.listRuns({ workflow: name, version: id, limit: 1 })).length > 0,
    );
    if (removed.length === 0) return removed;
    // The prune is logged before the files go, so the log never misses one.
    await appendLocal(this.layout, { workflow: name, removed, at: new Date().toISOString() });
    for (const id of removed) await rm(snapshotPath(this.layout, name, id), { force: true });
    return removed;
  }

  async publish(request: PublishRequest): Promise<{ publication: Publication; created: boolean }> {
    checkDraft(request.version);
    const draft = makeVersionRecord(request.version);
    await this.ensureWritable();
    return withLock(this.layout.formatFile, this.layout.controlLock, () =>
      this.exclusive(() => this.publishLocked(draft, request)),
    );
  }

  /**
   * The part of publishing that runs under the cross-process lock. Apart from setting aside a
   * partial last line (rare), it is synchronous: every step is a small local file operation, and
   * the lock is held for less time without hand-offs to Node's thread pool.
   */
  private async publishLocked(
    draft: VersionRecord,
    request: PublishRequest,
  ): Promise<{ publication: Publication; created: boolean }> {
    await this.prepareAppend();
    const existing = this.state.publicationOfVersion(draft.id);
    if (existing) return { publication: existing, created: false };
    this.refuseBrokenChain('Nothing was published');
    // The first-seen record (from a snapshot) keeps its original time and author.
    const record = this.readSnapshotSync(draft.name, draft.id) ?? draft;
    this.appendEntry(this.state.nextPublication(record, request));
    return { publication: this.state.publicationOfVersion(record.id)!, created: true };
  }

  async changeChannel(request: ChannelChangeRequest): Promise<ChannelState> {
    await this.ensureWritable();
    return withLock(this.layout.formatFile, this.layout.controlLock, () =>
      this.exclusive(async () => {
        await this.prepareAppend();
        this.refuseBrokenChain('The channel was not changed');
        // Checked against the state just caught up with, under the lock: compare and swap.
        this.appendEntry(this.state.nextChannelChange(request));
        return this.state.channel(request.workflow, request.channel)!;
      }),
    );
  }

  async getChannel(workflow: string, channel: string): Promise<ChannelState | undefined> {
    checkName(workflow);
    await this.catchUp();
    return this.state.channel(workflow, channel);
  }

  async listChannels(workflow: string): Promise<ChannelState[]> {
    checkName(workflow);
    await this.catchUp();
    return this.state.channels(workflow);
  }

  /** Catches up under the lock and settles a partial last line, before an append. */
  private async prepareAppend(): Promise<void> {
    this.readDelta();
    if (this.tail) await this.settleTail(this.tail);
  }

  /** Refuses to extend a log whose chain is broken or whose last entry was edited. */
  private refuseBrokenChain(nothingDone: string): void {
    const broken = this.state.chainBreaks[0];
    if (broken) {
      throw new StoreError(
        'broken-control-log',
        `${this.layout.controlLog}:${broken.line}: ${broken.message}. ${nothingDone}; run \`lockstep verify\` and repair the log from git history first`,
      );
    }
    this.checkHeadIntact(nothingDone);
  }

  /** Appends (synced) and folds in an entry sealed against the current head. */
  private appendEntry(entry: ControlEntry): void {
    const written = this.log.append(formatLogLine(entry));
    this.applyLine(written);
    this.trustedHead = written;
  }

  /**
   * Runs `work` once every earlier control-log access of this instance has finished. The
   * incremental reader and the state folded from it must not be updated by two overlapping calls
   * (a read during another call's append would apply the same lines twice and lose its place).
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.logQueue.then(work);
    this.logQueue = result.catch(() => undefined);
    return result;
  }

  async listPublications(name: string): Promise<Publication[]> {
    checkName(name);
    await this.catchUp();
    return this.state.publications(name);
  }

  async readControlLog(): Promise<ControlEntry[]> {
    await this.catchUp();
    const entries: ControlEntry[] = [];
    for (const line of this.lines.inLogOrder()) {
      entries.push(this.readCheckedEntry(line));
    }
    return entries;
  }

  async verify(): Promise<VerifyReport> {
    return verifyFsStore(this.layout);
  }

  async createRun(header: RunHeader): Promise<RunWriter> {
    checkHeader(header);
    await this.ensureWritable();
    return this.runs.create(header);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    checkRunId(id);
    return this.runs.read(id);
  }

  async listRuns(query: RunQuery = {}): Promise<RunSummary[]> {
    checkQuery(query);
    try {
      return await this.index.listRuns(query);
    } catch {
      // The index is a cache: without it (no worker, no sql.js) the journals answer, slowly.
      return filterRuns(this.runs.summaries(), query);
    }
  }

  async runCountsByVersion(workflow: string): Promise<Map<ContentId, number>> {
    checkName(workflow);
    try {
      return await this.index.runCounts(workflow);
    } catch {
      return countByVersion(this.runs.summaries(), workflow);
    }
  }

  async findRunIds(prefix: string): Promise<string[]> {
    checkRunIdPrefix(prefix);
    try {
      return await this.index.findRunIds(prefix);
    } catch {
      return this.runs
        .ids()
        .filter((id) => id.startsWith(prefix))
        .sort();
    }
  }

  async pinRun(pin: Omit<PinEntry, 'type'>): Promise<void> {
    checkRunId(pin.run);
    if (!(await this.runs.read(pin.run))) throw unknownRun(pin.run);
    await this.ensureWritable();
    await appendLocal(this.layout, { type: 'pin', ...pin });
  }

  async unpinRun(unpin: { run: string; actor: string; at: string }): Promise<void> {
    checkRunId(unpin.run);
    if (!(await this.listPins()).has(unpin.run)) throw notPinned(unpin.run);
    await appendLocal(this.layout, { type: 'unpin', ...unpin });
  }

  async listPins(): Promise<Map<string, PinEntry>> {
    return pinsOf(await readLocalLog(this.layout));
  }

  async recordGate(gate: Omit<GateEntry, 'type'>): Promise<void> {
    await this.ensureWritable();
    await appendLocal(this.layout, { type: 'gate', ...gate });
  }

  async recordImport(entry: Omit<ImportEntry, 'type'>): Promise<void> {
    await this.ensureWritable();
    await appendLocal(this.layout, { type: 'import', ...entry });
  }

  async removeRuns(ids: readonly string[], meta: { actor: string; at: string }): Promise<string[]> {
    ids.forEach((id) => checkRunId(id));
    const removed = ids.filter((id) => this.runs.ids().includes(id));
    if (removed.length === 0) return removed;
    // Logged before the files go, so the log never misses a removal.
    await appendLocal(this.layout, { type: 'prune-runs', removed, ...meta });
    for (const id of removed) await rm(this.runs.file(id), { force: true });
    return removed;
  }

  async readLocalLog(): Promise<LocalLogLine[]> {
    return readLocalLog(this.layout);
  }

  async putBlob(data: Uint8Array): Promise<ContentId> {
    const id = sha256(data);
    await this.ensureWritable();
    await writeFileOnce(blobPath(this.layout, id), data);
    return id;
  }

  async getBlob(id: ContentId): Promise<Uint8Array | undefined> {
    checkVersionId(id);
    const file = blobPath(this.layout, id);
    const data = await readIfExists(file);
    if (data === undefined) return undefined;
    if (sha256(data) !== id) throw new TamperedError(file, `its content does not hash to ${id}`);
    return new Uint8Array(data);
  }

  /** Writes the index file if it is behind and stops its worker. */
  async close(): Promise<void> {
    await this.index.close();
  }

  private applyLine(line: LogLine): void {
    this.sinceCheckpoint++;
    if (line.entry) {
      this.state.apply(line.entry, line.line);
      this.lines.addFirst(line.entry.index, line);
    } else {
      this.state.addUnreadable(line.line, line.error ?? 'unreadable line');
    }
  }

  /**
   * Deals with bytes after the last newline before appending: a complete entry that links to the
   * chain (a hand edit that lost the final newline) is kept and terminated; anything else is an
   * append that was cut short and never acknowledged, so it is copied to quarantine and cut off.
   */
  private async settleTail(tail: LogTail): Promise<void> {
    const { entry } = parseLogLine(tail.bytes.toString('utf8'));
    if (
      entry &&
      entry.index === this.state.lastIndex + 1 &&
      entry.prev === this.state.lastHash &&
      entryHashProblem(entry) === undefined
    ) {
      this.applyLine(this.log.terminateTail(tail));
    } else {
      const kept = path.join(this.layout.quarantine, `control.jsonl.${Date.now()}.partial`);
      await writeFileOnce(kept, tail.bytes);
      this.log.truncateTo(tail.offset);
    }
    this.tail = undefined;
  }

  /** Refuses to extend a chain whose last entry was edited (its hash no longer matches). */
  private checkHeadIntact(nothingDone: string): void {
    const head = this.lines.get(this.state.lastIndex);
    // A head this instance wrote or already checked needs no new hash: catching up compares the
    // last line's bytes with the file every time, so an edit since would have been noticed.
    if (!head || head === this.trustedHead) return;
    const entry = this.readEntry(head);
    const problem = entryHashProblem(entry);
    if (problem) {
      throw new StoreError(
        'broken-control-log',
        `${this.layout.controlLog}:${head.line}: the last entry was changed (${problem}). ${nothingDone}; restore the log from git history`,
      );
    }
    this.trustedHead = head;
  }

  private readEntry(line: LogLine): ControlEntry {
    const text = this.log.readLine(line.offset, line.length);
    const { entry, error } = parseLogLine(text);
    if (!entry)
      throw new TamperedError(`${this.layout.controlLog}:${line.line}`, error ?? 'unreadable');
    return entry;
  }

  private async readPublishedRecord(publication: Publication): Promise<VersionRecord> {
    const entry = this.readCheckedEntry(this.lines.get(publication.entry)!);
    const record = entry.type === 'publish' ? entry.record : undefined;
    if (record?.id !== publication.version) {
      throw new TamperedError(
        this.layout.controlLog,
        `entry ${publication.entry} no longer holds ${publication.version}`,
      );
    }
    return record!;
  }

  /**
   * A whole entry, checked: its hash and its embedded record's hashes must match its content.
   * @throws TamperedError naming the log's file and line.
   */
  private readCheckedEntry(line: LogLine): ControlEntry {
    const entry = this.readEntry(line);
    const problem = controlEntryProblem(entry);
    if (problem) throw new TamperedError(`${this.layout.controlLog}:${line.line}`, problem);
    return entry;
  }

  /** A snapshot's record, checked against its hashes (a small local file: read synchronously). */
  private readSnapshotSync(name: string, id: ContentId): VersionRecord | undefined {
    const file = snapshotPath(this.layout, name, id);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let record: unknown;
    try {
      record = JSON.parse(data.toString('utf8'));
    } catch {
      throw new TamperedError(file, 'not valid JSON');
    }
    const problem = versionRecordProblem(record, id);
    if (problem) throw new TamperedError(file, problem);
    return record as VersionRecord;
  }

  private async snapshotIds(name: string): Promise<ContentId[]> {
    return (await readdirIfExists(snapshotDir(this.layout, name)))
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .map((f) => `sha256:${f.slice(0, -'.json'.length)}`)
      .filter(isContentId);
  }

  /** Writes the format file and `.gitignore` if a read-only open found them missing. */
  private async ensureWritable(): Promise<void> {
    if (this.writable) return;
    await createStoreFiles(this.layout);
    this.writable = true;
  }
}

/** Checks every file of a store without changing any. */
export async function verifyFsStore(layout: StoreLayout): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  let entries = 0;
  let blobs = 0;

  // The control log, read afresh: every hash recomputed, the chain followed line by line.
  const ids = new Set<string>();
  const log = readWholeLog(layout.controlLog);
  const chain = new ControlState();
  for (const line of log.lines) {
    const entry = line.entry;
    if (!entry) {
      chain.addUnreadable(line.line, line.error ?? 'unreadable line');
      continue;
    }
    entries++;
    if (entry.type === 'publish') ids.add(entry.version);
    const problem = controlEntryProblem(entry);
    if (problem) {
      problems.push({
        severity: 'error',
        where: layout.controlLog,
        line: line.line,
        message: problem,
      });
    }
    chain.apply(entry, line.line);
  }
  problems.push(...chain.problems(layout.controlLog));
  if (log.tail) {
    problems.push({
      severity: 'warning',
      where: layout.controlLog,
      line: (log.lines.at(-1)?.line ?? 0) + 1,
      message: `the last line is incomplete (${log.tail.bytes.length} bytes: an interrupted write); the next publish sets it aside in local/quarantine`,
    });
  }

  for (const name of await readdirIfExists(layout.snapshots)) {
    if (name.startsWith(TEMP_PREFIX)) continue;
    for (const file of await readdirIfExists(path.join(layout.snapshots, name))) {
      const full = path.join(layout.snapshots, name, file);
      if (file.startsWith(TEMP_PREFIX)) {
        problems.push(leftoverTempFile(full));
        continue;
      }
      const id = `sha256:${file.replace(/\.json$/, '')}` as ContentId;
      ids.add(id);
      let record: unknown;
      try {
        record = JSON.parse(await readFile(full, 'utf8'));
      } catch {
        problems.push({ severity: 'error', where: full, message: 'not valid JSON' });
        continue;
      }
      const problem = isContentId(id)
        ? versionRecordProblem(record, id)
        : 'the file name is not a content id';
      if (problem) problems.push({ severity: 'error', where: full, message: problem });
      else if ((record as VersionRecord).name !== name) {
        problems.push({
          severity: 'error',
          where: full,
          message: `it holds a version of '${(record as VersionRecord).name}', not of '${name}'`,
        });
      }
    }
  }

  const local = pruneLogPath(layout);
  for (const problem of localLogProblems(await readLocalLog(layout))) {
    problems.push({
      severity: 'error',
      where: local,
      line: problem.line,
      message: problem.message,
    });
  }

  for (const prefix of await readdirIfExists(layout.blobs)) {
    for (const file of await readdirIfExists(path.join(layout.blobs, prefix))) {
      const full = path.join(layout.blobs, prefix, file);
      if (file.startsWith(TEMP_PREFIX)) {
        problems.push(leftoverTempFile(full));
        continue;
      }
      blobs++;
      const id = `sha256:${prefix}${file}` as ContentId;
      if (sha256(await readFile(full)) !== id) {
        problems.push({
          severity: 'error',
          where: full,
          message: `its content does not hash to ${hexOf(id)}`,
        });
      }
    }
  }

  return {
    ok: !problems.some((p) => p.severity === 'error'),
    checked: { versions: ids.size, entries, blobs },
    problems,
  };
}

/** A temporary file a killed writer left behind: harmless, reported so it can be cleaned up. */
function leftoverTempFile(file: string): VerifyProblem {
  return {
    severity: 'warning',
    where: file,
    message: 'a temporary file left by an interrupted write; safe to delete',
  };
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readdirIfExists(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
