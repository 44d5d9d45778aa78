/**
 * The newest runs of each workflow, saved beside the index so that a fresh process can list them
 * without starting the index worker and sql.js (about 180 ms at 100 000 runs, for a CLI command
 * or a History view's first page that needs a few dozen rows).
 *
 * The index worker writes it when it writes the index file (newest-runs.bin, a sectioned file:
 * see files/sectioned-file.ts): each workflow's newest KEEP summaries and those of all workflows,
 * the day folders' times as catch-up last saw them, the journals still open, and the journal ids
 * of the newest day folders. A reader catches the lists up with the journals the way the index
 * does (run-catch-up.ts): a day folder whose time changed is listed and its new journals read;
 * open journals that grew are read again, the others' writers checked. When that would take more
 * than a little reading (an older day folder changed, many new journals, runs removed so that the
 * saved list no longer surely holds the newest ones), the reader says it cannot answer and the
 * worker answers instead. Like the index it is a cache: deleting it loses nothing.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../../model/runs.js';
import { filterRuns } from '../../../store/listing.js';
import type { RunQuery } from '../../../store/store.js';
import { DAY_FOLDER, journalIds, runDay, writerAliveAt } from '../files/run-journals.js';
import { SectionedFile, writeSectionedFile } from '../files/sectioned-file.js';
import { readJournalSummary } from './journal-summary.js';
import { listable } from './run-catch-up.js';
import type { RunTable } from './run-table.js';
import { compareCodeUnits } from '../../../code-unit-order.js';
import { listFolder } from '../files/list-folder.js';

const MAGIC = Buffer.from('lockstep newest runs 1\n', 'latin1');

/** Summaries kept per workflow (and for all workflows): the largest page answered here. */
export const KEEP = 100;
/** Day folders (the newest) whose journal ids are saved, so that new journals can be told apart. */
const DAYS_WITH_IDS = 3;
/** Journals a reader may read to catch up before leaving the answer to the worker. */
const MAX_READS = 64;

/** A saved summary with its journal's file id (which a hand-made journal's summary may not share). */
type Entry = readonly [file: string, summary: RunSummary];

interface Header {
  /** Day folder → its time when last listed (-1: list again), as the index recorded it. */
  readonly days: readonly (readonly [string, number])[];
  /** Journals not finished: their size when read, their writer, and whether they were listed. */
  readonly open: readonly {
    readonly id: string;
    readonly size: number;
    readonly writer?: { readonly pid: number; readonly host: string };
    readonly listed: boolean;
  }[];
  /** Day → section of its journal ids (newline-separated), for the newest day folders. */
  readonly dayIds: Readonly<Record<string, number>>;
  /** Workflow ('' for all) → its section of entries, newest first, and whether that is all of them. */
  readonly lists: Readonly<
    Record<string, { readonly section: number; readonly complete: boolean }>
  >;
}

/**
 * Writes the newest runs of every workflow as `table` holds them now (just caught up).
 * @returns false when nothing was written: rows the database cannot order (which the index
 *   orders in JavaScript), or a folder that cannot be written.
 */
export function writeNewestRuns(file: string, table: RunTable): boolean {
  const sections: Buffer[] = [];
  const lists: Record<string, { section: number; complete: boolean }> = {};
  for (const workflow of ['', ...table.workflows()]) {
    const newest = table.newestWithIds(workflow === '' ? undefined : workflow, KEEP + 1);
    if (!newest) return false;
    lists[workflow] = { section: sections.length, complete: newest.length <= KEEP };
    sections.push(Buffer.from(JSON.stringify(newest.slice(0, KEEP))));
  }
  const days = [...table.days()].sort(([a], [b]) => compareCodeUnits(a, b));
  const dayIds: Record<string, number> = {};
  for (const [day] of days.slice(-DAYS_WITH_IDS)) {
    dayIds[day] = sections.length;
    sections.push(Buffer.from([...table.idsOfDay(day).keys()].join('\n')));
  }
  const open = table.openRuns().map(({ id, size, writer, summary }) => ({
    id,
    size,
    ...(writer ? { writer } : {}),
    listed: summary !== undefined,
  }));
  const header: Header = { days, open, dayIds, lists };
  return writeSectionedFile(file, MAGIC, header, sections);
}

/**
 * The answer to `query` from the saved newest runs, caught up with the journals under `runsRoot`
 * exactly as the index would be; undefined when it cannot be given here (no file, a query with
 * other filters or a larger page, or more changes than are worth reading).
 */
