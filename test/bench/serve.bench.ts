/**
 * From an HTTP request to its run started: `lockstep serve` and one idle `lockstep worker` as real
 * processes on a PostgreSQL queue, a workflow of one transform step published on `production`,
 * and requests sent one at a time (`POST /v1/runs`). The latency is the run's recorded start
 * (`header.startedAt`, written by the worker on this machine's clock) minus the moment the request
 * was sent: the enqueue, the notification that wakes the worker, its take, the channel's routing
 * and the run's first journal write. The worker polls only every 2 s, so a figure far below that
 * is the notification at work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createToken } from '../../core/src/node/team/serve/tokens.js';
import { runLockstep } from '../helpers/cli.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../helpers/embedded-postgres.js';
import { CLI } from '../helpers/paths.js';
import { databaseUrl } from '../helpers/postgres.js';
import { benchTempRoot } from './publish.bench.js';
import { summarize, table, type Summary } from './stats.js';
import { adminQuery } from './team-store.bench.js';

export interface ServeBenchOptions {
  /** Requests sent, one after the other (the first, which warms up, is not counted). */
  readonly requests: number;
}

export const DEFAULT_SERVE_OPTIONS: ServeBenchOptions = { requests: 41 };

export interface ServeBenchResult {
  readonly name: 'serve';
  readonly options: ServeBenchOptions;
  /** Request sent → run started (ms). */
  readonly toStarted: Summary;
  /** Request sent → the request's answer (202) received (ms). */
  readonly toAccepted: Summary;
  readonly report: string;
}

const WORKFLOW = `name: ping
inputs:
  n: { type: integer }
steps:
  - id: pong
    transform: \${{ inputs.n + 1 }}
`;

export async function runServeBench(
  options: ServeBenchOptions = DEFAULT_SERVE_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<ServeBenchResult> {
  const temp = benchTempRoot();
  const children: ChildProcess[] = [];
  let server: RunningPostgres | undefined;
  try {
    let admin = process.env.LOCKSTEP_TEST_PG;
    if (!admin) {
      log('serve: starting PostgreSQL');
      server = await startEmbeddedPostgres();
      admin = server.url;
    }
    const name = `lockstep_serve_bench_${process.pid}`;
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${name}`);
    await adminQuery(admin, `CREATE DATABASE ${name}`);
    const queueUrl = databaseUrl(admin, name);

    const dir = path.join(temp.dir, 'workspace');
    mkdirSync(path.join(dir, '.lockstep'), { recursive: true });
    writeFileSync(path.join(dir, '.lockstep', 'config.yaml'), '');
    writeFileSync(path.join(dir, 'ping.workflow.yaml'), WORKFLOW);
    const env = { LOCKSTEP_STORE: undefined, LOCKSTEP_QUEUE: queueUrl };
    for (const args of [
      ['publish', 'ping.workflow.yaml', '-m', 'v1'],
      ['promote', 'ping@1', '--channel', 'production'],
    ]) {
      const result = await runLockstep(args, { cwd: dir, env });
      if (result.code !== 0) throw new Error(`lockstep ${args[0]}: ${result.stderr}`);
    }
    const tokens = path.join(temp.dir, 'tokens');
    const token = await createToken(tokens, 'run', 'bench');

    log('serve: starting serve and a worker');
    const serve = start(dir, ['serve', '--port', '0', '--tokens', tokens], env, children);
    const worker = start(dir, ['worker'], env, children);
    const origin = await waitFor(() => /listening on (http:\/\/[\d.:]+)/.exec(serve.output())?.[1]);
    await waitFor(() => worker.output().includes('taking runs from') || undefined);

    const started: number[] = [];
    const accepted: number[] = [];
    for (let n = 0; n < options.requests; n++) {
      const sent = Date.now();
      const response = await fetch(`${origin}/v1/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workflow: 'ping@production', input: { n } }),
      });
      const answered = Date.now();
      const { id } = (await response.json()) as { id: string };
      const startedAt = await waitFor(async () => {
        const view = await fetch(`${origin}/v1/runs/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await view.json()) as { run: { header: { startedAt: string } } | null };
        return body.run?.header.startedAt;
      });
      if (n === 0) continue; // warm-up: connections, caches
      accepted.push(answered - sent);
      started.push(Date.parse(startedAt) - sent);
    }
    const toStarted = summarize(started);
    const toAccepted = summarize(accepted);
    return {
      name: 'serve',
      options,
      toStarted,
      toAccepted,
      report: [
        `Serve: from POST /v1/runs to the run started by an idle worker, ${started.length} requests one at a time (${os.cpus().length} cores, server on this machine; ms)`,
        table(
          ['', 'median', 'p95', 'min', 'max'],
          [
            ['request → 202 answer', toAccepted],
            ['request → run started', toStarted],
          ].map(([label, s]) => {
            const summary = s as Summary;
            return [
              label as string,
              String(summary.median),
              String(summary.p95),
              String(summary.min),
              String(summary.max),
            ];
          }),
        ),
      ].join('\n'),
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await server?.stop();
    temp.cleanup();
  }
}

function start(
  cwd: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  children: ChildProcess[],
): { output: () => string } {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: merged });
  children.push(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { output: () => output };
}

async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('serve benchmark: timed out');
    await delay(5);
  }
}
