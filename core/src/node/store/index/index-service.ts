/**
 * What the index worker does with each request: catch up with the files, answer from the
 * database, and export the database to the index file some time after it changed. Everything
 * here is synchronous and runs on the worker's thread, never on one that serves users.
 */
import { getHeapStatistics } from 'node:v8';
import type { SqlJsStatic } from 'sql.js';
import { IndexDatabase } from './index-database.js';
import { removeAbandonedTemps, writeIndexFile } from './index-file.js';
import type {
  CatchUpReport,
  IndexAnswers,
  IndexPaths,
  IndexRequest,
  IndexStats,
} from './index-protocol.js';
import { writeNewestRuns } from './newest-runs.js';
import { catchUpRuns } from './run-catch-up.js';
import { RunTable } from './run-table.js';
import { catchUpVersions, countVersions, listVersionSummaries } from './version-index.js';

export interface IndexServiceOptions {
  readonly paths: IndexPaths;
  /** See IndexWorkerData.exportDelayMs. */
  readonly exportDelayMs: number;
}

/** A catch-up that added this many runs (a rebuild) is followed by compacting the database. */
const COMPACT_AFTER = 5_000;

export class IndexService {
  private db: IndexDatabase;
  private runs: RunTable;
  /** The database holds something the index file does not. */
  private dirty = false;
  private exportTimer: NodeJS.Timeout | undefined;
  private fileBytes = 0;
  /**
   * The newest-runs file against the table: `unchecked` until the first catch-up (nothing to
   * write yet), `stale` when runs changed since it was written (or it was never written by this
   * worker: it may be missing, or older than the index), `current` once written.
   */
  private newestRunsFile: 'unchecked' | 'stale' | 'current' = 'unchecked';
  private lastCatchUp: CatchUpReport = {
    daysListed: 0,
    journalsRead: 0,
    runsAdded: 0,
    runsRemoved: 0,
    ms: 0,
  };

  /**
   * @param bytes the index file's content (see readIndexFile), undefined when there is none.
   */
  constructor(
    sql: SqlJsStatic,
    private readonly options: IndexServiceOptions,
    bytes: Uint8Array | undefined,
  ) {
    removeAbandonedTemps(options.paths.index);
    this.fileBytes = bytes?.length ?? 0;
    this.db = IndexDatabase.open(sql, bytes);
    this.runs = new RunTable(this.db);
    // A rebuilt index replaces the unusable file as soon as it has caught up.
    this.dirty = this.db.opened !== 'loaded';
  }

  /**
   * Answers a request. A database found damaged while answering is rebuilt from the files and the
   * request answered from the rebuilt one.
   * @throws when the files cannot be read (the caller falls back to reading them itself).
   */
  handle<K extends IndexRequest['kind']>(
    request: Extract<IndexRequest, { kind: K }>,
  ): IndexAnswers[K] {
    try {
      return this.answer(request) as IndexAnswers[K];
    } catch (error) {
      if (!isDatabaseError(error)) throw error;
      this.db = this.db.reset();
      this.runs = new RunTable(this.db);
      this.dirty = true;
      return this.answer(request) as IndexAnswers[K];
    } finally {
      this.scheduleExport();
    }
  }

  /** Writes the index file now when the database changed since it was written. */
  flush(): void {
    if (this.exportTimer) clearTimeout(this.exportTimer);
    this.exportTimer = undefined;
    if (this.dirty) {
      const bytes = this.db.export();
      writeIndexFile(this.options.paths.index, bytes);
      this.fileBytes = bytes.length;
      this.dirty = false;
    }
    if (this.newestRunsFile === 'stale') {
      // A cache beside the cache: when it cannot be written, fresh processes ask the worker.
      writeNewestRuns(this.options.paths.newestRuns, this.runs);
      this.newestRunsFile = 'current';
    }
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.db.close();
    }
  }

  private answer(request: IndexRequest): IndexAnswers[IndexRequest['kind']] {
    switch (request.kind) {
      case 'listRuns':
        this.refreshRuns();
        return this.runs.list(request.query);
      case 'runCounts':
        this.refreshRuns();
        return [...this.runs.countsByVersion(request.workflow)];
      case 'findRunIds':
        this.refreshRuns();
        return this.runs.idsStartingWith(request.prefix);
      case 'listVersions':
        this.refreshVersions();
        return listVersionSummaries(this.db, request.name);
      case 'stats':
        return this.stats();
      case 'flush':
        this.flush();
        return null;
      case 'close':
        this.close();
        return null;
    }
  }

  private refreshRuns(): void {
    const started = performance.now();
    const result = this.db.transaction(() => {
      try {
        return catchUpRuns(this.runs, this.options.paths.runs);
      } catch (error) {
        // The transaction is rolled back: the strings cached since its start may be gone.
        this.runs = new RunTable(this.db);
        throw error;
      }
    });
    const { changed, ...report } = result;
    if (report.runsAdded >= COMPACT_AFTER) this.db.compact();
    this.lastCatchUp = { ...report, ms: Math.round((performance.now() - started) * 10) / 10 };
    this.dirty ||= changed;
    if (changed || this.newestRunsFile === 'unchecked') this.newestRunsFile = 'stale';
  }

  private refreshVersions(): void {
    const { changed } = this.db.transaction(() =>
      catchUpVersions(this.db, this.options.paths.snapshots, this.options.paths.controlLog),
    );
    this.dirty ||= changed;
  }

  private stats(): IndexStats {
    const { runs, open } = this.runs.counts();
    return {
      runs,
      openRuns: open,
      versions: countVersions(this.db),
      databaseBytes: this.db.imageBytes(),
      fileBytes: this.fileBytes,
      workerHeapBytes: getHeapStatistics().used_heap_size,
      opened: this.db.opened,
      lastCatchUp: this.lastCatchUp,
    };
  }

  private scheduleExport(): void {
    if (!this.dirty || this.exportTimer || this.options.exportDelayMs < 0) return;
    this.exportTimer = setTimeout(() => {
      this.exportTimer = undefined;
      try {
        this.flush();
      } catch {
        // A folder that cannot be written (read-only checkout): the index stays in memory, and
        // the next change tries again.
      }
    }, this.options.exportDelayMs);
    // The timer alone never keeps a process alive: `close` flushes what matters.
    this.exportTimer.unref();
  }
}

/** An error sql.js raised about the database itself (damaged, not a database). */
function isDatabaseError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /malformed|not a database|corrupt|no such table|no such column/i.test(message);
}
