/**
 * PostgreSQL for the tests: the server named by LOCKSTEP_TEST_PG (test/run-tests.mjs starts an
 * embedded one for the whole run and sets it), else an embedded server started for this process.
 * Each test gets a database of its own, dropped when the test ends.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.js';

let started: Promise<RunningPostgres> | undefined;

/** The URL of a PostgreSQL server's `postgres` database that the tests may create databases on. */
export async function testPostgresServer(): Promise<string> {
  const named = process.env.LOCKSTEP_TEST_PG;
  if (named) return named;
  if (!started) {
    started = startEmbeddedPostgres();
    (await started).stopOnExit();
  }
  return (await started).url;
}

/** A fresh empty database for one test (dropped after it): its `postgres://` URL. */
export async function freshDatabase(t: TestContext): Promise<string> {
  const server = await testPostgresServer();
  const name = `lockstep_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(server, (client) => client.query(`CREATE DATABASE ${name}`));
  t.after(() =>
    withAdmin(server, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  );
  return databaseUrl(server, name);
}

/** The same server's URL with another database. */
export function databaseUrl(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(server: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement on the database at `url` on a connection of its own; its rows. */
export async function queryAt<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values?: unknown[],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
