// `lockstep serve` and `lockstep worker` as real processes over a real PostgreSQL queue: token
// scopes, a run of work@production read back stamped with the version the channel routed, its
// events over SSE, idempotent enqueue, two workers sharing jobs with nothing run twice, a worker
// SIGKILLed mid-run (the run interrupted, the job retried and completed once), and workers that
// carry on after the database ended their connections.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { RunQueue } from '../../core/src/node/team/queue/run-queue.js';
import { assertExit, lockstep } from '../helpers/cli-workspace.js';
import { freshDatabase } from '../helpers/postgres.js';
import { pollUntil } from '../helpers/store-wait.js';
import { tempDir } from '../helpers/temp.js';
import { api, newToken, startServe, startWorker } from '../helpers/team-processes.js';
import { startWorkServer, teamWorkspace } from '../helpers/team-workspace.js';

interface JobView {
  readonly state: string;
  readonly attempts: number;
  readonly runIds: string[];
  readonly runStatus?: string;
  readonly error?: string;
}

interface RunView {
  readonly id: string;
  readonly state: string;
  readonly job: JobView | null;
  readonly run: {
    readonly status: string;
    readonly header: {
      readonly id: string;
      readonly version: { readonly seq?: number };
      readonly routing?: { readonly channel: string; readonly target: string };
    };
    readonly output: unknown;
  } | null;
}

/** A workspace, a queue database, serve and tokens of each scope. */
async function setUp(t: TestContext, server: { origin: string }) {
  const dir = await teamWorkspace(t, server.origin);
  const queueUrl = await freshDatabase(t);
  const tokens = path.join(tempDir(t, 'lockstep-tokens-'), 'tokens');
  const token = {
    read: await newToken(dir, tokens, 'read'),
    run: await newToken(dir, tokens, 'run'),
    admin: await newToken(dir, tokens, 'admin'),
  };
  const { origin, process: serve } = await startServe(t, dir, queueUrl, tokens);
  return { dir, queueUrl, tokens, token, origin, serve };
}

/** Polls `GET /v1/runs/:id` until its job is done or failed. */
async function finished(origin: string, token: string, id: string, timeoutMs = 30_000) {
  return pollUntil(
    async () => {
      const { body } = await api<RunView>(origin, `/v1/runs/${id}`, { token });
      return body.state === 'done' || body.state === 'failed' ? body : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `job ${id} to finish` },
  );
}

