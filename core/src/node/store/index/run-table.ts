/**
 * Run summaries in the index: how a summary becomes a row and back, the history queries, and the
 * bookkeeping catch-up needs (which journals each day folder held, which runs are still open).
 * Rows and answers are built so that every query returns exactly what the file scan
 * (`RunJournals.summaries` + `filterRuns`) would.
 */
import type { SqlValue } from 'sql.js';
import type { RunStatus, RunSummary } from '../../../model/runs.js';
import { filterRuns } from '../../../store/listing.js';
import type { RunQuery } from '../../../store/store.js';
import { irregularRuns, type IndexDatabase } from './index-database.js';
import { dayRange, decodeRunId, encodeRunId, prefixRange } from './run-ids.js';

const DAY_MS = 86_400_000;

/** A day folder's name (`2026-01-31`) as days since 1970-01-01 (the `day` of text ids). */
export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00.000Z`) / DAY_MS);
}

/** What the index knows about a journal that is not finished, or not readable yet. */
export interface OpenRun {
  readonly n: number;
  readonly id: string;
  readonly size: number;
  /** The writer, once the header was read. */
  readonly writer?: { readonly pid: number; readonly host: string };
  /** The summary as last written (unfinished runs: status running or interrupted). */
  readonly summary?: RunSummary;
}

/** The state of an open journal after reading it. */
export interface OpenState {
  readonly size: number;
  readonly writer?: { readonly pid: number; readonly host: string };
}

/** The columns of a summary, in the order `values` and `summaryOf` use (n and id first). */
const SUMMARY_COLUMNS = [
  'n',
  'id',
  'workflow',
  'version',
  'seq',
  'status',
  'mode',
  'started_at',
  'finished_at',
  'parent',
  'summary_id',
  'tokens_in',
  'tokens_out',
  'channel',
  'bucket',
  'candidate',
] as const;
const COLUMNS = SUMMARY_COLUMNS.join(', ');
/** The columns `values` fills: all but n and id. */
const VALUE_COLUMNS = SUMMARY_COLUMNS.slice(2);

export class RunTable {
  /** The `strings` table both ways; small (workflows, versions, statuses, modes, channels). */
  private readonly numbers = new Map<string, number>();
  private readonly texts = new Map<number, string>();

  constructor(private readonly db: IndexDatabase) {
    for (const [n, text] of db.all('SELECT n, text FROM strings')) {
      this.numbers.set(String(text), Number(n));
      this.texts.set(Number(n), String(text));
    }
  }

  /** Each indexed day folder's modification time when its listing was read (-1: read again). */
  days(): Map<string, number> {
    return new Map(
      this.db.all('SELECT day, mtime FROM days').map(([d, m]) => [String(d), Number(m)]),
    );
  }

  setDay(day: string, mtime: number): void {
    this.db.run('INSERT OR REPLACE INTO days (day, mtime) VALUES (?, ?)', [day, mtime]);
  }

  /** Forgets a day folder that is gone, and its runs. */
  dropDay(day: string): number {
    const gone = this.idsOfDay(day);
    for (const n of gone.values()) this.delete(n);
    this.db.run('DELETE FROM days WHERE day = ?', [day]);
    return gone.size;
  }

  /** The journals indexed for a day folder: id → row number. */
  idsOfDay(day: string): Map<string, number> {
    const rows = [
      ...this.db.all('SELECT id, n FROM runs WHERE id >= ? AND id < ?', dayRange(day)),
      ...this.db.all("SELECT id, n FROM runs WHERE typeof(id) = 'text' AND day = ?", [
        dayNumber(day),
      ]),
    ];
    return new Map(rows.map(([id, n]) => [decodeRunId(id), Number(n)]));
  }

  /**
   * Adds a journal: listed with its summary, or not listed (summary undefined) while it is not a
   * readable run journal. `open` is its state when it is not finished.
   */
  insert(id: string, day: string, summary: RunSummary | undefined, open?: OpenState): void {
    const stored = encodeRunId(id);
    this.db.run(
      `INSERT INTO runs (id, day, ${VALUE_COLUMNS.join(', ')})
       VALUES (?, ?, ${VALUE_COLUMNS.map(() => '?').join(', ')})`,
      [stored, typeof stored === 'string' ? dayNumber(day) : null, ...this.values(id, summary)],
    );
    if (open) this.setOpen(Number(this.db.first('SELECT last_insert_rowid()')![0]), open);
  }

  /** Replaces a journal's summary (an open run that finished, was interrupted, or became readable). */
  update(n: number, id: string, summary: RunSummary | undefined): void {
    this.db.run(`UPDATE runs SET ${VALUE_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE n = ?`, [
      ...this.values(id, summary),
      n,
    ]);
  }

  /** Only the status of a listed run (running ↔ interrupted as its writer comes and goes). */
  setStatus(n: number, status: RunStatus): void {
    this.db.run('UPDATE runs SET status = ? WHERE n = ?', [this.number(status), n]);
  }

  delete(n: number): void {
    this.db.run('DELETE FROM runs WHERE n = ?', [n]);
    this.db.run('DELETE FROM open_runs WHERE n = ?', [n]);
  }

  setOpen(n: number, open: OpenState): void {
    this.db.run('INSERT OR REPLACE INTO open_runs (n, size, pid, host) VALUES (?, ?, ?, ?)', [
      n,
      open.size,
      open.writer?.pid ?? null,
      open.writer?.host ?? null,
    ]);
  }

  /** A journal that finished: immutable from now on, never read again. */
  settle(n: number): void {
    this.db.run('DELETE FROM open_runs WHERE n = ?', [n]);
  }

  /** Every journal not finished (or not readable) yet. */
  openRuns(): OpenRun[] {
    return this.db
      .all(
        `SELECT ${SUMMARY_COLUMNS.map((c) => `r.${c}`).join(', ')}, o.size, o.pid, o.host
         FROM open_runs o JOIN runs r ON r.n = o.n`,
      )
      .map((row) => {
        const [size, pid, host] = row.slice(SUMMARY_COLUMNS.length);
        const summary = this.summaryOf(row);
        return {
          n: Number(row[0]),
          id: decodeRunId(row[1]),
          size: Number(size),
          ...(pid === null || host === null
            ? {}
            : { writer: { pid: Number(pid), host: String(host) } }),
          ...(summary ? { summary } : {}),
        };
      });
  }

  /** Summaries matching `query`, newest first, as `filterRuns` orders and limits them. */
  list(query: RunQuery): RunSummary[] {
    const where: string[] = [];
    const params: SqlValue[] = [];
    for (const [column, text] of [
      ['workflow', query.workflow],
      ['version', query.version],
      ['status', query.status],
      ['mode', query.mode],
      ['channel', query.channel],
    ] as const) {
      if (text === undefined) continue;
      const n = this.numbers.get(text);
      if (n === undefined) return []; // never seen: nothing can match
      where.push(`${column} = ?`);
      params.push(n);
    }
    if (query.workflow === undefined) where.push('workflow IS NOT NULL');
    const limit = query.limit ?? 50;
    // Rows whose order SQL cannot reproduce (TEXT times, ids differing from file names) are rare;
    // when any exist (or the limit is not a plain count), every match is fetched and ordered and
    // limited in JavaScript, exactly as the scan does.
    const regular =
      Number.isInteger(limit) &&
      limit >= 0 &&
      this.db.first(`SELECT 1 FROM runs WHERE ${irregularRuns()} LIMIT 1`) === undefined;
    const rows = this.db.all(
      `SELECT ${COLUMNS} FROM runs WHERE ${where.join(' AND ')}
       ORDER BY started_at DESC, id DESC${regular ? ' LIMIT ?' : ''}`,
      regular ? [...params, limit] : params,
    );
    const summaries = rows.map((row) => this.summaryOf(row)!);
    return regular ? summaries : filterRuns(summaries, query);
  }

  /** Names of the workflows with listed runs. */
  workflows(): string[] {
    return this.db
      .all('SELECT DISTINCT workflow FROM runs WHERE workflow IS NOT NULL')
      .map(([n]) => this.text(n));
  }

  /**
   * The newest `count` listed runs (of `workflow`, or of every workflow) with their journals'
   * file ids, in `list`'s order; undefined while rows the database cannot order exist (`list`
   * orders those in JavaScript).
   */
  newestWithIds(
    workflow: string | undefined,
    count: number,
  ): [file: string, summary: RunSummary][] | undefined {
    if (this.db.first(`SELECT 1 FROM runs WHERE ${irregularRuns()} LIMIT 1`) !== undefined) {
      return undefined;
    }
    const n = workflow === undefined ? undefined : this.numbers.get(workflow);
    if (workflow !== undefined && n === undefined) return [];
    const rows = this.db.all(
      `SELECT ${COLUMNS} FROM runs WHERE ${n === undefined ? 'workflow IS NOT NULL' : 'workflow = ?'}
       ORDER BY started_at DESC, id DESC LIMIT ?`,
      n === undefined ? [count] : [n, count],
    );
    return rows.map((row) => [decodeRunId(row[1]), this.summaryOf(row)!]);
  }

  /** Ids (file names) of every journal starting with `prefix`, sorted. */
  idsStartingWith(prefix: string): string[] {
    const range = prefixRange(prefix);
    const rows = [
      ...(range ? this.db.all('SELECT id FROM runs WHERE id >= ? AND id <= ?', range) : []),
      // Ids stored as text sort before every 16-byte one: from `prefix` up to `prefix` followed
      // by the highest code point, the unique index on id is walked over that range only.
      ...this.db.all("SELECT id FROM runs WHERE id >= ? AND id < ? AND typeof(id) = 'text'", [
        prefix,
        `${prefix}\u{10FFFF}`,
      ]),
    ];
    return rows
      .map(([id]) => decodeRunId(id))
      .filter((id) => id.startsWith(prefix))
      .sort();
  }

  /** Readable runs, and open ones among them. */
  counts(): { runs: number; open: number } {
    const runs = Number(this.db.first('SELECT count(*) FROM runs WHERE workflow IS NOT NULL')![0]);
    const open = Number(this.db.first('SELECT count(*) FROM open_runs')![0]);
    return { runs, open };
  }

  private values(id: string, summary: RunSummary | undefined): SqlValue[] {
    if (!summary) return VALUE_COLUMNS.map(() => null);
    const { routing } = summary;
    return [
      this.number(summary.workflow),
      this.number(summary.version.id),
      summary.version.seq ?? null,
      this.number(summary.status),
      this.number(summary.mode),
      timeValue(summary.startedAt),
      summary.finishedAt === undefined ? null : timeValue(summary.finishedAt),
      summary.parent ?? null,
      summary.id === id ? null : summary.id,
      summary.tokens?.input ?? null,
      summary.tokens?.output ?? null,
      // A run no channel routed costs three NULLs: a byte each in the row's header.
      routing ? this.number(routing.channel) : null,
      routing?.bucket ?? null,
      routing ? Number(routing.target === 'candidate') : null,
    ];
  }

  /** The summary in a row starting with COLUMNS, or undefined for a journal not listed. */
  private summaryOf(row: readonly SqlValue[]): RunSummary | undefined {
    const [, id, workflow, version, seq, status, mode, started, finished, parent, summaryId] = row;
    const [tokensIn, tokensOut, channel, bucket, candidate] = row.slice(11, 16);
    if (workflow === null || workflow === undefined) return undefined;
    return {
      id: summaryId === null || summaryId === undefined ? decodeRunId(id) : String(summaryId),
      workflow: this.text(workflow),
      version:
        seq === null
          ? { id: this.text(version) as RunSummary['version']['id'] }
          : { id: this.text(version) as RunSummary['version']['id'], seq: Number(seq) },
      status: this.text(status) as RunStatus,
      mode: this.text(mode) as RunSummary['mode'],
      startedAt: timeText(started),
      ...(finished === null || finished === undefined ? {} : { finishedAt: timeText(finished) }),
      ...(parent === null || parent === undefined ? {} : { parent: String(parent) }),
      ...(channel === null || channel === undefined
        ? {}
        : {
            routing: {
              channel: this.text(channel),
              bucket: Number(bucket),
              target: candidate === 1 ? 'candidate' : 'stable',
            },
          }),
      ...(tokensIn === null || tokensIn === undefined
        ? {}
        : { tokens: { input: Number(tokensIn), output: Number(tokensOut) } }),
    };
  }

  /** Runs per version of `workflow`. */
  countsByVersion(workflow: string): Map<RunSummary['version']['id'], number> {
    const n = this.numbers.get(workflow);
    if (n === undefined) return new Map();
    return new Map(
      this.db
        .all('SELECT version, count(*) FROM runs WHERE workflow = ? GROUP BY version', [n])
        .map(([version, count]) => [
          this.text(version) as RunSummary['version']['id'],
          Number(count),
        ]),
    );
  }

  private number(text: string): number {
    let n = this.numbers.get(text);
    if (n === undefined) {
      this.db.run('INSERT INTO strings (text) VALUES (?)', [text]);
      n = Number(this.db.first('SELECT last_insert_rowid()')![0]);
      this.numbers.set(text, n);
      this.texts.set(n, text);
    }
    return n;
  }

  private text(value: SqlValue | undefined): string {
    const text = this.texts.get(Number(value));
    if (text === undefined) throw new Error(`index: string ${String(value)} is missing`);
    return text;
  }
}

/** A time as stored: ms when `Date.toISOString` gives back exactly this text, else the text. */
function timeValue(text: string): number | string {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString() === text ? ms : text;
}

function timeText(value: SqlValue | undefined): string {
  return typeof value === 'number' ? new Date(value).toISOString() : String(value);
}
