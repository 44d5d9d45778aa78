/**
 * Scenarios for the team store's CLI tests: a workspace whose file store holds publications,
 * channel changes, a snapshot, runs and a pin, made through the real CLI; PostgreSQL URLs split
 * into a URL without a password and its PGPASSWORD; a database role with a password of its own.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import {
  assertExit,
  GREET,
  GREET_V2,
  gitRepo,
  lockstep,
  parseJson,
  writeFiles,
} from './cli-workspace.js';
import type { CliResult } from './cli.js';
import { testPostgresServer } from './postgres.js';

/** A workspace with history in its file store, and the ids of its runs (oldest first). */
export interface HistoryWorkspace {
  readonly dir: string;
  readonly storeDir: string;
  readonly runs: string[];
}

/** Runs the CLI in `dir` and asserts exit 0. */
export async function ok(
  dir: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const result = await lockstep(dir, args, env);
  assertExit(result, 0);
  return result;
}

/** Runs `greet` (a ref or its file) once and returns the run's id. */
export async function runGreet(
  dir: string,
  ref: string,
  who: string,
  env: Record<string, string | undefined> = {},
): Promise<string> {
  const result = await ok(dir, ['run', ref, '-i', `who=${who}`, '--json'], env);
  return parseJson<{ id: string }>(result).id;
}

/**
 * greet published twice, production promoted to v1 then to v2 and rolled back, a snapshot of a
 * third text, three runs (two through production, one of the snapshot) and one of them pinned.
 */
export async function workspaceWithHistory(t: TestContext): Promise<HistoryWorkspace> {
  const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
  await ok(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production', '-m', 'launch']);
  writeFiles(dir, { 'greet.workflow.yaml': GREET_V2 });
  await ok(dir, ['publish', 'greet.workflow.yaml', '-m', 'friendlier']);
  await ok(dir, ['promote', 'greet@2', '--channel', 'production']);
  await ok(dir, ['rollback', 'greet', '--channel', 'production', '-m', 'too friendly']);
  const runs = [
    await runGreet(dir, 'greet@production', 'Ada'),
    await runGreet(dir, 'greet@production', 'Bo'),
  ];
  writeFiles(dir, { 'greet.workflow.yaml': GREET_V2.replace('"Hi, "', '"Hey, "') });
  await ok(dir, ['snapshot', 'greet.workflow.yaml']);
  runs.push(await runGreet(dir, 'greet.workflow.yaml', 'Cy'));
  await ok(dir, ['pin', runs[0]!, '-m', 'the launch']);
  return { dir, storeDir: path.join(dir, '.lockstep'), runs };
}

/** A URL without its password, and the password (for PGPASSWORD). */
export function splitPassword(url: string): { url: string; password: string } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), password };
}

/**
 * A login role with a password no other text contains, owning the database at `url`: its URL
 * (with that password) and the password. Dropped with the database when the test ends.
 */
export async function roleWithPassword(
  t: TestContext,
  url: string,
): Promise<{ url: string; password: string }> {
  const role = `lockstep_role_${randomBytes(4).toString('hex')}`;
  const password = `Pw-${randomBytes(6).toString('hex')}`;
  const database = new URL(url).pathname.slice(1);
  const admin = await testPostgresServer();
  await withClient(admin, async (client) => {
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await client.query(`ALTER DATABASE ${database} OWNER TO ${role}`);
  });
  await withClient(url, (client) => client.query(`ALTER SCHEMA public OWNER TO ${role}`));
  t.after(() =>
    withClient(admin, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${role}`);
    }),
  );
  const withRole = new URL(url);
  withRole.username = role;
  withRole.password = password;
  return { url: withRole.toString(), password };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