test('tokens by scope; a run of work@production is queued, run by a worker and read back with the version the channel routed', async (t) => {
  const work = await startWorkServer(t);
  const { dir, queueUrl, tokens, token, origin } = await setUp(t, work);
  // The tokens file holds hashes only.
  const file = readFileSync(tokens, 'utf8');
  for (const value of Object.values(token)) assert.ok(!file.includes(value), 'a token in clear');

  const health = await api(origin, '/v1/health');
  assert.equal(health.status, 200);
  assert.equal(health.body['database'], 'reachable');

  const request = { workflow: 'work@production', input: { who: 'ada' } };
  const anonymous = await api(origin, '/v1/runs', { body: request });
  assert.equal(anonymous.status, 401);
  assert.match(JSON.stringify(anonymous.body), /Authorization: Bearer/);
  assert.equal((await api(origin, '/v1/runs', { token: 'lst_wrong', body: request })).status, 401);
  assert.equal((await api(origin, '/v1/runs', { token: token.read })).status, 200);
  const forbidden = await api<{ error: { message: string } }>(origin, '/v1/runs', {
    token: token.read,
    body: request,
  });
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.body.error.message, /scope run/);

  const bad = await api<{ error: { message: string } }>(origin, '/v1/runs', {
    token: token.run,
    rawBody: '{"workflow": "work@production",',
  });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /not valid JSON/);
  const huge = await api(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'x'.repeat(2 * 1024 * 1024) } },
  });
  assert.equal(huge.status, 413);
  const unknown = await api(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@nowhere', input: { who: 'ada' } },
  });
  assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
  const file404 = await api(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work.workflow.yaml', input: {} },
  });
  assert.equal(file404.status, 400, 'a file path is refused');

  const started = await api<{ id: string; state: string }>(origin, '/v1/runs', {
    token: token.run,
    body: request,
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  assert.equal(started.body.state, 'queued');
  const queued = await api<RunView>(origin, `/v1/runs/${started.body.id}`, { token: token.read });
  assert.equal(queued.body.state, 'queued', 'no worker yet');
  assert.equal(queued.body.run, null);

  await startWorker(t, dir, queueUrl);
  const view = await finished(origin, token.admin, started.body.id);
  assert.equal(view.state, 'done');
  assert.equal(view.run?.status, 'succeeded');
  assert.equal(view.run?.header.id, started.body.id, 'the first attempt runs under the job id');
  assert.equal(view.run?.header.version.seq, 1, 'production routes to v1, not the newer v2');
  assert.equal(view.run?.header.routing?.channel, 'production');
  assert.deepEqual(view.run?.output, { text: 'Hello, ada' });

  const listed = await api<{ runs: { id: string }[] }>(
    origin,
    '/v1/runs?workflow=work&channel=production&status=succeeded&limit=5',
    { token: token.read },
  );
  assert.deepEqual(
    listed.body.runs.map((r) => r.id),
    [started.body.id],
  );
  assert.equal((await api(origin, '/v1/runs?status=sideways', { token: token.read })).status, 400);

  // ?wait= answers once the run is done.
  const waited = await api<RunView>(origin, '/v1/runs?wait=true', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'patient' } },
  });
  assert.equal(waited.status, 200, JSON.stringify(waited.body));
  assert.equal(waited.body.state, 'done');
  assert.deepEqual(waited.body.run?.output, { text: 'Hello, patient' });
  const badWait = await api(origin, '/v1/runs?wait=forever', { token: token.run, body: request });
  assert.equal(badWait.status, 400);

  // The tokens file gone while serving: the server's problem (503), never a way in.
  rmSync(tokens);
  const noFile = await api(origin, '/v1/runs', { token: token.admin });
  assert.equal(noFile.status, 503);
});

test('SSE: a run’s events arrive in order and the stream ends with the run', async (t) => {
  const work = await startWorkServer(t, { delayMs: 300 });
  const { dir, queueUrl, token, origin } = await setUp(t, work);
  const id = uuidv7();
  const started = await api(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'grace' }, id },
  });
  assert.equal(started.status, 202);
  const stream = await fetch(`${origin}/v1/runs/${id}/events`, {
    headers: { authorization: `Bearer ${token.read}` },
  });
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
  await startWorker(t, dir, queueUrl);
  // The body ends when the run does: reading it whole is the check that the stream ends.
  const text = await stream.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const fields = Object.fromEntries(
        block
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      return { id: Number(fields['id']), type: fields['event'], data: JSON.parse(fields['data']!) };
    });
  assert.deepEqual(
    events.map((e) => e.id),
    events.map((_, i) => i + 1),
    'ids count up',
  );
  assert.equal(events[0]?.type, 'run-started');
  assert.equal(events.at(-1)?.type, 'run-finished');
  assert.equal(events.at(-1)?.data.status, 'succeeded');
  assert.deepEqual(
    events.filter((e) => e.type === 'step-finished').map((e) => e.data.record.path),
    ['call', 'answer'],
  );
  const effect = events.findIndex((e) => e.type === 'effect');
  const callFinished = events.findIndex((e) => e.type === 'step-finished');
  assert.ok(effect > 0 && effect < callFinished, 'the call’s effect comes before its step ends');
  assert.ok(events.every((e) => e.data.run === id));
});

