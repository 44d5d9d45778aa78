/**
 * A PostgreSQL server of a test's own, with one database, that the test can stop and start again
 * on the same data folder and port (a database restart as production sees one). The shared test
 * server (test/helpers/postgres.ts) must never be stopped, so restart tests use this.
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { freePort, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.js';
import { databaseUrl } from './postgres.js';
import { tempDir } from './temp.js';

export interface RestartablePostgres {
  /** The database's URL (the same across restarts). */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Starts a server of its own holding `database`; stopped when the test ends. */
export async function restartablePostgres(
  t: TestContext,
  database: string,
): Promise<RestartablePostgres> {
  const folder = tempDir(t);
  chmodSync(folder, 0o777); // as root the server runs as `postgres`, which must reach its folder
  const dataDir = path.join(folder, 'pg', 'data');
  const port = await freePort();
  let server: RunningPostgres = await startEmbeddedPostgres({ dataDir, port });
  t.after(() => server.stop());
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  return {
    url: databaseUrl(server.url, database),
    stop: () => server.stop(),
    start: async () => {
      server = await startEmbeddedPostgres({ dataDir, port });
    },
  };
}
