/**
 * A run journal read for the index: its summary exactly as the file scan makes it (the same
 * parser, fold and liveness rule), plus what the index needs to know when to read it again.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { foldRun, summarizeRun } from '../../../store/fold-run.js';
import type { RunHeader, RunSummary } from '../../../model/runs.js';
import { parseJournal, writerAliveAt } from '../files/run-journals.js';

export interface JournalSummary {
  /** Undefined when the file is not (yet) a readable run journal: the scan skips it too. */
  readonly summary?: RunSummary;
  /** True once `run-finished` was read: the journal will not change again. */
  readonly finished: boolean;
  /** The file's size when read. */
  readonly size: number;
  /** Who writes it, for unfinished runs whose header was read. */
  readonly writer?: RunHeader['writer'];
}

/**
 * Reads a journal whole and summarises it.
 * @returns undefined when the file does not exist (any more).
 */
export function readJournalSummary(file: string, now: number): JournalSummary | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let bytes: Buffer;
  let mtimeMs: number;
  try {
    const stat = fstatSync(fd);
    mtimeMs = stat.mtimeMs;
    bytes = Buffer.alloc(stat.size);
    let done = 0;
    while (done < bytes.length) {
      const read = readSync(fd, bytes, done, bytes.length - done, done);
      if (read === 0) break; // cut shorter since the stat: what was read is what there is
      done += read;
    }
    bytes = bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
  const size = bytes.length;
  try {
    const events = parseJournal(bytes, file);
    const header = events[0]?.type === 'run-started' ? events[0].header : undefined;
    if (!header) return { finished: false, size };
    const finished = events.some((e) => e.type === 'run-finished');
    const alive = !finished && writerAliveAt(mtimeMs, header.writer, now);
    const record = foldRun(events, alive);
    if (!record) return { finished: false, size };
    return finished
      ? { summary: summarizeRun(record), finished, size }
      : { summary: summarizeRun(record), finished, size, writer: header.writer };
  } catch {
    // A damaged line, or a header without a writer: the scan skips such a journal as well.
    return { finished: false, size };
  }
}
