/**
 * Wakes an idle worker when a job is enqueued: a connection of its own LISTENing on the queue's
 * channel. When the database restarts or ends the connection, it connects again with a growing
 * delay (capped), and wakes the worker once reconnected, since notifications sent meanwhile were
 * lost. Workers poll as well, so this only makes them quicker.
 */
import pg from 'pg';
import { clientConfig } from '../../store/postgres/connection.js';
import { QUEUE_CHANNEL } from './queue-schema.js';

export interface ListenerOptions {
  readonly url: string;
  readonly applicationName: string;
  /** Called on every notification, and after each reconnection. */
  readonly wake: () => void;
  /** Told about a lost connection and the delay before the next try. */
  readonly onDisconnect?: (error: unknown, retryMs: number) => void;
  readonly onReconnect?: () => void;
  /** The first and the largest delay between tries (ms). Defaults 250 and 10 000. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class QueueListener {
  private client: pg.Client | undefined;
  private closed = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ListenerOptions) {}

  /** Connects and listens; a failure is retried in the background, never thrown. */
  start(): void {
    void this.connect();
  }

  /** Stops listening and reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      ...clientConfig(this.options.url, this.options.applicationName),
      connectionTimeoutMillis: 10_000,
    });
    this.client = client;
    let lost = false;
    const onLost = (error: unknown): void => {
      if (lost) return;
      lost = true;
      void client.end().catch(() => undefined);
      this.retry(error);
    };
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the connection ended')));
    client.on('notification', () => this.options.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${QUEUE_CHANNEL}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (this.failures > 0) this.options.onReconnect?.();
    this.failures = 0;
    this.options.wake();
  }

  private retry(error: unknown): void {
    if (this.closed) return;
    const min = this.options.minDelayMs ?? 250;
    const delay = Math.min(min * 2 ** this.failures, this.options.maxDelayMs ?? 10_000);
    this.failures++;
    this.options.onDisconnect?.(error, delay);
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}
