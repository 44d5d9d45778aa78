/**
 * Run journals as files: one JSON event per line in `local/runs/<day>/<run-id>.jsonl`, appended
 * with write() as the run proceeds (so a killed runner loses nothing already appended) and synced
 * when the runner asks (run end, before an irreversible effect).
 *
 * A journal without `run-finished` is running while its writer lives: the writer refreshes the
 * file's modification time every few seconds, and on the writer's own machine its process id must
 * still exist. Otherwise the run was interrupted.
 */
import { closeSync, open, openSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreError, TamperedError } from '../../../model/errors.js';
import { foldRun, summarizeRun } from '../../../store/fold-run.js';
import type { RunEvent, RunHeader, RunRecord, RunSummary } from '../../../model/runs.js';
import type { RunWriter } from '../../../store/store.js';
import { ensureDirectory, SharedFolderSyncs } from './atomic-file.js';
import { within } from './layout.js';
import { NEWLINE, readToEnd } from './journal-bytes.js';
import { FileRunWriter } from './journal-writer.js';
import { listFolder } from './list-folder.js';

/** How long a journal without a heartbeat (see `HEARTBEAT_MS`) counts as live. */
const STALE_MS = 20_000;

/** A folder of run journals: the UTC day its runs started on. */
export const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day a run started on, from its UUIDv7 id (the first 48 bits are the time in ms). */
export function runDay(id: string): string {
  const millis = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  if (!Number.isFinite(millis)) throw new StoreError('bad-run-id', `'${id}' is not a run id`);
  return new Date(millis).toISOString().slice(0, 10);
}

export class RunJournals {
  /**
   * Day folders this instance created or found: a new journal in one needs no `mkdir` (one per
   * run cost a thread-pool round trip). Bounded: days are few, and forgetting one only costs a
   * `mkdir`.
   */
  private readonly knownDays = new Set<string>();
  /**
   * @param root the runs folder (`local/runs`).
   * @param folderSyncs makes new journals durable in their folder, syncs shared between journals
   *   created together (see `SharedFolderSyncs`; tests pass one that fails).
   */
  constructor(
    private readonly root: string,
    private readonly folderSyncs: SharedFolderSyncs = new SharedFolderSyncs(),
  ) {}

  /** The journal file of a run. */
  file(id: string): string {
    return within(this.root, runDay(id), `${id}.jsonl`);
  }

  /**
   * Creates the journal; fails if the run exists. Its header is handed to the OS as an append
   * would be (by the end of this turn), in one write with the run's first events.
   */
  async create(header: RunHeader): Promise<RunWriter> {
    const file = this.file(header.id);
    const dir = path.dirname(file);
    if (!this.knownDays.has(dir)) await this.ensureDay(dir);
    let fd: number;
    try {
      fd = await createJournal(file, header.id);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The folder went away since this instance saw it: create it again (synced), once.
      this.knownDays.delete(dir);
      await this.ensureDay(dir);
      fd = await createJournal(file, header.id);
    }
    // The new entry survives power loss before the run is under way, as every journal's does.
    try {
      await this.folderSyncs.sync(dir);
    } catch (error) {
      closeSync(fd); // the run does not start; its empty journal reads as `starting-run`
      throw error;
    }
    return new FileRunWriter(header.id, fd, { type: 'run-started', header });
  }

  private async ensureDay(dir: string): Promise<void> {
    await ensureDirectory(dir);
    if (this.knownDays.size >= 64) this.knownDays.clear();
    this.knownDays.add(dir);
  }

  /** A run folded from its journal, or undefined when there is none. */
  read(id: string): RunRecord | undefined {
    let file: string;
    try {
      file = this.file(id);
    } catch {
      return undefined;
    }
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let events: RunEvent[];
    try {
      events = parseJournal(readToEnd(fd), file);
    } finally {
      closeSync(fd);
    }
    const header = events[0]?.type === 'run-started' ? events[0].header : undefined;
    const finished = events.some((e) => e.type === 'run-finished');
    const record = foldRun(events, !finished && header !== undefined && writerAlive(file, header));
    if (!record && events.length === 0) {
      // Created, and nothing written yet: the header goes out with the first events.
      throw new StoreError(
        'starting-run',
        `${file}: no event written yet: the run is starting now, or its process ended while starting it (then nothing was recorded, and the empty file can be deleted)`,
      );
    }
    if (!record)
      throw new TamperedError(file, 'not a run journal (it does not start with run-started)');
    return record;
  }

  /**
   * Every run id stored, newest day first (ids are time-ordered within a day). A journal outside
   * its day's folder is not a run: `read` looks for it in the right folder only.
   */
  ids(): string[] {
    const days = listFolder(this.root)
      .filter((d) => DAY_FOLDER.test(d))
      .sort()
      .reverse();
    return days.flatMap((day) =>
      journalIds(listFolder(path.join(this.root, day)), day)
        .sort()
        .reverse(),
    );
  }

  /** Summaries of every run (a full scan: the index answers queries without it). */
  summaries(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const id of this.ids()) {
      try {
        const record = this.read(id);
        if (record) out.push(summarizeRun(record));
      } catch {
        // A damaged journal is reported by `verify` and by reading it; lists skip it.
      }
    }
    return out;
  }
}

/**
 * Opens a new journal file for writing, in Node's thread pool: creating a file can wait on the
 * file system's journal while other runs sync, and the main thread has other runs to serve.
 * @throws StoreError (`duplicate-run`) when it exists; the system error otherwise.
 */
function createJournal(file: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    open(file, 'wx', (error, fd) => {
      if (!error) resolve(fd);
      else if (error.code === 'EEXIST') {
        reject(new StoreError('duplicate-run', `run ${id} already exists`));
      } else reject(error);
    });
  });
}

/**
 * Events of a journal's bytes; a partly written last line (a killed writer) is ignored. Each
 * line is decoded on its own: most lines are ASCII and then parse as one-byte strings, where
 * decoding the whole file would make every line a two-byte string as soon as one line holds a
 * character beyond Latin-1 (a secret's placeholder).
 */
export function parseJournal(bytes: Uint8Array, file: string): RunEvent[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events: RunEvent[] = [];
  // Only complete lines: what follows the last newline is '' or a line cut short.
  let start = 0;
  for (let end = buffer.indexOf(NEWLINE); end !== -1; end = buffer.indexOf(NEWLINE, start)) {
    let event: unknown;
    try {
      event = JSON.parse(buffer.toString('utf8', start, end));
    } catch {
      throw new TamperedError(
        `${file}:${events.length + 1}`,
        'not valid JSON (a damaged or hand-edited line)',
      );
    }
    const missing = missingPart(event);
    if (missing) {
      throw new TamperedError(
        `${file}:${events.length + 1}`,
        `not a run event: ${missing} (a damaged or hand-edited line)`,
      );
    }
    events.push(event as RunEvent);
    start = end + 1;
  }
  return events;
}

/**
 * What a journal line lacks of the parts folding a run reads (`fold-run.ts`), or undefined when
 * it has them. Event types this version does not know are left to the fold, which skips them.
 */
function missingPart(event: unknown): string | undefined {
  if (!isObject(event)) return 'it is not an object';
  switch (event['type']) {
    case 'run-started':
      return isObject(event['header']) ? undefined : 'run-started without its header';
    case 'step-started':
      return typeof event['path'] === 'string' ? undefined : 'step-started without its path';
    case 'step-finished': {
      const record = event['record'];
      return isObject(record) && typeof record['path'] === 'string'
        ? undefined
        : 'step-finished without its record and path';
    }
    case 'effect':
      return isObject(event['effect']) ? undefined : 'effect without its record';
    case 'run-finished':
      return typeof event['status'] === 'string' ? undefined : 'run-finished without its status';
    default:
      return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether the process writing an unfinished journal is still at it: its heartbeat is recent and,
 * on this machine, its process still exists.
 */
function writerAlive(file: string, header: RunHeader): boolean {
  let modified: number;
  try {
    modified = statSync(file).mtimeMs;
  } catch {
    return false;
  }
  return writerAliveAt(modified, header.writer);
}

/**
 * `writerAlive` for a journal last modified at `modifiedMs` (its heartbeat), written by `writer`:
 * shared with the index, which has the modification time already.
 */
export function writerAliveAt(
  modifiedMs: number,
  writer: RunHeader['writer'],
  now: number = Date.now(),
): boolean {
  if (now - modifiedMs > STALE_MS) return false;
  if (writer.host !== os.hostname()) return true;
  try {
    process.kill(writer.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The run ids among the file names of day folder `day` (journals in the right folder only). */
export function journalIds(files: readonly string[], day: string): string[] {
  const ids: string[] = [];
  for (const file of files) {
    if (!file.endsWith(JOURNAL_SUFFIX)) continue;
    const id = file.slice(0, -JOURNAL_SUFFIX.length);
    if (dayOrUndefined(id) === day) ids.push(id);
  }
  return ids;
}

function dayOrUndefined(id: string): string | undefined {
  try {
    return runDay(id);
  } catch {
    return undefined;
  }
}

const JOURNAL_SUFFIX = '.jsonl';
