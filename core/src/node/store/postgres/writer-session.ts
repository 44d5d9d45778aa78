/**
 * The database session that vouches for this process's open runs. A run row names the session's
 * backend (pid and start time); while the session lives the run reads as running, and when the
 * process dies the server closes the session and the run reads as interrupted — no heartbeat
 * and no clock involved. If the session drops while the process lives (a database restart), it
 * reconnects (retrying with a growing pause) and claims this process's open runs again — those
 * still open only: a run sealed meanwhile (see PgRuns.abandon) stays sealed, and its writer is
 * told so.
 */
import pg from 'pg';
import { clientConfig } from './connection.js';

export interface SessionIdentity {
  readonly pid: number;
  /** The backend's start time, as pg_stat_activity shows it (tells a reused pid apart). */
  readonly start: string;
}

export class WriterSession {
  private client: pg.Client | undefined;
  private current: Promise<SessionIdentity> | undefined;
  /** This process's open runs, each with what to tell its writer when it was found sealed. */
  private readonly openRuns = new Map<string, () => void>();
  private ended = false;
  private reconnecting: NodeJS.Timeout | undefined;
  private pause = 100;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
  ) {}

  /** The live session's identity, connecting (or reconnecting) first when needed. */
  async identity(): Promise<SessionIdentity> {
    if (this.ended) throw new Error('the store is closed');
    this.current ??= this.connect().catch((error: unknown) => {
      this.current = undefined;
      throw error;
    });
    return this.current;
  }

  /**
   * Notes a run this process writes (claimed again after a reconnect); `sealed` is called when
   * a reconnect finds it closed by another process.
   */
  opened(run: string, sealed: () => void): void {
    this.openRuns.set(run, sealed);
  }

  /** Notes a run this process no longer writes. */
  released(run: string): void {
    this.openRuns.delete(run);
  }

  /** Ends the session: runs still open read as interrupted from now on. */
  async end(): Promise<void> {
    this.ended = true;
    if (this.reconnecting) clearTimeout(this.reconnecting);
    const client = this.client;
    this.client = undefined;
    this.current = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<SessionIdentity> {
    const client = new pg.Client(clientConfig(this.url, 'lockstep runs'));
    const lost = (): void => {
      if (this.client !== client) return;
      this.client = undefined;
      this.current = undefined;
      this.reconnectSoon();
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    const { rows } = await client.query<SessionIdentity>(
      `SELECT pid, backend_start::text AS start FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
    );
    const identity = rows[0]!;
    this.client = client;
    if (this.openRuns.size > 0) {
      const { rows: claimed } = await this.pool.query<{ id: string }>(
        `UPDATE runs SET writer_pid = $1, writer_start = $2::timestamptz
         WHERE open AND id = ANY($3::text[]) RETURNING id`,
        [identity.pid, identity.start, [...this.openRuns.keys()]],
      );
      const kept = new Set(claimed.map((row) => row.id));
      for (const [run, sealed] of this.openRuns) {
        if (kept.has(run)) continue;
        // Closed while this process was away: sealed by the attempt that took its work over
        // (or finished by this process a moment ago, whose writer then has nothing more to write).
        this.openRuns.delete(run);
        sealed();
      }
    }
    this.pause = 100;
    return identity;
  }

  /** Reconnects while runs of this process are open, so they read as running again. */
  private reconnectSoon(): void {
    if (this.ended || this.openRuns.size === 0 || this.reconnecting) return;
    this.reconnecting = setTimeout(() => {
      this.reconnecting = undefined;
      this.identity().catch(() => {
        this.pause = Math.min(this.pause * 2, 2_000);
        this.reconnectSoon();
      });
    }, this.pause);
    this.reconnecting.unref();
  }
}
