/**
 * The index's sql.js database: its schema (with a version: any other version is rebuilt, never
 * migrated, since everything in it can be read again from the files), a cache of prepared
 * statements, and the small key-value `meta` table. Used by the index worker only.
 */
import type { BindParams, Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';

/**
 * The schema's version. Bump it with any change to the tables or to what a row means: an index
 * file of another version is discarded and rebuilt from the files.
 */
export const INDEX_SCHEMA_VERSION = 3;

/**
 * Times are stored as milliseconds (INTEGER) when they are canonical ISO strings (what
 * `Date.toISOString` writes, and so what Lockstep records), else as the TEXT itself: a third of the
 * space, in the table and in every index that orders by time. Rows with TEXT times or ids are
 * found through `runs_irregular`, and queries order them exactly as the file scan does (in
 * JavaScript). A query by version without a workflow walks `runs_started`: every caller that
 * filters by version names the workflow too, and an index for it would cost a tenth of the file.
 * A query by channel has no index either: its callers (a channel's figures and health) name the
 * workflow, and `runs_workflow` walks that workflow's runs newest first, up to the limit of
 * matches; an index would grow the file for every run to save skipping another channel's runs.
 */
const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
-- Workflow names, version ids, statuses, modes and channels, stored once and referred to by number.
CREATE TABLE strings (n INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
-- Each day folder's modification time when its listing was last read (-1: read it again).
CREATE TABLE days (day TEXT PRIMARY KEY, mtime REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE runs (
  n INTEGER PRIMARY KEY,
  id NOT NULL UNIQUE,       -- the journal's file name: 16 bytes for a canonical UUID (run-ids.ts)
  day INTEGER,              -- its folder as days since 1970-01-01, for ids stored as TEXT only
  workflow INTEGER,         -- strings.n; NULL: not listed (not a readable run journal, yet)
  version INTEGER,
  seq INTEGER,
  status INTEGER,
  mode INTEGER,
  started_at,               -- ms, or TEXT when not canonical
  finished_at,
  parent TEXT,
  summary_id TEXT,          -- the header's id when it differs from the file name
  tokens_in INTEGER,        -- tokens of the run's model calls; NULL: none reported
  tokens_out INTEGER,
  channel INTEGER,          -- strings.n of the channel that routed it; NULL (and the next two): none
  bucket INTEGER,
  candidate INTEGER         -- 1: routed to the candidate, 0: to the stable version
);
CREATE INDEX runs_workflow ON runs (workflow, started_at);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_text_day ON runs (day) WHERE typeof(id) = 'text';
CREATE INDEX runs_irregular ON runs (n) WHERE ${irregularRuns()};
-- Runs not finished (or not readable) yet: the journal's size when last read (read again when it
-- grows) and its writer (to tell running from interrupted at each catch-up).
CREATE TABLE open_runs (
  n INTEGER PRIMARY KEY,    -- runs.n
  size INTEGER NOT NULL,
  pid INTEGER,              -- the writer, once the header was read
  host TEXT
);
-- Each snapshot folder's modification time when its listing was last read.
CREATE TABLE snapshot_dirs (name TEXT PRIMARY KEY, mtime REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE snapshots (
  dir TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT,                -- NULL: not a readable version record
  created_at TEXT,
  author TEXT,
  PRIMARY KEY (dir, id)
) WITHOUT ROWID;
-- Publications in control-log order, each with its embedded record's summary.
CREATE TABLE publications (
  line INTEGER PRIMARY KEY,
  entry INTEGER NOT NULL,
  workflow TEXT NOT NULL,
  seq INTEGER NOT NULL,
  version TEXT NOT NULL,
  message TEXT NOT NULL,
  at TEXT NOT NULL,
  author TEXT NOT NULL,
  git TEXT,
  record_name TEXT NOT NULL,
  record_created_at TEXT NOT NULL,
  record_author TEXT NOT NULL
);
CREATE INDEX publications_workflow ON publications (workflow, line);
`;

/** The condition of `runs_irregular`; queries must repeat it verbatim for SQLite to use it. */
export function irregularRuns(): string {
  return "summary_id IS NOT NULL OR typeof(started_at) = 'text' OR typeof(id) = 'text'";
}

/** How the database was opened. */
export type OpenedAs = 'loaded' | 'created' | 'rebuilt-unreadable' | 'rebuilt-schema';

export class IndexDatabase {
  private statements = new Map<string, Statement>();

  private constructor(
    private readonly sql: SqlJsStatic,
    private db: Database,
    readonly opened: OpenedAs,
  ) {}

  /**
   * Opens the database in `bytes` (the index file), or a new empty one when there are none, they
   * are not an SQLite database, or their schema version is not this one.
   */
  static open(sql: SqlJsStatic, bytes: Uint8Array | undefined): IndexDatabase {
    if (bytes !== undefined && bytes.length > 0) {
      let db: Database | undefined;
      try {
        db = new sql.Database(bytes);
        const version = db.exec("SELECT value FROM meta WHERE key = 'schema'")[0]?.values[0]?.[0];
        if (version === INDEX_SCHEMA_VERSION) return new IndexDatabase(sql, db, 'loaded');
        db.close();
        return IndexDatabase.create(sql, 'rebuilt-schema');
      } catch {
        // Not a database, or a damaged one: the files hold everything it held.
        db?.close();
        return IndexDatabase.create(sql, 'rebuilt-unreadable');
      }
    }
    return IndexDatabase.create(sql, 'created');
  }

  /** A new database with the schema and nothing else. */
  static create(sql: SqlJsStatic, opened: OpenedAs = 'created'): IndexDatabase {
    const db = new sql.Database();
    db.exec(SCHEMA);
    db.run("INSERT INTO meta (key, value) VALUES ('schema', ?)", [INDEX_SCHEMA_VERSION]);
    return new IndexDatabase(sql, db, opened);
  }

  /** Replaces the whole database with an empty one (after finding it damaged). */
  reset(): IndexDatabase {
    this.close();
    return IndexDatabase.create(this.sql, 'rebuilt-unreadable');
  }

  /** Runs a statement that returns nothing. */
  run(sql: string, params: BindParams = []): void {
    const statement = this.statement(sql);
    statement.run(params);
  }

  /** Rows of a query, each as an array of column values. */
  all(sql: string, params: BindParams = []): SqlValue[][] {
    const statement = this.statement(sql);
    statement.bind(params);
    const rows: SqlValue[][] = [];
    try {
      while (statement.step()) rows.push(statement.get());
    } finally {
      statement.reset();
    }
    return rows;
  }

  /** The first row of a query, or undefined. */
  first(sql: string, params: BindParams = []): SqlValue[] | undefined {
    const statement = this.statement(sql);
    statement.bind(params);
    try {
      return statement.step() ? statement.get() : undefined;
    } finally {
      statement.reset();
    }
  }

  /** Runs `work` in one transaction (all of it or none of it is applied). */
  transaction<T>(work: () => T): T {
    this.db.exec('BEGIN');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  meta(key: string): SqlValue | undefined {
    return this.first('SELECT value FROM meta WHERE key = ?', [key])?.[0];
  }

  setMeta(key: string, value: SqlValue): void {
    this.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, value]);
  }

  /**
   * Rewrites the database without free space (after a rebuild, say: rows arrive in journal order,
   * which leaves the time indexes' pages half full). A smaller file is faster to load.
   */
  compact(): void {
    this.freeStatements();
    this.db.exec('VACUUM');
  }

  /** Size of the database image in bytes. */
  imageBytes(): number {
    const pages = Number(this.first('PRAGMA page_count')?.[0] ?? 0);
    const size = Number(this.first('PRAGMA page_size')?.[0] ?? 0);
    return pages * size;
  }

  /**
   * The whole database file image. sql.js closes and reopens the database to take it, which
   * frees every prepared statement: the cache is emptied first.
   */
  export(): Uint8Array {
    this.freeStatements();
    return this.db.export();
  }

  close(): void {
    this.freeStatements();
    this.db.close();
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private freeStatements(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements = new Map();
  }
}
