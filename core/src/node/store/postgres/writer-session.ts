/**
 * The database session that vouches for this process's open runs. A run row names the session's
 * backend (pid and start time); while the session lives the run reads as running, and when the
 * process dies the server closes the session and the run reads as interrupted — no heartbeat
 * and no clock involved. If the session drops while the process lives (a database restart), the
 * next run started reconnects and claims this process's open runs again.
 */
import pg from 'pg';

export interface SessionIdentity {
  readonly pid: number;
  /** The backend's start time, as pg_stat_activity shows it (tells a reused pid apart). */
  readonly start: string;
}

export class WriterSession {
  private client: pg.Client | undefined;
  private current: Promise<SessionIdentity> | undefined;
  private readonly openRuns = new Set<string>();
  private ended = false;

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

  /** Notes a run this process writes (claimed again after a reconnect). */
  opened(run: string): void {
    this.openRuns.add(run);
  }

  /** Notes a run this process no longer writes. */
  released(run: string): void {
    this.openRuns.delete(run);
  }

  /** Ends the session: runs still open read as interrupted from now on. */
  async end(): Promise<void> {
    this.ended = true;
    const client = this.client;
    this.client = undefined;
    this.current = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<SessionIdentity> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'lockstep runs' });
    const lost = (): void => {
      if (this.client === client) {
        this.client = undefined;
        this.current = undefined;
      }
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
      await this.pool.query(
        `UPDATE runs SET writer_pid = $1, writer_start = $2::timestamptz
         WHERE open AND id = ANY($3::text[])`,
        [identity.pid, identity.start, [...this.openRuns]],
      );
    }
    return identity;
  }
}