export function listNewestRuns(
  file: string,
  runsRoot: string,
  query: RunQuery,
  now: number = Date.now(),
): RunSummary[] | undefined {
  const limit = query.limit ?? 50;
  const filtered = [query.version, query.status, query.mode, query.channel].some(
    (f) => f !== undefined,
  );
  if (filtered || !Number.isInteger(limit) || limit < 0 || limit > KEEP) return undefined;
  const saved = SectionedFile.open(file, MAGIC);
  if (!saved) return undefined;
  try {
    return catchUp(saved, runsRoot, query.workflow, limit, now);
  } catch {
    return undefined; // a header of the wrong shape, a folder that vanished while listed…
  } finally {
    saved.close();
  }
}

function catchUp(
  saved: SectionedFile,
  runsRoot: string,
  workflow: string | undefined,
  limit: number,
  now: number,
): RunSummary[] | undefined {
  const header = saved.header as Header;
  const list = header.lists[workflow ?? ''];
  let entries: Entry[] = [];
  if (list) {
    const bytes = saved.section(list.section);
    if (!bytes) return undefined;
    entries = JSON.parse(bytes.toString('utf8')) as Entry[];
  }
  // A workflow without a list had no runs when it was written: all of them (none) are known.
  const complete = list?.complete ?? true;
  const wanted = (s: RunSummary | undefined): s is RunSummary =>
    s !== undefined && (workflow === undefined || s.workflow === workflow);

  const candidates = new Map<string, RunSummary>(entries);
  let removed = 0;
  const drop = (id: string): void => {
    if (candidates.delete(id)) removed++;
  };
  let reads = 0;
  const read = (id: string): RunSummary | undefined | 'too-many' => {
    if (++reads > MAX_READS) return 'too-many';
    const journal = readJournalSummary(path.join(runsRoot, runDay(id), `${id}.jsonl`), now);
    return journal && listable(journal);
  };

  const recorded = new Map(header.days);
  const present = new Set(listFolder(runsRoot).filter((d) => DAY_FOLDER.test(d)));
  for (const day of recorded.keys()) {
    if (present.has(day)) continue;
    for (const id of [...candidates.keys()]) if (runDay(id) === day) drop(id);
  }
  const fresh = new Set<string>();
  for (const day of present) {
    // Joined by hand: `day` is a plain date (DAY_FOLDER), and path.join's normalising is a good
    // share of this loop, which looks at every day folder.
    const mtime = statSync(`${runsRoot}${path.sep}${day}`).mtimeMs;
    const before = recorded.get(day);
    if (before === mtime) continue;
    let known: Set<string>;
    if (before === undefined) known = new Set();
    else {
      const section = header.dayIds[day];
      const bytes = section === undefined ? undefined : saved.section(section);
      if (!bytes) return undefined; // an older day folder changed: the index knows its journals
      known = new Set(bytes.length === 0 ? [] : bytes.toString('utf8').split('\n'));
    }
    const listed = journalIds(listFolder(path.join(runsRoot, day)), day);
    const still = new Set(listed);
    for (const id of known) if (!still.has(id)) drop(id);
    for (const id of listed) {
      if (known.has(id)) continue;
      fresh.add(id);
      const summary = read(id);
      if (summary === 'too-many') return undefined;
      if (wanted(summary)) candidates.set(id, summary);
    }
  }

  for (const open of header.open) {
    if (fresh.has(open.id)) continue;
    const listedBefore = candidates.get(open.id);
    // A listed open run outside the saved newest keeps its place (its start never changes);
    // one not listed yet may have become readable, and is read when its journal grew.
    if (open.listed && !listedBefore) continue;
    let stat;
    try {
      stat = statSync(path.join(runsRoot, runDay(open.id), `${open.id}.jsonl`));
    } catch {
      drop(open.id);
      continue;
    }
    if (stat.size !== open.size) {
      const summary = read(open.id);
      if (summary === 'too-many') return undefined;
      if (wanted(summary)) candidates.set(open.id, summary);
      else drop(open.id);
    } else if (listedBefore && open.writer) {
      const status = writerAliveAt(stat.mtimeMs, open.writer, now) ? 'running' : 'interrupted';
      if (status !== listedBefore.status) candidates.set(open.id, { ...listedBefore, status });
    }
  }

  // Runs outside the saved newest may now be among the newest `limit`, when enough were removed.
  if (!complete && entries.length - removed < limit) return undefined;
  return filterRuns([...candidates.values()], { limit });
}
