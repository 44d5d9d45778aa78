/**
 * Runs in a PostgreSQL store: a row per run (its summary, for history lists) and a row per
 * event, both partitioned by the day the run started so that retention drops whole days. Events
 * larger than BLOB_THRESHOLD live in content-addressed blobs. An open run names the database
 * session that writes it (see WriterSession): when that session is gone — its process was killed,
 * its machine lost — the run reads as interrupted, decided by the server, not by a clock.
 *
 * A process only cut off from the database outlives its session and may come back to its run.
 * Whoever takes the run's work over first seals it (`abandon`: closed as interrupted); every
 * write of its writer is conditioned on the run being open, so a sealed run gets no event more,
 * and its end is never recorded.
 */
import type pg from 'pg';
import { sha256 } from '../../../hash/canonical.js';
import type { ContentId } from '../../../model/content-id.js';
import { StoreError, TamperedError } from '../../../model/errors.js';
import type { RunEvent, RunHeader, RunRecord, RunSummary } from '../../../model/runs.js';
import { foldRun, summarizeRun } from '../../../store/fold-run.js';
import type { AbandonOutcome, RunQuery, RunWriter } from '../../../store/store.js';
import { retryingTransient, storeFailure } from './connection.js';
import { dayOf, RunPartitions } from './run-partitions.js';
import { CHANGE_CHANNEL } from './schema.js';
import type { WriterSession } from './writer-session.js';

/** Events at least this large (as JSON text) are stored as blobs. */
export const BLOB_THRESHOLD = 64 * 1024;

/** Batches of events up to this many go in statements prepared once per connection. */
const NAMED_BATCH = 16;

/** Whether the database session that writes run `r` is alive. */
const WRITER_ALIVE = `EXISTS (
    SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.writer_pid AND a.backend_start = r.writer_start
  )`;

/** A run's computed status: an unfinished run whose writing session is gone is interrupted. */
const STATUS = `CASE WHEN r.open AND r.status = 'running' AND NOT ${WRITER_ALIVE}
  THEN 'interrupted' ELSE r.status END`;

