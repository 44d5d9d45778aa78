/**
 * Regression baselines in a PostgreSQL store: a row per baseline, its canonical text named by its
 * sha256 exactly as a baseline file is, one per run and workflow. Rows are never updated: a
 * baseline is added once and removed whole; its text is checked against its id whenever it is
 * read, so a row edited in the database is reported, not replayed. Every change is announced on
 * the store's change channel (`baselines`).
 */
import type pg from 'pg';
import {
  BaselineError,
  baselineId,
  baselineOf,
  baselineText,
  parseBaseline,
} from '../../../baselines/baseline.js';
import {
  baselineOfRun,
  checkRunOf,
  oldestRunFirst,
  type BaselineStore,
  type StoredBaseline,
} from '../../../baselines/baseline-store.js';
import { shortId, type ContentId } from '../../../model/content-id.js';
import { checkWorkflowName } from '../../../model/names.js';
import type { RunRecord } from '../../../model/runs.js';
import { storeFailure } from './connection.js';
import { CHANGE_CHANNEL } from './schema.js';

/** What to do about a damaged row: nothing in git to restore it from. */
const REMOVE_AND_ADD_AGAIN =
  'Remove it (`lockstep baselines <workflow> remove <run-id>`) and add the run again';

export class PgBaselines implements BaselineStore {
  readonly committed = false;

  constructor(
    private readonly pool: pg.Pool,
    /** The database as people may see it (no password). */
    readonly where: string,
  ) {}

  async list(workflow: string): Promise<StoredBaseline[]> {
    checkWorkflowName(workflow);
    const rows = await this.query<{ id: ContentId; body: string }>(
      'SELECT id, body FROM baselines WHERE workflow = $1',
      [workflow],
    );
    return rows
      .map((row) => {
        const location = this.locationOf(workflow, row.id);
        const baseline = parseBaseline(row.body, location, row.id, workflow, REMOVE_AND_ADD_AGAIN);
        return { id: row.id, location, baseline };
      })
      .sort(oldestRunFirst);
  }

  async add(
    workflow: string,
    run: RunRecord,
    redact: ReadonlyMap<string, string>,
  ): Promise<{ stored: StoredBaseline; created: boolean }> {
    checkRunOf(workflow, run);
    const baseline = baselineOf(run, redact);
    const text = baselineText(baseline);
    const id = baselineId(text);
    // One statement: a run added by two people at once is one baseline, kept by the first.
    const inserted = await this.query<{ id: ContentId }>(
      `WITH added AS (
         INSERT INTO baselines (workflow, id, run_id, started_at, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING id
       ) SELECT added.id FROM added CROSS JOIN LATERAL (SELECT pg_notify($6, 'baselines')) AS told`,
      [workflow, id, run.header.id, run.header.startedAt, text, CHANGE_CHANNEL],
    );
    if (inserted.length === 1) {
      return { stored: { id, location: this.locationOf(workflow, id), baseline }, created: true };
    }
    const existing = (await this.list(workflow)).find(
      (stored) => stored.baseline.run.header.id === run.header.id,
    );
    if (existing) return { stored: existing, created: false };
    // The same text under another run id cannot be (the run id is in the text): a race with a
    // removal. Adding again settles it.
    return this.add(workflow, run, redact);
  }

  /**
   * Keeps a baseline as it is (copied from another store: same text, same id).
   * @returns whether it was new here.
   */
  async put(workflow: string, stored: StoredBaseline): Promise<boolean> {
    const text = baselineText(stored.baseline);
    if (baselineId(text) !== stored.id) {
      throw new BaselineError(stored.location, 'its content does not match its name');
    }
    const header = stored.baseline.run.header;
    const inserted = await this.query(
      `INSERT INTO baselines (workflow, id, run_id, started_at, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING id`,
      [workflow, stored.id, header.id, header.startedAt, text],
    );
    if (inserted.length > 0)
      await this.query("SELECT pg_notify($1, 'baselines')", [CHANGE_CHANNEL]);
    return inserted.length > 0;
  }

  async remove(workflow: string, run: string): Promise<StoredBaseline> {
    const match = baselineOfRun(await this.list(workflow), workflow, run);
    await this.query(
      `WITH removed AS (DELETE FROM baselines WHERE workflow = $1 AND id = $2 RETURNING id)
       SELECT pg_notify($3, 'baselines') FROM removed`,
      [workflow, match.id, CHANGE_CHANNEL],
    );
    return match;
  }

  private locationOf(workflow: string, id: ContentId): string {
    return `${this.where} baseline ${shortId(id)} of ${workflow}`;
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      throw storeFailure(this.where, error);
    }
  }
}
