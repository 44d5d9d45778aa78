/**
 * Change notifications of a PostgreSQL store (LISTEN/NOTIFY): every write announces what kind of
 * thing changed on one channel, so the editor's service and long-running library users refresh
 * without polling. One listening connection per store, opened on the first subscriber, reopened
 * after the connection drops (a listener is told `reconnected`: it may have missed changes).
 */
import pg from 'pg';
import { clientConfig } from './connection.js';
import { CHANGE_CHANNEL } from './schema.js';

/** What changed: the control log, runs, the local log, baselines; or the listener reconnected. */
export type StoreChange = 'control' | 'runs' | 'local' | 'baselines' | 'reconnected';

const KINDS: ReadonlySet<string> = new Set(['control', 'runs', 'local', 'baselines']);

export class PgChanges {
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly url: string) {}

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.retry) void this.connect(false);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.disconnect();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.disconnect();
  }

  private async connect(again: boolean): Promise<void> {
    this.retry = undefined;
    if (this.closed || this.listeners.size === 0) return;
    const client = new pg.Client(clientConfig(this.url));
    const lost = (): void => {
      if (this.client !== client) return;
      this.client = undefined;
      this.scheduleRetry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || !KINDS.has(message.payload ?? '')) return;
      this.emit(message.payload as StoreChange);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch {
      await client.end().catch(() => undefined);
      this.scheduleRetry();
      return;
    }
    if (this.closed || this.listeners.size === 0) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (again) this.emit('reconnected');
  }

  private scheduleRetry(): void {
    if (this.closed || this.listeners.size === 0 || this.retry) return;
    this.retry = setTimeout(() => void this.connect(true), 1_000);
    this.retry.unref();
  }

  private async disconnect(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
