/**
 * A file store's index, seen from the thread that serves users: each query is a message to a
 * worker thread that owns the sql.js database (index-worker.ts). The worker is started on the
 * first query (commands that only write never pay for it), catches up with what any process wrote
 * before answering, and writes the index file from its own thread.
 */
import { Worker } from 'node:worker_threads';
import type { ContentId } from '../../../model/content-id.js';
import { LockstepError } from '../../../model/errors.js';
import type { RunSummary } from '../../../model/runs.js';
import type { VersionSummary } from '../../../store/records.js';
import type { RunQuery } from '../../../store/store.js';
import type {
  IndexAnswers,
  IndexPaths,
  IndexRequest,
  IndexRequestMessage,
  IndexResponseMessage,
  IndexStats,
  IndexWorkerData,
} from './index-protocol.js';
import { listNewestRuns } from './newest-runs.js';

/** The worker script: beside this module, compiled (out/…/index/) or bundled (dist/). */
const WORKER_SCRIPT = new URL('./index-worker.js', import.meta.url);

export interface StoreIndexOptions {
  /** See IndexWorkerData.exportDelayMs. Default 1 000 ms. */
  readonly exportDelayMs?: number;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** Raised when the index could not answer; the store then reads the files itself. */
export class IndexUnavailableError extends LockstepError {
  constructor(message: string) {
    super('index-unavailable', message);
  }
}

export class StoreIndex {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Whether runs were listed before (only the first listing may come from the newest-runs file). */
  private listed = false;

  constructor(
    private readonly paths: IndexPaths,
    private readonly options: StoreIndexOptions = {},
  ) {}

  /**
   * Run summaries matching `query`, newest first: what the Store contract says `listRuns` returns.
   * The first listing, when it is a page of a workflow's (or all) newest runs, is answered from
   * the newest-runs file when it can be (newest-runs.ts), without starting the worker: what a CLI
   * command or a fresh History needs first. Later ones go to the worker, which keeps up with
   * changes off this thread (the file is read and caught up on this one, every time).
   */
  listRuns(query: RunQuery): Promise<RunSummary[]> {
    const first = !this.listed;
    this.listed = true;
    if (first && !this.worker && !this.closed) {
      const newest = listNewestRuns(this.paths.newestRuns, this.paths.runs, query);
      if (newest) return Promise.resolve(newest);
    }
    return this.request({ kind: 'listRuns', query });
  }

  /** Whether the worker is running (the newest-runs file answered the first listing if not). */
  get workerStarted(): boolean {
    return this.worker !== undefined;
  }

  /** How many runs each version of `workflow` has. */
  async runCounts(workflow: string): Promise<Map<ContentId, number>> {
    const pairs = await this.request({ kind: 'runCounts', workflow });
    return new Map(pairs as [ContentId, number][]);
  }

  /** Ids of the run journals whose id starts with `prefix`, sorted. */
  findRunIds(prefix: string): Promise<string[]> {
    return this.request({ kind: 'findRunIds', prefix });
  }

  /** Version summaries of `name` (snapshots and published), newest first: for history views. */
  listVersions(name: string): Promise<VersionSummary[]> {
    return this.request({ kind: 'listVersions', name });
  }

  /** Sizes and counts, for benchmarks and diagnostics. */
  stats(): Promise<IndexStats> {
    return this.request({ kind: 'stats' });
  }

  /** Writes the index file now if it is out of date (it is otherwise written shortly after). */
  async flush(): Promise<void> {
    if (this.worker) await this.request({ kind: 'flush' });
  }

  /**
   * Writes the index file if it is out of date and stops the worker. Queries after this fail.
   * Never throws: an index that could not be written is rebuilt by the next reader.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    try {
      if (worker) await this.request({ kind: 'close' });
    } catch {
      // See above: nothing is lost with the index.
    } finally {
      this.closed = true;
      this.worker = undefined;
      await worker?.terminate();
    }
  }

  private request<K extends IndexRequest['kind']>(
    request: Extract<IndexRequest, { kind: K }>,
  ): Promise<IndexAnswers[K]> {
    if (this.closed) {
      return Promise.reject(new IndexUnavailableError('the store index was closed'));
    }
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const answer = new Promise<IndexAnswers[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    // A worker with a question outstanding keeps the process alive; an idle one does not.
    worker.ref();
    worker.postMessage({ id, request } satisfies IndexRequestMessage);
    return answer;
  }

  private start(): Worker {
    const workerData: IndexWorkerData = {
      paths: this.paths,
      exportDelayMs: this.options.exportDelayMs ?? 1_000,
    };
    const worker = new Worker(WORKER_SCRIPT, { workerData });
    worker.on('message', (message: IndexResponseMessage) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new IndexUnavailableError(message.error));
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined; // the next query starts a new one
      for (const pending of this.pending.values())
        pending.reject(new IndexUnavailableError(error.message));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.pending.size > 0) fail(new Error(`the index worker stopped (exit code ${code})`));
      else if (this.worker === worker) this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
