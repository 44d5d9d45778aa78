/**
 * Run journals as files: one JSON event per line in `local/runs/<day>/<run-id>.jsonl`, appended
 * with write() as the run proceeds (so a killed runner loses nothing already appended) and synced
 * when the runner asks (run end, before an irreversible effect).
 *
 * A journal without `run-finished` is running while its writer lives: the writer refreshes the
 * file's modification time every few seconds, and on the writer's own machine its process id must
 * still exist. Otherwise the run was interrupted.
 */
import {
  closeSync,
  fdatasync,
  futimesSync,
  open,
  readdirSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreError, TamperedError } from '../../errors.js';
import { foldRun, summarizeRun } from '../../runs/fold-run.js';
import type { RunEvent, RunHeader, RunRecord, RunSummary } from '../../runs/run-types.js';
import type { RunWriter } from '../../store/store.js';
import { ensureDirectory, SharedFolderSyncs } from './atomic-file.js';

/** How often a writer proves it is alive, and how long a silent journal counts as live. */
const HEARTBEAT_MS = 5_000;
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
  /** New journals made durable in their folder by shared folder syncs (see `SharedFolderSyncs`). */
  private readonly folderSyncs = new SharedFolderSyncs();

  constructor(private readonly root: string) {}

  /** The journal file of a run. */
  file(id: string): string {
    return path.join(this.root, runDay(id), `${id}.jsonl`);
  }

  /** Creates the journal with its header; fails if the run exists. */
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
    await this.folderSyncs.sync(dir);
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
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const events = parseJournal(text, file);
    const header = events[0]?.type === 'run-started' ? events[0].header : undefined;
    const finished = events.some((e) => e.type === 'run-finished');
    const record = foldRun(events, !finished && header !== undefined && writerAlive(file, header));
    if (!record)
      throw new TamperedError(file, 'not a run journal (it does not start with run-started)');
    return record;
  }

  /**
   * Every run id stored, newest day first (ids are time-ordered within a day). A journal outside
   * its day's folder is not a run: `read` looks for it in the right folder only.
   */
  ids(): string[] {
    const days = readdirIfExists(this.root)
      .filter((d) => DAY_FOLDER.test(d))
      .sort()
      .reverse();
    return days.flatMap((day) =>
      journalIds(readdirIfExists(path.join(this.root, day)), day)
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
 * Appends to one journal. Events appended while the process runs through its current batch of
 * callbacks (the microtasks of one turn) go out in one write(), issued before the event loop
 * moves on to any I/O, timer or other callback; `sync` and `close` write what is pending first.
 * A run answered at once (a replay) thus costs one write() instead of one per event, and nothing
 * outside the process can observe the difference.
 */
class FileRunWriter implements RunWriter {
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  /** Lines appended and not yet written, and the appends waiting for them. */
  private pending = '';
  private batch: { readonly settled: Promise<void>; settle: (error?: unknown) => void } | undefined;

  constructor(
    readonly id: string,
    private readonly fd: number,
    first: RunEvent,
  ) {
    this.write(`${JSON.stringify(first)}\n`);
    this.heartbeat = setInterval(() => {
      try {
        const now = new Date();
        futimesSync(this.fd, now, now);
      } catch {
        // The next append or the close reports a real problem with the file.
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Resolves once the event is written (handed to the OS), in order with every other append. */
  append(event: RunEvent): Promise<void> {
    if (this.closed)
      return Promise.reject(new StoreError('closed-run', `run ${this.id} is closed`));
    let line: string;
    try {
      line = `${JSON.stringify(event)}\n`;
    } catch (error) {
      return Promise.reject(error as Error); // not JSON (a cycle, a BigInt): this append fails
    }
    this.pending += line;
    if (!this.batch) {
      let settle!: (error?: unknown) => void;
      const settled = new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
      });
      this.batch = { settled, settle };
      // After the current microtasks, before the event loop continues.
      process.nextTick(() => this.writePending());
    }
    return this.batch.settled;
  }

  sync(): Promise<void> {
    const failure = this.writePending();
    if (failure !== undefined) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      fdatasync(this.fd, (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    try {
      await this.sync();
    } finally {
      closeSync(this.fd);
    }
  }

  /** Writes the pending lines, settling their appends; returns the error if the write failed. */
  private writePending(): unknown {
    const batch = this.batch;
    if (!batch) return undefined;
    this.batch = undefined;
    const text = this.pending;
    this.pending = '';
    try {
      this.write(text);
    } catch (error) {
      batch.settle(error);
      return error;
    }
    batch.settle();
    return undefined;
  }

  private write(text: string): void {
    // Whole lines only: a killed process leaves at most a cut last line, which readers ignore.
    // The text goes out as it is (no Buffer on the heap); the rare short write, as bytes.
    const written = writeSync(this.fd, text, null, 'utf8');
    const length = Buffer.byteLength(text, 'utf8');
    if (written === length) return;
    const bytes = Buffer.from(text, 'utf8');
    let done = written;
    while (done < length) done += writeSync(this.fd, bytes, done, length - done);
  }
}

/** Events of a journal; a partly written last line (a killed writer) is ignored. */
export function parseJournal(text: string, file: string): RunEvent[] {
  // The last piece is '' after a final newline, or a line cut short: either way not an event.
  const complete = text.split('\n').slice(0, -1);
  const events: RunEvent[] = [];
  for (const [i, line] of complete.entries()) {
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      throw new TamperedError(`${file}:${i + 1}`, 'not valid JSON (a damaged or hand-edited line)');
    }
  }
  return events;
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

function readdirIfExists(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
