/** Writing one run's journal: events batched per turn, a heartbeat, syncs, no gaps. */
import { closeSync, fdatasync, futimesSync, writeSync } from 'node:fs';
import { StoreError } from '../../../model/errors.js';
import type { RunEvent } from '../../../model/runs.js';
import type { RunWriter } from '../../../store/store.js';
import { releaseLargeScratch, utf8Lines } from './journal-bytes.js';

/** How often a writer proves it is alive (see `writerAliveAt` in run-journals.ts). */
export const HEARTBEAT_MS = 5_000;

/**
 * Appends to one journal. Events appended while the process runs through its current batch of
 * callbacks (the microtasks of one turn) go out in one write(), issued before the event loop
 * moves on to any I/O, timer or other callback; `sync` and `close` write what is pending first.
 * A run answered at once (a replay) thus costs one write() with its header instead of one per
 * event, and nothing outside the process can observe the difference.
 */
export class FileRunWriter implements RunWriter {
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  /** Events appended and not yet written (as JSON), and the appends waiting for them. */
  private pending: string[] = [];
  private batch: { readonly settled: Promise<void>; settle: (error?: unknown) => void } | undefined;
  /**
   * Why a write failed: later events are refused with it, so a journal never has a gap (an event
   * missing before others that were written).
   */
  private failure: unknown;

  /**
   * @param fd the journal, just created (empty) and open for writing; closed by `close`.
   * @param first the run's `run-started` event (its header).
   */
  constructor(
    readonly id: string,
    private readonly fd: number,
    first: RunEvent,
  ) {
    // The header goes out with the run's first events, in the same write (see `append`); a
    // failure of that write is reported by the next append, sync or close.
    this.enqueue(JSON.stringify(first)).catch(() => undefined);
    this.heartbeat = setInterval(() => {
      try {
        const now = new Date();
        futimesSync(this.fd, now, now);
      } catch {
        // The next append or the close reports a real problem with the file.
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Resolves once the event is written (handed to the OS), in order with every other append. */
  append(event: RunEvent): Promise<void> {
    if (this.closed)
      return Promise.reject(new StoreError('closed-run', `run ${this.id} is closed`));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    let line: string;
    try {
      line = JSON.stringify(event);
    } catch (error) {
      return Promise.reject(error as Error); // not JSON (a cycle, a BigInt): this append fails
    }
    return this.enqueue(line);
  }

  /** Queues a line for the write at the end of this turn; resolves once it is written. */
  private enqueue(line: string): Promise<void> {
    this.pending.push(line);
    if (!this.batch) {
      let settle!: (error?: unknown) => void;
      const settled = new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
      });
      this.batch = { settled, settle };
      // After the current microtasks, before the event loop continues.
      process.nextTick(() => this.writePending());
    }
    return this.batch.settled;
  }

  sync(): Promise<void> {
    this.writePending();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      fdatasync(this.fd, (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    try {
      await this.sync();
    } finally {
      closeSync(this.fd);
    }
  }

  /** Writes the pending lines, settling their appends (a failure is kept in `failure`). */
  private writePending(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    const lines = this.pending;
    this.pending = [];
    try {
      this.write(lines);
    } catch (error) {
      this.failure ??= error;
      batch.settle(error);
      return;
    }
    batch.settle();
  }

  private write(lines: readonly string[]): void {
    // Whole lines only: a killed process leaves at most a cut last line, which readers ignore.
    const bytes = utf8Lines(lines);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    releaseLargeScratch();
  }
}
