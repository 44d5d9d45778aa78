/**
 * `lockstep serve` and `lockstep worker` as real processes for integration tests, killed when the
 * test ends if still running, and a small client for the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { HERMETIC_ENV, lockstep } from './cli-workspace.js';
import { CLI } from './paths.js';
import { pollUntil } from './store-wait.js';

export interface TeamProcess {
  readonly child: ChildProcess;
  /** Everything written to standard output and error so far. */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `lockstep <args>` in `cwd`; killed (SIGKILL) after the test unless it exited. */
export function startLockstep(
  t: TestContext,
  cwd: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): TeamProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries({
    ...HERMETIC_ENV,
    LOCKSTEP_STORE: undefined,
    LOCKSTEP_QUEUE: undefined,
    LOCKSTEP_SERVE_TOKENS: undefined,
    ...env,
  })) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  t.after(async () => {
    if (done) return;
    child.kill('SIGKILL');
    await exited;
  });
  return { child, output: () => output, exited };
}

/**
 * Where serve and workers find the queue: a database URL (LOCKSTEP_QUEUE, the store staying in
 * files), or a PostgreSQL store whose database holds the queue too (LOCKSTEP_STORE).
 */
export type QueueWhere = string | { readonly store: string };

function queueEnv(where: QueueWhere): Record<string, string> {
  return typeof where === 'string' ? { LOCKSTEP_QUEUE: where } : { LOCKSTEP_STORE: where.store };
}

/** A worker taking runs for the workspace `dir`, once it says it is taking them. */
export async function startWorker(
  t: TestContext,
  dir: string,
  where: QueueWhere,
  args: readonly string[] = [],
): Promise<TeamProcess> {
  const worker = startLockstep(t, dir, ['worker', ...args], queueEnv(where));
  await pollUntil(() => worker.output().includes('taking runs from'), {
    timeoutMs: 20_000,
    what: `the worker to start: ${worker.output()}`,
  });
  return worker;
}

/** `lockstep serve` on a free port of 127.0.0.1: its origin once it listens. */
export async function startServe(
  t: TestContext,
  dir: string,
  where: QueueWhere,
  tokens: string,
): Promise<{ origin: string; process: TeamProcess }> {
  const serve = startLockstep(
    t,
    dir,
    ['serve', '--port', '0', '--tokens', tokens],
    queueEnv(where),
  );
  const origin = await pollUntil(
    () => {
      if (serve.child.exitCode !== null) throw new Error(`serve exited: ${serve.output()}`);
      return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output())?.[1];
    },
    { timeoutMs: 20_000, what: 'serve to listen' },
  );
  return { origin, process: serve };
}

/** A new token of `scope` (appended to `tokens`), as `lockstep serve token create` prints it. */
export async function newToken(dir: string, tokens: string, scope: string): Promise<string> {
  const result = await lockstep(dir, [
    'serve',
    'token',
    'create',
    '--scope',
    scope,
    '--tokens',
    tokens,
  ]);
  if (result.code !== 0) throw new Error(`token create failed: ${result.stderr}`);
  return result.stdout.trim();
}

export interface ApiAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** One request to the API, its answer parsed as JSON. */
export async function api<T = Record<string, unknown>>(
  origin: string,
  path: string,
  options: { token?: string; method?: string; body?: unknown; rawBody?: string } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = options.rawBody ?? JSON.stringify(options.body);
  }
  const response = await fetch(`${origin}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as T, headers: response.headers };
}
