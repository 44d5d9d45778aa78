/**
 * The local log (pins, prunes, gates, imports, baselines) in PostgreSQL: one row per line, each line the
 * same JSON text the file store writes, chained to the line before by its hash. Appends take an
 * advisory lock so two writers never chain to the same line.
 */
import type pg from 'pg';
import { StoreError } from '../../../model/errors.js';
import {
  localLine,
  parseLocalLog,
  type LocalEntry,
  type LocalLogLine,
} from '../../../store/local-log.js';
import { storeFailure } from './connection.js';
import { CHANGE_CHANNEL } from './schema.js';

/** Serializes local-log appends across processes (a fixed advisory-lock key). */
const LOCAL_LOG_LOCK = 0x6c6f6361; // "loca"

export class PgLocalLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {}

  /** Appends an entry chained to the last line. */
  async append(entry: LocalEntry): Promise<void> {
    await this.appendAfter(() => Promise.resolve(entry));
  }

  /**
   * Runs `change` in the transaction that appends to the log, and appends the entry it returns
   * (nothing when it returns undefined): a change and its entry are committed together or not
   * at all.
   */
  async appendAfter(
    change: (client: pg.ClientBase) => Promise<LocalEntry | undefined>,
  ): Promise<void> {
    await this.locked(async (client, last) => {
      const entry = await change(client);
      if (entry) await this.insert(client, (last?.line ?? 0) + 1, localLine(entry, last?.text));
    });
  }

  /** Every line, oldest first, parsed as the file store parses its file. */
  async read(): Promise<LocalLogLine[]> {
    const { rows } = await this.pool
      .query<{ text: string }>('SELECT text FROM local_log ORDER BY line')
      .catch((error: unknown) => {
        throw storeFailure(this.location, error);
      });
    return parseLocalLog(rows.map((row) => `${row.text}\n`).join(''));
  }

  /**
   * Appends lines exactly as given (another store's log being copied); lines already here
   * (same position, same text) are skipped.
   * @throws StoreError `broken-control-log` when the histories differ.
   * @returns how many lines were added.
   */
  async appendVerbatim(lines: readonly LocalLogLine[]): Promise<number> {
    let added = 0;
    await this.locked(async (client) => {
      const { rows } = await client.query<{ line: string; text: string }>(
        'SELECT line, text FROM local_log ORDER BY line',
      );
      for (const [i, line] of lines.entries()) {
        const here = rows[i];
        if (here) {
          if (here.text !== line.text) {
            throw new StoreError(
              'broken-control-log',
              `${this.location}: its local log line ${i + 1} differs from the one being copied: the two stores have different histories`,
            );
          }
          continue;
        }
        await this.insert(client, i + 1, line.text);
        added++;
      }
    });
    return added;
  }

  private async insert(client: pg.ClientBase, line: number, text: string): Promise<void> {
    await client.query('INSERT INTO local_log (line, text) VALUES ($1, $2)', [line, text]);
    await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, 'local']);
  }

  private async locked(
    work: (
      client: pg.ClientBase,
      last: { line: number; text: string } | undefined,
    ) => Promise<void>,
  ): Promise<void> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw storeFailure(this.location, error);
    });
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCAL_LOG_LOCK]);
      const { rows } = await client.query<{ line: string; text: string }>(
        'SELECT line, text FROM local_log ORDER BY line DESC LIMIT 1',
      );
      const last = rows[0] ? { line: Number(rows[0].line), text: rows[0].text } : undefined;
      await work(client, last);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw storeFailure(this.location, error);
    } finally {
      client.release();
    }
  }
}