test('enqueueing the same run id twice runs it once; another request under that id is a conflict', async (t) => {
  const work = await startWorkServer(t);
  const { dir, queueUrl, token, origin } = await setUp(t, work);
  const id = uuidv7();
  const body = { workflow: 'work@production', input: { who: 'once' }, id };
  const first = await api<{ id: string; created: boolean }>(origin, '/v1/runs', {
    token: token.run,
    body,
  });
  const again = await api<{ id: string; created: boolean }>(origin, '/v1/runs', {
    token: token.run,
    body,
  });
  assert.equal(first.status, 202);
  assert.equal(again.status, 200);
  assert.deepEqual(
    [first.body.id, first.body.created, again.body.id, again.body.created],
    [id, true, id, false],
  );
  const conflict = await api(origin, '/v1/runs', {
    token: token.run,
    body: { ...body, input: { who: 'someone else' } },
  });
  assert.equal(conflict.status, 409);
  await startWorker(t, dir, queueUrl);
  await finished(origin, token.read, id);
  // Enqueued again after it ran: still the same job, nothing new runs.
  const late = await api<{ created: boolean }>(origin, '/v1/runs', { token: token.run, body });
  assert.equal(late.body.created, false);
  const runs = await api<{ runs: unknown[] }>(origin, '/v1/runs?workflow=work', {
    token: token.read,
  });
  assert.equal(runs.body.runs.length, 1);
  assert.deepEqual(work.calls, ['once']);
});

test('two workers share the jobs, and nothing runs twice', async (t) => {
  const work = await startWorkServer(t, { delayMs: 150 });
  const { dir, queueUrl, token, origin } = await setUp(t, work);
  const a = await startWorker(t, dir, queueUrl, ['--concurrency', '2']);
  const b = await startWorker(t, dir, queueUrl, ['--concurrency', '2']);
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const started = await api<{ id: string }>(origin, '/v1/runs', {
      token: token.run,
      body: { workflow: 'work@production', input: { who: `job-${i}` } },
    });
    ids.push(started.body.id);
  }
  for (const id of ids) {
    const view = await finished(origin, token.read, id);
    assert.equal(view.run?.status, 'succeeded');
    assert.equal(view.job?.attempts, 1);
    assert.deepEqual(view.job?.runIds, [id]);
  }
  assert.deepEqual(
    [...work.calls].sort(),
    ids.map((_, i) => `job-${i}`).sort(),
    'each job called once',
  );
  const took = (output: string): number => (output.match(/ took /g) ?? []).length;
  assert.equal(took(a.output()) + took(b.output()), 12);
  assert.ok(
    took(a.output()) > 0 && took(b.output()) > 0,
    `both took jobs\n${a.output()}\n${b.output()}`,
  );
  const runs = await api<{ runs: { id: string }[] }>(origin, '/v1/runs?workflow=work&limit=100', {
    token: token.read,
  });
  assert.deepEqual(runs.body.runs.map((r) => r.id).sort(), [...ids].sort());
});

test('a worker killed mid-run leaves the run interrupted; after its lease the job is retried and completes once', async (t) => {
  const work = await startWorkServer(t, { hangFirst: true });
  const { dir, queueUrl, token, origin } = await setUp(t, work);
  const doomed = await startWorker(t, dir, queueUrl, ['--lease', '1', '--poll', '0.2']);
  const started = await api<{ id: string }>(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'survivor' } },
  });
  const id = started.body.id;
  await pollUntil(() => work.held.length === 1, {
    timeoutMs: 20_000,
    what: 'the first call to hang',
  });
  const running = await api<RunView>(origin, `/v1/runs/${id}`, { token: token.read });
  assert.equal(running.body.state, 'running');
  assert.equal(running.body.run?.status, 'running');

  doomed.child.kill('SIGKILL');
  await doomed.exited;
  const interrupted = await api<RunView>(origin, `/v1/runs/${id}`, { token: token.read });
  assert.equal(interrupted.body.run?.status, 'interrupted', 'the store sees its writer gone');

  await startWorker(t, dir, queueUrl, ['--lease', '1', '--poll', '0.2']);
  const view = await finished(origin, token.read, id);
  assert.equal(view.state, 'done');
  assert.equal(view.job?.attempts, 2);
  assert.equal(view.job?.runIds.length, 2);
  assert.equal(view.job?.runIds[0], id);
  assert.equal(view.run?.header.id, view.job?.runIds[1], 'the job shows its latest attempt');
  assert.equal(view.run?.status, 'succeeded');
  const runs = await api<{ runs: { id: string; status: string }[] }>(
    origin,
    '/v1/runs?workflow=work',
    {
      token: token.read,
    },
  );
  assert.deepEqual(
    runs.body.runs.map((r) => [r.id, r.status]).sort(),
    [
      [id, 'interrupted'],
      [view.job!.runIds[1], 'succeeded'],
    ].sort(),
    'one interrupted run, one completed: never twice to completion',
  );
  assert.deepEqual(work.calls, ['survivor', 'survivor']);
});

