/**
 * Brings the run tables up to date with the journals on disk, reading as little as possible:
 *
 * - a day folder whose modification time is the one recorded when its listing was last read is
 *   skipped (adding or removing a journal changes its folder's time); only changed folders are
 *   listed, and only journals the index does not have are read;
 * - finished runs are immutable and never read again; unfinished ones are re-read when their
 *   journal grew, and otherwise only their writer's liveness is checked (running ↔ interrupted).
 *
 * A folder time is trusted only once it is older than RACY_MS: a journal created within the
 * file system's timestamp granularity of the listing could leave the time unchanged (the "racy
 * timestamp" problem git's index has), so such a folder is listed again next time.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../../model/runs.js';
import { DAY_FOLDER, journalIds, runDay, writerAliveAt } from '../files/run-journals.js';
import type { CatchUpReport } from './index-protocol.js';
import { readJournalSummary, type JournalSummary } from './journal-summary.js';
import type { OpenState, RunTable } from './run-table.js';
import { listFolder } from '../files/list-folder.js';

/** Folder times closer than this to the listing are not trusted (coarse file-system clocks). */
export const RACY_MS = 2_000;

/** Stored instead of a folder's time when its listing must be read again. */
const LIST_AGAIN = -1;

export interface RunCatchUp extends Omit<CatchUpReport, 'ms'> {
  /** Whether anything in the database changed (so the index file is out of date). */
  readonly changed: boolean;
}

/** Catches `table` up with the journals under `root` (`local/runs`). */
export function catchUpRuns(table: RunTable, root: string, now: number = Date.now()): RunCatchUp {
  let daysListed = 0;
  let journalsRead = 0;
  let runsAdded = 0;
  let runsRemoved = 0;
  let changed = false;

  const known = table.days();
  const present = new Set(listFolder(root).filter((d) => DAY_FOLDER.test(d)));
  for (const day of known.keys()) {
    if (!present.has(day)) {
      runsRemoved += table.dropDay(day);
      changed = true;
    }
  }

  for (const day of [...present].sort()) {
    const dir = path.join(root, day);
    let mtime: number;
    try {
      mtime = statSync(dir).mtimeMs;
    } catch {
      continue; // removed a moment ago: the next catch-up drops it
    }
    const recorded = known.get(day);
    if (recorded === mtime) continue;
    // Listed after the stat: anything added later changes the time again.
    const ids = journalIds(listFolder(dir), day);
    daysListed++;
    const indexed = table.idsOfDay(day);
    for (const id of ids) {
      if (indexed.delete(id)) continue;
      const read = readJournalSummary(path.join(dir, `${id}.jsonl`), now);
      if (!read) continue;
      journalsRead++;
      const summary = listable(read);
      table.insert(id, day, summary, read.finished ? undefined : openState(read));
      runsAdded++;
    }
    for (const n of indexed.values()) {
      table.delete(n);
      runsRemoved++;
    }
    const trusted = now - mtime > RACY_MS ? mtime : LIST_AGAIN;
    if (recorded !== trusted) table.setDay(day, trusted);
    changed ||= runsAdded + runsRemoved > 0 || recorded !== trusted;
  }

  for (const open of table.openRuns()) {
    const file = path.join(root, runDay(open.id), `${open.id}.jsonl`);
    let stat;
    try {
      stat = statSync(file);
    } catch {
      table.delete(open.n); // gone (its folder's listing will agree)
      runsRemoved++;
      changed = true;
      continue;
    }
    if (stat.size !== open.size) {
      const read = readJournalSummary(file, now);
      journalsRead++;
      if (!read) continue;
      table.update(open.n, open.id, listable(read));
      if (read.finished) table.settle(open.n);
      else table.setOpen(open.n, openState(read));
      changed = true;
      continue;
    }
    if (!open.summary || !open.writer) continue;
    const status = writerAliveAt(stat.mtimeMs, open.writer, now) ? 'running' : 'interrupted';
    if (status !== open.summary.status) {
      table.setStatus(open.n, status);
      changed = true;
    }
  }

  return { daysListed, journalsRead, runsAdded, runsRemoved, changed };
}

function openState(read: JournalSummary): OpenState {
  return read.writer ? { size: read.size, writer: read.writer } : { size: read.size };
}

/**
 * The summary when every field has the type the index stores. A journal whose header says
 * otherwise was hand-made or damaged; the scan cannot order it either.
 */
export function listable(read: JournalSummary): RunSummary | undefined {
  const s = read.summary;
  if (!s) return undefined;
  const text = (v: unknown): boolean => typeof v === 'string';
  const optional = (v: unknown): boolean => v === undefined || typeof v === 'string';
  const ok =
    text(s.id) &&
    text(s.workflow) &&
    typeof s.version === 'object' &&
    s.version !== null &&
    text(s.version.id) &&
    (s.version.seq === undefined || Number.isInteger(s.version.seq)) &&
    text(s.status) &&
    text(s.mode) &&
    text(s.startedAt) &&
    optional(s.finishedAt) &&
    optional(s.parent);
  return ok ? s : undefined;
}
