/**
 * The day partitions of `runs` and `run_events`: created when the first run of a day starts,
 * dropped whole when retention removes every run of a day (far cheaper than deleting rows, and
 * it gives the space back at once). Creating and dropping take one advisory lock, so a run
 * starting on a day never races the drop of that day.
 */
import type pg from 'pg';

/** PostgreSQL's code for a row no partition accepts ("no partition of relation … found"). */
const NO_PARTITION = '23514';

/** Serializes partition changes across processes (a fixed advisory-lock key). */
const PARTITION_LOCK = 0x70617274; // "part"

/** The UTC day (YYYY-MM-DD) a run that started at `iso` belongs to. */
export function dayOf(iso: string): string {
  const time = Date.parse(iso);
  return new Date(Number.isNaN(time) ? Date.now() : time).toISOString().slice(0, 10);
}

export class RunPartitions {
  /** Days known to have their partitions (in this process). */
  private readonly known = new Set<string>();

  constructor(private readonly pool: pg.Pool) {}

  /**
   * Runs `insert` (rows of `day`) once the day's partitions exist. The days known here may be out
   * of date — another process's retention may have dropped one since — so an insert that finds no
   * partition makes sure of it again and is tried once more.
   */
  async within<T>(day: string, insert: () => Promise<T>): Promise<T> {
    await this.ensure(day);
    try {
      return await insert();
    } catch (error) {
      if ((error as { code?: unknown }).code !== NO_PARTITION) throw error;
      this.known.delete(day);
      await this.ensure(day);
      return insert();
    }
  }

  /** Makes sure the day's partitions exist. */
  private async ensure(day: string): Promise<void> {
    if (this.known.has(day)) return;
    await this.locked(async (client) => {
      const next = nextDay(day);
      for (const table of ['runs', 'run_events']) {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(table, day)} PARTITION OF ${table}
           FOR VALUES FROM ('${day}') TO ('${next}')`,
        );
      }
    });
    this.known.add(day);
  }

  /**
   * Removes `ids` (all of `day`): the day's partitions go whole when these are all its runs,
   * else the rows.
   */
  async removeFromDay(day: string, ids: readonly string[]): Promise<void> {
    await this.locked(async (client) => {
      const { rows } = await client.query<{ runs: string }>(
        'SELECT count(*) AS runs FROM runs WHERE day = $1',
        [day],
      );
      if (Number(rows[0]?.runs) <= ids.length) {
        for (const table of ['run_events', 'runs']) {
          await client.query(`DROP TABLE IF EXISTS ${partitionName(table, day)}`);
        }
        this.known.delete(day);
      } else {
        await client.query('DELETE FROM run_events WHERE day = $1 AND run_id = ANY($2::text[])', [
          day,
          ids,
        ]);
        await client.query('DELETE FROM runs WHERE day = $1 AND id = ANY($2::text[])', [day, ids]);
      }
      await client.query('DELETE FROM run_ids WHERE id = ANY($1::text[])', [ids]);
    });
  }

  private async locked(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** `runs_20261206`: the day is validated (dayOf), so the name is safe to splice into SQL. */
function partitionName(table: string, day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return `${table}_${day.replaceAll('-', '')}`;
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