test('workers reconnect after the database ends their connections, and carry on', async (t) => {
  const work = await startWorkServer(t);
  const { dir, queueUrl, token, origin } = await setUp(t, work);
  const worker = await startWorker(t, dir, queueUrl, ['--poll', '0.3']);
  const first = await api<{ id: string }>(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'before' } },
  });
  await finished(origin, token.read, first.body.id);

  const admin = new pg.Client({ connectionString: queueUrl });
  await admin.connect();
  try {
    // Every other connection to the queue's database: the worker's pool and its listener, serve's.
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    assert.ok(killed.rowCount! >= 2, 'the worker had connections');
  } finally {
    await admin.end();
  }
  await pollUntil(() => worker.output().includes('reconnected'), {
    timeoutMs: 20_000,
    what: `the worker to reconnect\n${worker.output()}`,
  });
  const second = await api<{ id: string }>(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'after' } },
  });
  assert.equal(second.status, 202);
  const view = await finished(origin, token.read, second.body.id);
  assert.equal(view.run?.status, 'succeeded');
  assert.deepEqual(work.calls, ['before', 'after']);
});

test('SIGTERM lets the run in flight finish, then the worker exits; serve stops on SIGTERM too', async (t) => {
  const work = await startWorkServer(t, { delayMs: 1500 });
  const { dir, queueUrl, token, origin, serve } = await setUp(t, work);
  const worker = await startWorker(t, dir, queueUrl);
  const started = await api<{ id: string }>(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'last' } },
  });
  await pollUntil(() => work.calls.length === 1, { what: 'the run to call the server' });
  worker.child.kill('SIGTERM');
  const exit = await worker.exited;
  assert.equal(exit.code, 0, worker.output());
  assert.match(worker.output(), /SIGTERM: finishing the runs in flight/);
  const view = await api<RunView>(origin, `/v1/runs/${started.body.id}`, { token: token.read });
  assert.equal(view.body.state, 'done', 'marked done before the worker exited');
  assert.equal(view.body.run?.status, 'succeeded');
  // An open event stream (of a job no worker will take now) does not hold serve up.
  const waiting = await api<{ id: string }>(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'nobody takes me' } },
  });
  const stream = await fetch(`${origin}/v1/runs/${waiting.body.id}/events`, {
    headers: { authorization: `Bearer ${token.read}` },
  });
  void stream.text().catch(() => undefined);
  serve.child.kill('SIGTERM');
  assert.equal((await serve.exited).code, 0, serve.output());
});