/** Why a writer may not go on: its run was sealed (see PgRuns.abandon). */
function abandoned(id: string): StoreError {
  return new StoreError(
    'run-abandoned',
    `run ${id} was given up as interrupted while this process was cut off from the database, and another attempt took its work over: nothing more is recorded in it`,
  );
}

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
    const run = new PgRunWriter(this.pool, this.location, header.id, day, [started], () =>
      this.session.released(header.id),
    );
    this.session.opened(header.id, () => run.sealed());
    return run;
  }

  /**
   * Seals a run whose writer is gone (see Store.abandonRun). One statement: the run's row is
   * locked first, so a writer finishing at the same moment either finished before (`ended`) or
   * finds the run sealed; the writer's liveness is the same test as the status's.
   */
  async abandon(id: string): Promise<AbandonOutcome> {
    const { rows } = await this.pool.query<{ found: AbandonOutcome }>(
      `WITH target AS (
         SELECT r.id, r.day, r.open, r.status, ${WRITER_ALIVE} AS alive FROM runs r
          WHERE r.id = $1 FOR UPDATE
       ), sealed AS (
         UPDATE runs r SET status = 'interrupted', open = false FROM target t
          WHERE r.id = t.id AND r.day = t.day AND t.open AND t.status = 'running' AND NOT t.alive
         RETURNING r.id
       )
       SELECT CASE WHEN t.id IS NULL THEN 'unknown'
                   WHEN EXISTS (SELECT 1 FROM sealed) THEN 'abandoned'
                   WHEN t.open AND t.status = 'running' THEN 'running'
                   ELSE 'ended' END AS found,
              (SELECT count(*) FROM sealed CROSS JOIN LATERAL (SELECT pg_notify($2, 'runs')) AS n) AS told
         FROM (SELECT 1) AS one LEFT JOIN target t ON true`,
      [id, CHANGE_CHANNEL],
    );
    return rows[0]!.found;
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
 * in the next statement; an append resolves once its event is committed. Every statement is
 * conditioned on the run's row being open: once the run is sealed (see PgRuns.abandon), the
 * writer is refused with `run-abandoned`, and so is every later append.
 */
class PgRunWriter implements RunWriter {
  private pending: { event: RunEvent; n: number; settle: (error?: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private next = 1;
  private open = true;
  /** Whether `run-finished` is committed (which also closed the run's row). */
  private finished = false;
  /** Set once the run is known to be sealed. */
  private refused: StoreError | undefined;

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
    if (this.refused) return Promise.reject(this.refused);
    this.events.push(event);
    return new Promise((resolve, reject) => {
      const n = this.next++;
      this.pending.push({ event, n, settle: (error) => (error ? reject(error) : resolve()) });
      // Started on the next microtask: events appended together go in one statement.
      this.flushing ??= Promise.resolve().then(() => this.flush());
    });
  }

  /** The run was found sealed (its session could not claim it again): what comes is refused. */
  sealed(): void {
    this.refused ??= abandoned(this.id);
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
      // A finished run was closed by the statement that recorded its end, a sealed one by
      // whoever sealed it.
      if (this.finished || this.refused) return;
      const summary = summarizeRun(foldRun(this.events, false)!);
      await retryingTransient(() =>
        this.pool.query(
          `WITH closed AS (
             UPDATE runs SET open = false, status = $3, summary = $4
              WHERE id = $1 AND day = $2 AND open RETURNING id
           ) SELECT pg_notify($5, 'runs') FROM closed`,
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
    if (this.refused) throw this.refused;
    const params: unknown[] = [this.id, this.day];
    const rows: string[] = [];
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
      rows.push(`($${at - 2}::integer, $${at - 1}::text, $${at}::text)`);
    }
    const values = `(VALUES ${rows.join(', ')}) AS e (n, event, blob)`;
    // Named by its size when small (most batches are one event): planned once per connection.
    const name = (kind: string) =>
      batch.length <= NAMED_BATCH ? { name: `lockstep-${kind}-${batch.length}` } : {};
    const end = batch.find(({ event }) => event.type === 'run-finished');
    if (!end) {
      // Not locked: a seal committed while this runs orders after these events, which is as if
      // they had come just before it (sealing looks at the row, never at the events).
      const { rowCount } = await this.pool.query({
        ...name('run-events'),
        text: `INSERT INTO run_events (run_id, day, n, event, blob)
          SELECT $1::text, $2::date, e.n, e.event, e.blob FROM ${values}
           WHERE EXISTS (SELECT 1 FROM runs WHERE id = $1::text AND day = $2::date AND open)
          ON CONFLICT DO NOTHING`,
        values: params,
      });
      // None inserted: refused, or all in already (an earlier try whose answer was lost).
      if (rowCount === 0 && !(await this.isOpen())) throw this.refuse();
      return;
    }
    // The run's end, its summary and its row's closing go in one statement with the events, and
    // only while the row is open: its update waits for a seal in progress, then finds it closed.
    const summary = summarizeRun(foldRun(this.events, true)!);
    params.push(summary.status, JSON.stringify(summary), CHANGE_CHANNEL);
    const at = params.length;
    const { rows: closed } = await this.pool.query<{ finished: string }>({
      ...name('run-end'),
      text: `WITH run AS (
         UPDATE runs SET status = $${at - 2}, summary = $${at - 1}, open = false
          WHERE id = $1::text AND day = $2::date AND open RETURNING id
       ), inserted AS (
         INSERT INTO run_events (run_id, day, n, event, blob)
         SELECT $1::text, $2::date, e.n, e.event, e.blob FROM run CROSS JOIN ${values}
         ON CONFLICT DO NOTHING
       )
       SELECT count(*) AS finished FROM run CROSS JOIN LATERAL (SELECT pg_notify($${at}, 'runs')) AS told`,
      values: params,
    });
    // Closed already: by this very statement when an earlier try's answer was lost, else sealed.
    if (Number(closed[0]?.finished) !== 1 && !(await this.committed(end.n))) throw this.refuse();
    this.finished = true;
  }

  /** Whether the run's row is open. */
  private async isOpen(): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM runs WHERE id = $1 AND day = $2 AND open',
      [this.id, this.day],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Whether this run's event `n` is in the store. */
  private async committed(n: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM run_events WHERE run_id = $1 AND day = $2 AND n = $3',
      [this.id, this.day, n],
    );
    return (rowCount ?? 0) > 0;
  }

  private refuse(): StoreError {
    this.sealed();
    return this.refused!;
  }
}
