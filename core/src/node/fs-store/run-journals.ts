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
  openSync,
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
import { ensureDirectory, syncDirectory } from './atomic-file.js';

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
  constructor(private readonly root: string) {}

  /** The journal file of a run. */
  file(id: string): string {
    return path.join(this.root, runDay(id), `${id}.jsonl`);
  }

  /** Creates the journal with its header; fails if the run exists. */
  async create(header: RunHeader): Promise<RunWriter> {
    const file = this.file(header.id);
    const dir = path.dirname(file);
    await ensureDirectory(dir);
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new StoreError('duplicate-run', `run ${header.id} already exists`);
      }
      throw error;
    }
    await syncDirectory(dir);
    return new FileRunWriter(header.id, fd, { type: 'run-started', header });
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

class FileRunWriter implements RunWriter {
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    readonly id: string,
    private readonly fd: number,
    first: RunEvent,
  ) {
    this.write(first);
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

  async append(event: RunEvent): Promise<void> {
    if (this.closed) throw new StoreError('closed-run', `run ${this.id} is closed`);
    this.write(event);
  }

  sync(): Promise<void> {
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

  private write(event: RunEvent): void {
    // One write() per line: the OS has it as soon as this returns (it survives a killed process).
    const bytes = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
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
