/**
 * The yardstick for recording runs: the same run events written to SQLite (better-sqlite3, WAL)
 * with the durability the run journal gives, which is *per-event writes with one sync at run
 * end*: every event is its own committed transaction with `synchronous = NORMAL` (in WAL mode a
 * commit is then handed to the OS without a sync: it survives the process being killed, as an
 * appended journal line does), and the run-finished event's commit runs with
 * `synchronous = FULL`, which syncs the WAL and so everything before it (as the journal's
 * fdatasync at close does).
 *
 * `recordOneTransaction` is the other reading of "the same durability" (all rows in one synced
 * transaction at run end: cheaper, but a killed runner loses the whole run), measured alongside.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Database } from './references.js';
import type { RunEvent, RunHeader } from '../../core/src/model/runs.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  version TEXT NOT NULL,
  seq INTEGER,
  status TEXT NOT NULL,
  mode TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  parent TEXT,
  header TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_workflow ON runs (workflow, started_at);
CREATE TABLE IF NOT EXISTS events (
  run TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (run, seq)
) WITHOUT ROWID;
`;

export class SqliteRuns {
  private readonly db: BetterSqlite3.Database;
  private readonly insertRun: BetterSqlite3.Statement;
  private readonly insertEvent: BetterSqlite3.Statement;
  private readonly finishRun: BetterSqlite3.Statement;

  /** Opens (creating when missing) the database at `file`. */
  constructor(file: string, options: { fill?: boolean } = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.fill ? 'OFF' : 'NORMAL'}`);
    this.db.exec(SCHEMA);
    this.insertRun = this.db.prepare(
      `INSERT INTO runs (id, workflow, version, seq, status, mode, started_at, parent, header)
       VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
    );
    this.insertEvent = this.db.prepare(
      'INSERT INTO events (run, seq, type, body) VALUES (?, ?, ?, ?)',
    );
    this.finishRun = this.db.prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?');
  }

  /** Records a run event by event (one commit each), syncing once at run-finished. */
  recordPerEvent(header: RunHeader, events: readonly RunEvent[]): void {
    this.db.transaction(() => this.start(header))();
    events.forEach((event, i) => {
      if (event.type === 'run-finished') {
        this.db.pragma('synchronous = FULL');
        try {
          this.db.transaction(() => this.add(header.id, i + 1, event))();
        } finally {
          this.db.pragma('synchronous = NORMAL');
        }
      } else {
        this.add(header.id, i + 1, event);
      }
    });
  }

  /** Records a whole run in one transaction, synced at its commit. */
  recordOneTransaction(header: RunHeader, events: readonly RunEvent[]): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(() => {
        this.start(header);
        events.forEach((event, i) => this.add(header.id, i + 1, event));
      })();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** Adds many runs in one unsynced transaction (filling a database quickly). */
  fill(runs: readonly { header: RunHeader; events: readonly RunEvent[] }[]): void {
    this.db.transaction(() => {
      for (const { header, events } of runs) {
        this.start(header);
        events.forEach((event, i) => this.add(header.id, i + 1, event));
      }
    })();
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
  }

  /** Moves the WAL into the database file (after a fill, so timed writes start from a small WAL). */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }

  private start(header: RunHeader): void {
    this.insertRun.run(
      header.id,
      header.workflow,
      header.version.id,
      header.version.seq ?? null,
      header.mode.kind,
      header.startedAt,
      header.parent?.run ?? null,
      JSON.stringify(header),
    );
    this.insertEvent.run(
      header.id,
      0,
      'run-started',
      JSON.stringify({ type: 'run-started', header }),
    );
  }

  private add(run: string, seq: number, event: RunEvent): void {
    this.insertEvent.run(run, seq, event.type, JSON.stringify(event));
    if (event.type === 'run-finished') this.finishRun.run(event.status, event.at, run);
  }
}
