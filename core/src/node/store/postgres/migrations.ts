/**
 * Versioned schema migrations for a PostgreSQL database shared by several Lockstep components
 * (the store, the run queue). Each component's migrations are an ordered list of SQL scripts;
 * the number applied is kept in `lockstep_schema`. Migrating runs in one transaction under an
 * advisory lock, so two processes opening a fresh database at once do not both create it, and a
 * failed script leaves nothing half-applied.
 */
import type pg from 'pg';
import { RefError, StoreFormatError } from '../../../model/errors.js';

/** Serializes migrations across processes (an arbitrary, fixed advisory-lock key). */
const MIGRATION_LOCK = 0x6c6f636b; // "lock"

export interface MigrationOptions {
  /** Install the component's schema in a database that does not have it yet. */
  readonly create: boolean;
  /** How the database is named in messages (its URL without the password). */
  readonly location: string;
}

/**
 * Brings `component`'s schema up to date.
 * @throws RefError `no-store` when the component is not installed and `create` is false.
 * @throws StoreFormatError `newer-format` when the database was migrated by a newer Lockstep.
 */
export async function applyMigrations(
  client: pg.ClientBase,
  component: string,
  migrations: readonly string[],
  options: MigrationOptions,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS lockstep_schema (component text PRIMARY KEY, version integer NOT NULL)',
    );
    const found = await client.query<{ version: number }>(
      'SELECT version FROM lockstep_schema WHERE component = $1',
      [component],
    );
    const current = found.rows[0]?.version ?? 0;
    if (current > migrations.length) {
      throw new StoreFormatError(
        'newer-format',
        `${options.location}: its ${component} schema is version ${current}, written by a newer Lockstep (this one knows up to ${migrations.length}): upgrade Lockstep to use this database`,
      );
    }
    if (current === 0 && !options.create) {
      throw new RefError(
        'no-store',
        `${options.location} holds no Lockstep ${component} yet: a command that writes (publish, run, lockstep migrate --to) creates it`,
      );
    }
    for (let version = current + 1; version <= migrations.length; version++) {
      await client.query(migrations[version - 1]!);
    }
    if (current < migrations.length) {
      await client.query(
        `INSERT INTO lockstep_schema (component, version) VALUES ($1, $2)
         ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version`,
        [component, migrations.length],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
