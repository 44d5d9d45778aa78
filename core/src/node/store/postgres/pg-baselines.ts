/**
 * Regression baselines in a PostgreSQL store: a row per baseline, its canonical text named by its
 * sha256 exactly as a baseline file is, one per run and workflow. Rows are never updated: a
 * baseline is added once and removed whole; its text is checked against its id whenever it is
 * read, so a row edited in the database is reported, not replayed. Every change is recorded in
 * the store's local log in the same transaction (who, when, which run) and announced on the
 * store's change channel (`baselines`).
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
  type BaselineChange,
  type BaselineStore,
  type StoredBaseline,
} from '../../../baselines/baseline-store.js';
import { shortId, type ContentId } from '../../../model/content-id.js';
import { checkWorkflowName } from '../../../model/names.js';
import type { RunRecord } from '../../../model/runs.js';
import type { BaselineEntry } from '../../../store/local-log.js';
import { storeFailure } from './connection.js';
import type { PgLocalLog } from './pg-local-log.js';
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
    /** The store's local log, where each change is recorded with it. */
    private readonly log: PgLocalLog,
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
    by: BaselineChange,
  ): Promise<{ stored: StoredBaseline; created: boolean }> {
    checkRunOf(workflow, run);
    const baseline = baselineOf(run, redact);
    const text = baselineText(baseline);
    const id = baselineId(text);
    const stored = { id, location: this.locationOf(workflow, id), baseline };
    if (await this.insert(workflow, stored, text, by)) return { stored, created: true };
    const existing = (await this.list(workflow)).find(
      (kept) => kept.baseline.run.header.id === run.header.id,
    );
    if (existing) return { stored: existing, created: false };
    // The same text under another run id cannot be (the run id is in the text): a race with a
    // removal. Adding again settles it.
    return this.add(workflow, run, redact, by);
  }

  /**
   * Keeps a baseline as it is (a baseline file being migrated: same text, same id). Not an entry
   * of the local log: the migration copies the file store's log verbatim, and git holds the
   * file's history.
   * @returns whether it was new here.
   * @throws BaselineError when its text does not match its id.
   */
  async put(workflow: string, stored: StoredBaseline): Promise<boolean> {
    const text = baselineText(stored.baseline);
    if (baselineId(text) !== stored.id) {
      throw new BaselineError(stored.location, 'its content does not match its name');
    }
    return this.insert(workflow, stored, text, undefined);
  }

  async remove(workflow: string, run: string, by: BaselineChange): Promise<StoredBaseline> {
    const match = baselineOfRun(await this.list(workflow), workflow, run);
    await this.log.appendAfter(async (client) => {
      const { rowCount } = await client.query(
        'DELETE FROM baselines WHERE workflow = $1 AND id = $2',
        [workflow, match.id],
      );
      if (rowCount === 0) return undefined; // removed by someone else a moment ago
      await client.query("SELECT pg_notify($1, 'baselines')", [CHANGE_CHANNEL]);
      return entryOf('remove', workflow, match, by);
    });
    return match;
  }

  /**
   * Inserts a baseline with its audit entry (`by` given), in one transaction; false when the
   * workflow already has it (or a baseline of its run: a run added by two people at once is one
   * baseline).
   */
  private async insert(
    workflow: string,
    stored: StoredBaseline,
    text: string,
    by: BaselineChange | undefined,
  ): Promise<boolean> {
    const header = stored.baseline.run.header;
    let created = false;
    await this.log.appendAfter(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO baselines (workflow, id, run_id, started_at, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [workflow, stored.id, header.id, header.startedAt, text],
      );
      if (rowCount === 0) return undefined;
      created = true;
      await client.query("SELECT pg_notify($1, 'baselines')", [CHANGE_CHANNEL]);
      return by && entryOf('add', workflow, stored, by);
    });
    return created;
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

/** The audit entry of a change. */
function entryOf(
  action: BaselineEntry['action'],
  workflow: string,
  stored: StoredBaseline,
  by: BaselineChange,
): BaselineEntry {
  return {
    type: 'baseline',
    action,
    workflow,
    run: stored.baseline.run.header.id,
    baseline: stored.id,
    actor: by.actor,
    at: by.at,
  };
}
