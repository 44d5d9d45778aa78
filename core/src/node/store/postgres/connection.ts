/**
 * Connecting to a PostgreSQL store, and turning a refused or failed connection into an error that
 * says what to check. Credentials
 * come from the URL (LOCKSTEP_STORE, --store) or, as libpq does, from PGPASSWORD / ~/.pgpass
 * (see clientConfig); a URL is never shown with its password.
 */
/// <reference path="./pgpass.d.ts" />
import pg from 'pg';
import { parse } from 'pg-connection-string';
import pgpass from 'pgpass';
import { LockstepError, StoreError } from '../../../model/errors.js';
import { isTransient } from './connection-errors.js';

/**
 * How to connect to `url`: its parts, tagged with `applicationName` for the server's activity
 * view, and — when the URL holds no password — the password looked up only when the server asks
 * for one: PGPASSWORD, else the line of ~/.pgpass (or PGPASSFILE) for this host, port, database
 * and user. (pg's own ~/.pgpass lookup is deprecated and warns on every command.)
 */
export function clientConfig(url: string, applicationName = 'lockstep'): pg.ClientConfig {
  const { password, port, host, database, user, application_name, options } = parse(url);
  return {
    ...(host ? { host } : {}),
    ...(port ? { port: Number(port) } : {}),
    ...(database ? { database } : {}),
    ...(user ? { user } : {}),
    ...(options ? { options } : {}),
    application_name: application_name ?? applicationName,
    password: password
      ? password
      : () => passwordFor({ host: host ?? 'localhost', port: port ?? '5432', database, user }),
  };
}

async function passwordFor(connection: {
  host: string;
  port: string;
  database: string | null | undefined;
  user: string | undefined;
}): Promise<string> {
  const fromEnvironment = process.env['PGPASSWORD'];
  if (fromEnvironment) return fromEnvironment;
  // None found: an empty one, which the server refuses (said as "none was given", see storeFailure).
  return new Promise((resolve) => pgpass(connection, (found) => resolve(found ?? '')));
}

/** A connection pool for `url`, tagged so the server's activity view names Lockstep. */
export function createPool(url: string, max = 10, applicationName = 'lockstep'): pg.Pool {
  const pool = new pg.Pool({
    ...clientConfig(url, applicationName),
    max,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that the server closes (restart, pg_terminate_backend) must not crash the
  // process: the pool drops it and the next query opens another.
  pool.on('error', () => undefined);
  return pool;
}

/** What a database is to Lockstep, for messages: its name and where its URL and password come from. */
export interface DatabaseRole {
  /** `the PostgreSQL store`, `the run queue's database`. */
  readonly noun: string;
  /** Where the URL is set. */
  readonly urlFrom: string;
  /** Where a password may be given, besides PGPASSWORD and ~/.pgpass. */
  readonly passwordFrom: string;
}

/** The workspace's store. */
export const STORE_ROLE: DatabaseRole = {
  noun: 'the PostgreSQL store',
  urlFrom: "LOCKSTEP_STORE, --store or the config's store:",
  passwordFrom: 'LOCKSTEP_STORE (in VS Code: "Lockstep: Set Team Store Password…")',
};

/**
 * The error to show for a failure talking to the database: Lockstep's own errors unchanged,
 * anything else as a StoreError naming the database (`role`, never its password) and the server's
 * message, and saying what to check.
 */
export function storeFailure(
  location: string,
  error: unknown,
  role: DatabaseRole = STORE_ROLE,
): Error {
  if (error instanceof LockstepError) return error;
  const code = (error as { code?: unknown }).code;
  const message = redactUrlPasswords(error instanceof Error ? error.message : String(error));
  const at = `${role.noun} at ${location}`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return new StoreError(
      'store-unreachable',
      `cannot reach ${at} (${message}): is the server running, and is the URL in ${role.urlFrom} right?`,
      { cause: error },
    );
  }
  // pg's words when the server asks for a password and none was given.
  if (/client password must be a string|empty password returned by client/i.test(message)) {
    return new StoreError(
      'store-login',
      `${at} asks for a password and none was given: set it in PGPASSWORD or ~/.pgpass, or in ${role.passwordFrom}`,
      { cause: error },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new StoreError(
      'store-login',
      `${at} refused the login (${message}): set the password in PGPASSWORD or ~/.pgpass, or in ${role.passwordFrom}`,
      { cause: error },
    );
  }
  if (code === '3D000') {
    return new StoreError(
      'no-store',
      `${at} does not exist (${message}): create the database (createdb) first`,
      { cause: error },
    );
  }
  return new StoreError('unwritable', `${at} failed: ${message}`, { cause: error });
}

/**
 * Runs `work` (which must be safe to repeat), retrying it while the database is unreachable, with
 * a growing pause (0.1 s up to 2 s) for at most `patienceMs`: a database restart or a dropped
 * connection then delays a run's recording instead of losing its events.
 */
export async function retryingTransient<T>(
  work: () => Promise<T>,
  patienceMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (let pause = 100; ; pause = Math.min(pause * 2, 2_000)) {
    try {
      return await work();
    } catch (error) {
      if (!isTransient(error) || Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** Removes any `user:password@` from URLs quoted in a message. */
function redactUrlPasswords(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*):[^@\s]*@/gi, '$1@');
}
