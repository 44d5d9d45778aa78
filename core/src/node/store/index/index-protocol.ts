/**
 * The messages between a store's index client (store-index.ts, on the thread that serves users)
 * and the index worker (index-worker.ts, which owns the sql.js database). Types only: both sides
 * import this file and nothing else of each other.
 */
import type { RunSummary } from '../../../model/runs.js';
import type { VersionSummary } from '../../../store/records.js';
import type { RunQuery } from '../../../store/store.js';

/** The files the worker reads (the store's truth) and the index file it keeps. */
export interface IndexPaths {
  /** `local/runs`: one folder per UTC day of run journals. */
  readonly runs: string;
  /** `local/versions`: one folder per workflow of snapshot records. */
  readonly snapshots: string;
  /** `control.jsonl`: the publications. */
  readonly controlLog: string;
  /** `local/index.sqlite`. */
  readonly index: string;
  /** `local/newest-runs.bin` (newest-runs.ts), written with the index file. */
  readonly newestRuns: string;
}

/** What the worker is started with (`workerData`). */
export interface IndexWorkerData {
  readonly paths: IndexPaths;
  /**
   * How long after the last change the database is exported to the index file (ms). Changes
   * that come in bursts (a CLI recording runs while the editor lists them) cost one export.
   */
  readonly exportDelayMs: number;
}

/** Facts about the index, for benchmarks and diagnostics. */
export interface IndexStats {
  /** Runs indexed (readable journals; unreadable ones are tracked but not counted). */
  readonly runs: number;
  /** Runs not finished yet (re-checked at every catch-up). */
  readonly openRuns: number;
  readonly versions: number;
  /** Size of the database image (page count × page size), bytes. */
  readonly databaseBytes: number;
  /** Bytes of the index file as last written or read; 0 when there is none. */
  readonly fileBytes: number;
  /** The worker's JavaScript heap in use, bytes (the database image lives outside it). */
  readonly workerHeapBytes: number;
  /** How the index was opened: from its file, or rebuilt (and why). */
  readonly opened: 'loaded' | 'created' | 'rebuilt-unreadable' | 'rebuilt-schema';
  /** What the last catch-up did. */
  readonly lastCatchUp: CatchUpReport;
}

/** What one catch-up read. */
export interface CatchUpReport {
  /** Day folders whose listing was read (the others were unchanged). */
  readonly daysListed: number;
  /** Journals read whole (new runs) or from where the last read stopped (open runs). */
  readonly journalsRead: number;
  readonly runsAdded: number;
  readonly runsRemoved: number;
  readonly ms: number;
}

export type IndexRequest =
  | { readonly kind: 'listRuns'; readonly query: RunQuery }
  | { readonly kind: 'findRunIds'; readonly prefix: string }
  | { readonly kind: 'runCounts'; readonly workflow: string }
  | { readonly kind: 'listVersions'; readonly name: string }
  | { readonly kind: 'stats' }
  /** Writes the index file now if anything changed since it was last written. */
  | { readonly kind: 'flush' }
  /** Flushes, then stops answering. */
  | { readonly kind: 'close' };

/** The answer to each request kind. */
export interface IndexAnswers {
  listRuns: RunSummary[];
  findRunIds: string[];
  /** Version id → number of runs. */
  runCounts: [string, number][];
  listVersions: VersionSummary[];
  stats: IndexStats;
  flush: null;
  close: null;
}

export interface IndexRequestMessage {
  readonly id: number;
  readonly request: IndexRequest;
}

export type IndexResponseMessage =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };
