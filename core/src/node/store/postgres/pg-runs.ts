/**
 * Runs in a PostgreSQL store: a row per run (its summary, for history lists) and a row per
 * event, both partitioned by the day the run started so that retention drops whole days. Events
 * larger than BLOB_THRESHOLD live in content-addressed blobs. An open run names the database
 * session that writes it (see WriterSession): when that session is gone — its process was killed,
 * its machine lost — the run reads as interrupted, decided by the server, not by a clock.
 */
import type pg from 'pg';
import { sha256 } from '../../../hash/canonical.js';
import type { ContentId } from '../../../model/content-id.js';
import { StoreError, TamperedError } from '../../../model/errors.js';
import type { RunEvent, RunHeader, RunRecord, RunSummary } from '../../../model/runs.js';
import { foldRun, summarizeRun } from '../../../store/fold-run.js';
import type { RunQuery, RunWriter } from '../../../store/store.js';
import { retryingTransient, storeFailure } from './connection.js';
import { dayOf, RunPartitions } from './run-partitions.js';
import { CHANGE_CHANNEL } from './schema.js';
import type { WriterSession } from './writer-session.js';

/** Events at least this large (as JSON text) are stored as blobs. */
export const BLOB_THRESHOLD = 64 * 1024;

/** A run's computed status: an unfinished run whose writing session is gone is interrupted. */
const STATUS = `CASE WHEN r.open AND r.status = 'running' AND NOT EXISTS (
    SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.writer_pid AND a.backend_start = r.writer_start
  ) THEN 'interrupted' ELSE r.status END`;

export class PgRuns {
  private readonly partitions: RunPartitions;

  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
    private readonly session: WriterSession,
  ) {
    this.partitions = new RunPartitions(pool);
  }

  /** Starts a run: its id, summary row and `run-started` event in one statement. */
  async create(header: RunHeader): Promise<RunWriter> {
    const day = dayOf(header.startedAt);
    const writer = await this.session.identity();
    const started: RunEvent = { type: 'run-started', header };
    const summary = summarizeRun(foldRun([started], true)!);
    // Named: the same statement for every run, planned once per connection.
    const insert = () =>
      this.pool.query<{ created: string }>({
        name: 'lockstep-create-run',
        text: `WITH id AS (
         INSERT INTO run_ids (id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id
       ), run AS (
         INSERT INTO runs (id, day, workflow, version, mode, channel, started_at, status, open,
                           writer_pid, writer_start, summary)
         SELECT $1, $2, $3, $4, $5, $6, $7, 'running', true, $8, $9, $10 FROM id
       ), event AS (
         INSERT INTO run_events (run_id, day, n, event) SELECT $1, $2, 0, $11 FROM id
       )
       SELECT count(*) AS created FROM id CROSS JOIN LATERAL (SELECT pg_notify($12, 'runs')) AS told`,
        values: [
          header.id,
          day,
          header.workflow,
          header.version.id,
          header.mode.kind,
          header.routing?.channel ?? null,
          header.startedAt,
          writer.pid,
          writer.start,
          JSON.stringify(summary),
          JSON.stringify(started),
          CHANGE_CHANNEL,
        ],
      });
    const { rows } = await this.partitions.within(day, insert);
    if (Number(rows[0]?.created) !== 1) {
      throw new StoreError('duplicate-run', `run ${header.id} already exists`);
    }
    this.session.opened(header.id);
    return new PgRunWriter(this.pool, this.location, header.id, day, [started], () =>
      this.session.released(header.id),
    );
  }

  /** A run folded from its events, or undefined. */
  async get(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.pool.query<{ day: string; status: string }>(
      `SELECT to_char(r.day, 'YYYY-MM-DD') AS day, ${STATUS} AS status FROM runs r WHERE r.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const events = await this.events(id, row.day);
    const record = foldRun(events, row.status === 'running');
    if (!record) {
      throw new TamperedError(`${this.location} run ${id}`, 'its events do not start a run');
    }
    return record;
  }

  /** Summaries matching `query`, newest first (the same order as every backend). */
  async list(query: RunQuery): Promise<RunSummary[]> {
    const { rows } = await this.pool.query<{ summary: RunSummary; status: RunSummary['status'] }>(
      `SELECT r.summary, ${STATUS} AS status FROM runs r
       WHERE ($1::text IS NULL OR r.workflow = $1)
         AND ($2::text IS NULL OR r.version = $2)
         AND ($3::text IS NULL OR r.mode = $3)
         AND ($4::text IS NULL OR r.channel = $4)
         AND ($5::text IS NULL OR ${STATUS} = $5)
       ORDER BY r.started_at COLLATE "C" DESC, r.id COLLATE "C" DESC
       LIMIT $6`,
      [
        query.workflow ?? null,
        query.version ?? null,
        query.mode ?? null,
        query.channel ?? null,
        query.status ?? null,
        query.limit ?? 50,
      ],
    );
    return rows.map((row) => ({ ...row.summary, status: row.status }));
  }

  /** How many runs each version of `workflow` has. */
  async countsByVersion(workflow: string): Promise<Map<ContentId, number>> {
    const { rows } = await this.pool.query<{ version: ContentId; runs: string }>(
      'SELECT version, count(*) AS runs FROM runs WHERE workflow = $1 GROUP BY version',
      [workflow],
    );
    return new Map(rows.map((row) => [row.version, Number(row.runs)]));
  }

  /** Ids starting with `prefix`, sorted. */
  async findIds(prefix: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM run_ids WHERE starts_with(id, $1) ORDER BY id COLLATE "C"',
      [prefix],
    );
    return rows.map((row) => row.id);
  }

  /** Whether a run with this id exists. */
  async exists(id: string): Promise<boolean> {
    return (await this.existing([id])).length > 0;
  }

  /** Those of `ids` that exist. */
  async existing(ids: readonly string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM run_ids WHERE id = ANY($1::text[])',
      [ids],
    );
    return rows.map((row) => row.id);
  }

  /** Whether any run ran this version (such a version must stay). */
  async anyRunOf(version: ContentId): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM runs WHERE version = $1 LIMIT 1', [
      version,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /**
   * Removes the runs given that exist. A day whose every run goes is dropped whole (its
   * partitions), the others row by row.
   * @returns the removed ids.
   */
  async remove(ids: readonly string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string; day: string }>(
      `SELECT id, to_char(day, 'YYYY-MM-DD') AS day FROM run_ids WHERE id = ANY($1::text[])`,
      [ids],
    );
    const byDay = new Map<string, string[]>();
    for (const row of rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row.id]);
    for (const [day, dayIds] of byDay) await this.partitions.removeFromDay(day, dayIds);
    if (rows.length > 0)
      await this.pool.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, 'runs']);
    const removed = new Set(rows.map((row) => row.id));
    return ids.filter((id) => removed.has(id));
  }

  private async events(id: string, day: string): Promise<RunEvent[]> {
    const { rows } = await this.pool.query<{ event: string | null; blob: string | null }>(
      'SELECT event, blob FROM run_events WHERE run_id = $1 AND day = $2 ORDER BY n',
      [id, day],
    );
    const events: RunEvent[] = [];
    for (const row of rows) {
      const text = row.event ?? (await this.blobText(id, row.blob!));
      events.push(JSON.parse(text) as RunEvent);
    }
    return events;
  }

  private async blobText(run: string, blob: string): Promise<string> {
    const { rows } = await this.pool.query<{ data: Buffer }>(
      'SELECT data FROM blobs WHERE id = $1',
      [blob],
    );
    const data = rows[0]?.data;
    if (!data || sha256(data) !== blob) {
      throw new TamperedError(
        `${this.location} run ${run}`,
        `an event's blob ${blob} is ${data ? 'damaged' : 'missing'}`,
      );
    }
    return data.toString('utf8');
  }
}

/**
 * Writes one run's events in call order. Events appended while a write is in flight go together
 * in the next statement; an append resolves once its event is committed.
 */
class PgRunWriter implements RunWriter {
  private pending: { event: RunEvent; n: number; settle: (error?: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private next = 1;
  private open = true;
  /** Whether `run-finished` is committed (which also closed the run's row). */
  private finished = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
    readonly id: string,
    private readonly day: string,
    /** Every event so far: the summary is folded from them when the run finishes. */
    private readonly events: RunEvent[],
    private readonly onClosed: () => void,
  ) {}

  append(event: RunEvent): Promise<void> {
    if (!this.open) {
      return Promise.reject(new StoreError('closed-run', `run ${this.id} is closed`));
    }
    this.events.push(event);
    return new Promise((resolve, reject) => {
      const n = this.next++;
      this.pending.push({ event, n, settle: (error) => (error ? reject(error) : resolve()) });
      // Started on the next microtask: events appended together go in one statement.
      this.flushing ??= Promise.resolve().then(() => this.flush());
    });
  }

  async sync(): Promise<void> {
    // A commit is durable: nothing more to wait for than the writes in flight.
    await this.flushing;
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.flushing;
    try {
      // A finished run was closed by the statement that recorded its end.
      if (this.finished) return;
      const summary = summarizeRun(foldRun(this.events, false)!);
      await retryingTransient(() =>
        this.pool.query(
          `WITH closed AS (
             UPDATE runs SET open = false, status = $3, summary = $4 WHERE id = $1 AND day = $2
           ) SELECT pg_notify($5, 'runs')`,
          [this.id, this.day, summary.status, JSON.stringify(summary), CHANGE_CHANNEL],
        ),
      );
    } catch (error) {
      throw storeFailure(this.location, error);
    } finally {
      this.onClosed();
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        // Repeatable (events keep their numbers and are inserted once): a dropped connection or
        // a database restart delays the run's recording instead of losing its events.
        await retryingTransient(() => this.write(batch));
        for (const item of batch) item.settle();
      } catch (error) {
        const failure = storeFailure(this.location, error);
        for (const item of batch) item.settle(failure);
      }
    }
    this.flushing = undefined;
  }

  private async write(batch: readonly { event: RunEvent; n: number }[]): Promise<void> {
    const params: unknown[] = [this.id, this.day];
    const values: string[] = [];
    for (const { event, n } of batch) {
      const text = JSON.stringify(event);
      let blob: string | null = null;
      let inline: string | null = text;
      if (text.length >= BLOB_THRESHOLD) {
        const data = Buffer.from(text, 'utf8');
        blob = sha256(data);
        inline = null;
        await this.pool.query(
          'INSERT INTO blobs (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
          [blob, data],
        );
      }
      params.push(n, inline, blob);
      const at = params.length;
      values.push(`($1, $2, $${at - 2}, $${at - 1}, $${at})`);
    }
    const insert = `INSERT INTO run_events (run_id, day, n, event, blob) VALUES ${values.join(', ')}
      ON CONFLICT DO NOTHING`;
    const finished = batch.some(({ event }) => event.type === 'run-finished');
    if (!finished) {
      await this.pool.query(insert, params);
      return;
    }
    // The run's end, its summary and its row's closing go in the same statement as the events.
    const summary = summarizeRun(foldRun(this.events, true)!);
    params.push(summary.status, JSON.stringify(summary), CHANGE_CHANNEL);
    const at = params.length;
    await this.pool.query(
      `WITH inserted AS (${insert} RETURNING n), finished AS (
         UPDATE runs SET status = $${at - 2}, summary = $${at - 1}, open = false
         WHERE id = $1 AND day = $2
       ) SELECT pg_notify($${at}, 'runs')`,
      params,
    );
    this.finished = true;
  }
}
