/**
 * The yardstick: publishing the same versions into SQLite (better-sqlite3) with the same
 * durability as the file store. WAL journal with `synchronous = FULL` syncs the WAL at every
 * commit, as the control log is fdatasync'ed at every publish. One IMMEDIATE transaction per
 * publish (the write lock taken up front, as the file store takes its lock) checks whether the
 * version is already published, computes the next seq (max + 1) and the chained entry hash from
 * the previous row, and inserts the version row and the publication row.
 *
 * The version id, checksum and entry hash are computed exactly as the file store computes them
 * (`makeVersionRecord`, `sealEntry`), so both sides do the same hashing and differ only in how
 * they store the result.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Database } from './references.js';
import type { ContentId } from '../../core/src/model/content-id.js';
import {
  makeVersionRecord,
  sealEntry,
  type GitInfo,
  type PublishRequest,
  type VersionRecord,
} from '../../core/src/store/records.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS versions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  source TEXT NOT NULL,
  source_path TEXT,
  created_at TEXT NOT NULL,
  author TEXT NOT NULL,
  git TEXT,
  checksum TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS publications (
  entry INTEGER PRIMARY KEY,
  workflow TEXT NOT NULL,
  seq INTEGER NOT NULL,
  version TEXT NOT NULL UNIQUE REFERENCES versions(id),
  message TEXT NOT NULL,
  at TEXT NOT NULL,
  author TEXT NOT NULL,
  git TEXT,
  prev_hash TEXT,
  hash TEXT NOT NULL,
  UNIQUE (workflow, seq)
);
`;

export interface SqlitePublication {
  readonly workflow: string;
  readonly seq: number;
  readonly version: ContentId;
  readonly entry: number;
  readonly created: boolean;
}

export class SqliteStore {
  private readonly db: BetterSqlite3.Database;
  private readonly publishTx: (record: VersionRecord, request: PublishRequest) => SqlitePublication;

  /** Opens (creating when missing) the database at `file`, ready to publish. */
  constructor(file: string, options: { synchronous?: 'FULL' | 'OFF' } = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.exec(SCHEMA);
    const published = this.db.prepare<[string], { workflow: string; seq: number; entry: number }>(
      'SELECT workflow, seq, entry FROM publications WHERE version = ?',
    );
    const head = this.db.prepare<[], { entry: number; hash: ContentId }>(
      'SELECT entry, hash FROM publications ORDER BY entry DESC LIMIT 1',
    );
    const maxSeq = this.db.prepare<[string], { seq: number | null }>(
      'SELECT max(seq) AS seq FROM publications WHERE workflow = ?',
    );
    const insertVersion = this.db.prepare(
      `INSERT INTO versions (id, name, definition, source, source_path, created_at, author, git, checksum)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    const insertPublication = this.db.prepare(
      `INSERT INTO publications (entry, workflow, seq, version, message, at, author, git, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const tx = this.db.transaction(
      (record: VersionRecord, request: PublishRequest): SqlitePublication => {
        const existing = published.get(record.id);
        if (existing) return { ...existing, version: record.id, created: false };
        const last = head.get();
        const seq = (maxSeq.get(record.name)?.seq ?? 0) + 1;
        const entry = sealEntry(
          {
            type: 'publish',
            at: request.at,
            actor: request.author,
            workflow: record.name,
            seq,
            version: record.id,
            message: request.message,
            git: request.git,
            record,
          },
          (last?.entry ?? 0) + 1,
          last?.hash ?? null,
        );
        insertVersion.run(
          record.id,
          record.name,
          JSON.stringify(record.definition),
          record.source,
          record.sourcePath ?? null,
          record.createdAt,
          record.author,
          gitText(record.git),
          record.checksum,
        );
        insertPublication.run(
          entry.index,
          entry.workflow,
          entry.seq,
          entry.version,
          entry.message,
          entry.at,
          entry.actor,
          gitText(entry.git),
          entry.prev,
          entry.hash,
        );
        return {
          workflow: entry.workflow,
          seq: entry.seq,
          version: entry.version,
          entry: entry.index,
          created: true,
        };
      },
    );
    this.publishTx = (record, request) => tx.immediate(record, request);
  }

  /** Publishes one version in one durable transaction. */
  publish(request: PublishRequest): SqlitePublication {
    return this.publishTx(makeVersionRecord(request.version), request);
  }

  /** Publishes many versions in one transaction (for filling a database quickly). */
  publishAll(requests: readonly PublishRequest[]): void {
    this.db.transaction(() => {
      for (const request of requests) this.publish(request);
    })();
  }

  /** Number of publications and the highest seq of `workflow`, for sanity checks. */
  count(workflow: string): { publications: number; maxSeq: number } {
    const { n } = this.db
      .prepare<[], { n: number }>('SELECT count(*) AS n FROM publications')
      .get()!;
    const { seq } = this.db
      .prepare<[string], { seq: number }>(
        'SELECT max(seq) AS seq FROM publications WHERE workflow = ?',
      )
      .get(workflow)!;
    return { publications: n, maxSeq: seq };
  }

  close(): void {
    this.db.close();
  }
}

function gitText(git: GitInfo | null): string | null {
  return git === null ? null : JSON.stringify(git);
}