test('on a PostgreSQL store the queue lives in the store’s database: runs are recorded there, and a killed worker’s run reads interrupted', async (t) => {
  const work = await startWorkServer(t, { hangFirst: true });
  const storeUrl = await freshDatabase(t);
  const dir = await teamWorkspace(t, work.origin, { LOCKSTEP_STORE: storeUrl });
  const tokens = path.join(tempDir(t, 'lockstep-tokens-'), 'tokens');
  const token = await newToken(dir, tokens, 'run');
  const { origin } = await startServe(t, dir, { store: storeUrl }, tokens);
  const doomed = await startWorker(t, dir, { store: storeUrl }, ['--lease', '1', '--poll', '0.2']);
  assert.match(doomed.output(), /taking runs from postgres:\/\/lockstep@/, 'no password shown');
  const started = await api<{ id: string }>(origin, '/v1/runs', {
    token,
    body: { workflow: 'work@production', input: { who: 'pg' } },
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const id = started.body.id;
  await pollUntil(() => work.held.length === 1, {
    timeoutMs: 20_000,
    what: 'the first call to hang',
  });
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  await pollUntil(
    async () =>
      (await api<RunView>(origin, `/v1/runs/${id}`, { token })).body.run?.status === 'interrupted',
    { timeoutMs: 20_000, what: 'the store to see the run interrupted' },
  );
  await startWorker(t, dir, { store: storeUrl }, ['--lease', '1', '--poll', '0.2']);
  const view = await finished(origin, token, id);
  assert.equal(view.run?.status, 'succeeded');
  assert.equal(view.run?.header.version.seq, 1);
  const client = new pg.Client({ connectionString: storeUrl });
  await client.connect();
  try {
    const tables = await client.query<{ component: string }>(
      'SELECT component FROM lockstep_schema ORDER BY component',
    );
    assert.ok(
      tables.rows.some((r) => r.component === 'queue'),
      'the queue’s tables are there',
    );
  } finally {
    await client.end();
  }
  const runs = await api<{ runs: { status: string }[] }>(origin, '/v1/runs?workflow=work', {
    token,
  });
  assert.deepEqual(runs.body.runs.map((r) => r.status).sort(), ['interrupted', 'succeeded']);
});

test('the library enqueues instead of running: a worker runs the job, and the same id enqueued again is the same job', async (t) => {
  // The built entry, resolved through the package's own name as a dependency would be.
  const specifier = 'lockstep';
  const { enqueueRun } = (await import(specifier)) as typeof import('../../core/src/index.js');
  const work = await startWorkServer(t);
  const dir = await teamWorkspace(t, work.origin);
  const queueUrl = await freshDatabase(t);
  const id = uuidv7();
  const request = { ref: 'work@production', input: { who: 'library' }, id };
  const first = await enqueueRun(queueUrl, request);
  assert.deepEqual([first.created, first.job.state, first.job.id], [true, 'queued', id]);
  await assert.rejects(
    enqueueRun(queueUrl, { ...request, ref: 'work.workflow.yaml' }),
    /file path/,
  );
  await startWorker(t, dir, queueUrl);
  const done = await pollUntil(
    async () => {
      const again = await enqueueRun(queueUrl, request);
      return again.job.state === 'done' ? again : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'the job to be done' },
  );
  assert.equal(done.created, false);
  assert.equal(done.job.runStatus, 'succeeded');
  assert.deepEqual(done.job.runIds, [id]);
  assert.deepEqual(work.calls, ['library']);
});

test('a worker whose job was taken over (its lease ran out while cut off) cancels its run and leaves the job to the other', async (t) => {
  const work = await startWorkServer(t, { hangFirst: true });
  const { dir, queueUrl, token, origin } = await setUp(t, work);
  const worker = await startWorker(t, dir, queueUrl, ['--lease', '1', '--poll', '0.2']);
  const started = await api<{ id: string }>(origin, '/v1/runs', {
    token: token.run,
    body: { workflow: 'work@production', input: { who: 'contested' } },
  });
  const id = started.body.id;
  await pollUntil(() => work.held.length === 1, { timeoutMs: 20_000, what: 'the call to hang' });
  // What another worker's take looks like to this one: the job held by someone else.
  const admin = new pg.Client({ connectionString: queueUrl });
  await admin.connect();
  try {
    await admin.query(`UPDATE run_queue SET locked_by = 'elsewhere:1:abc' WHERE id = $1`, [id]);
  } finally {
    await admin.end();
  }
  await pollUntil(() => worker.output().includes('another worker took the job'), {
    what: `the worker to notice\n${worker.output()}`,
  });
  const view = await pollUntil(
    async () => {
      const { body } = await api<RunView>(origin, `/v1/runs/${id}`, { token: token.read });
      return body.run?.status === 'cancelled' ? body : undefined;
    },
    { what: 'its run to be cancelled' },
  );
  assert.equal(view.state, 'running', 'the job is left to the worker holding it');
  await pollUntil(() => /cancelled: another worker runs the job/.test(worker.output()), {
    what: `the worker to leave the job\n${worker.output()}`,
  });
});

test('a job whose last attempt’s worker was killed fails, naming why, and is not run again', async (t) => {
  const work = await startWorkServer(t, { hangFirst: true });
  const { dir, queueUrl, token, origin } = await setUp(t, work);
  const queue = await RunQueue.open(queueUrl);
  t.after(() => queue.close());
  const { job } = await queue.enqueue({
    ref: 'work@production',
    input: { who: 'once only' },
    maxAttempts: 1,
  });
  const doomed = await startWorker(t, dir, queueUrl, ['--lease', '1', '--poll', '0.2']);
  await pollUntil(() => work.held.length === 1, { timeoutMs: 20_000, what: 'the call to hang' });
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  await startWorker(t, dir, queueUrl, ['--lease', '1', '--poll', '0.2']);
  const view = await finished(origin, token.read, job.id);
  assert.equal(view.state, 'failed');
  assert.match(view.job?.error ?? '', /stopped renewing its lease on attempt 1 of 1/);
  assert.equal(view.run?.status, 'interrupted');
  assert.deepEqual(work.calls, ['once only']);
});

test('admin tokens see the queue and its failures, and queue a failed job again once its cause is fixed', async (t) => {
  const work = await startWorkServer(t);
  const { dir, queueUrl, token, origin } = await setUp(t, work);
  const queue = await RunQueue.open(queueUrl);
  t.after(() => queue.close());
  await startWorker(t, dir, queueUrl, ['--poll', '0.2']);
  // Enqueued by the library, which does not resolve the ref: the channel does not exist yet.
  const { job } = await queue.enqueue({ ref: 'work@staging', input: { who: 'later' } });
  const failed = await finished(origin, token.read, job.id);
  assert.equal(failed.state, 'failed');
  assert.match(failed.job?.error ?? '', /staging/);

  for (const scope of ['read', 'run'] as const) {
    assert.equal((await api(origin, '/v1/queue', { token: token[scope] })).status, 403);
    const retry = await api(origin, `/v1/queue/${job.id}/retry`, {
      token: token[scope],
      method: 'POST',
    });
    assert.equal(retry.status, 403);
  }
  const state = await api<{
    depth: { failed: number };
    failed: { id: string; error?: string }[];
  }>(origin, '/v1/queue', { token: token.admin });
  assert.equal(state.status, 200);
  assert.equal(state.body.depth.failed, 1);
  assert.deepEqual(
    state.body.failed.map((f) => f.id),
    [job.id],
  );
  assert.match(state.body.failed[0]?.error ?? '', /staging/);

  // The cause fixed (the channel now exists), the job is queued again and runs.
  assertExit(await lockstep(dir, ['promote', 'work@2', '--channel', 'staging']), 0);
  const retried = await api<{ job: { state: string; attempts: number } }>(
    origin,
    `/v1/queue/${job.id}/retry`,
    { token: token.admin, method: 'POST' },
  );
  assert.equal(retried.status, 200);
  assert.equal(retried.body.job.state, 'queued');
  assert.equal(retried.body.job.attempts, 0);
  const done = await finished(origin, token.read, job.id);
  assert.equal(done.state, 'done');
  assert.equal(done.run?.status, 'succeeded');
  assert.deepEqual(work.calls, ['later']);

  const again = await api<{ error: { code: string } }>(origin, `/v1/queue/${job.id}/retry`, {
    token: token.admin,
    method: 'POST',
  });
  assert.equal(again.status, 409, 'only a failed job is queued again');
  const unknown = await api(origin, `/v1/queue/${uuidv7()}/retry`, {
    token: token.admin,
    method: 'POST',
  });
  assert.equal(unknown.status, 404);
});
