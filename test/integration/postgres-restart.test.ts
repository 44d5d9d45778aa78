// A database restart in the middle of a run: the run's events wait and are recorded once the
// server is back, the run reads as running again (its writer's session reconnects), and nothing
// is lost or recorded twice. A server of its own, stopped and started on the same data folder.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { freePort, startEmbeddedPostgres } from '../helpers/embedded-postgres.js';
import { databaseUrl } from '../helpers/postgres.js';
import { finishRun, startRun } from '../helpers/run-records.js';
import { tempDir } from '../helpers/temp.js';

test('a run keeps recording across a database restart', async (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o777); // as root the server runs as `postgres`, which must reach its folder
  const dataDir = path.join(dir, 'pg', 'data');
  const port = await freePort();
  let server = await startEmbeddedPostgres({ dataDir, port });
  t.after(() => server.stop());
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE restart');
  await admin.end();
  const url = databaseUrl(server.url, 'restart');

  const store = await openPgStore(url, { create: true });
  t.after(() => store.close());
  const { id, writer } = await startRun(store, { workflow: 'triage' });

  await server.stop();
  const at = new Date().toISOString();
  // Appended while the server is down: they wait for it.
  const appended = Promise.all([
    writer.append({ type: 'step-started', path: 'step2', step: 'step2', at }),
    writer.append({
      type: 'step-finished',
      record: {
        path: 'step2',
        step: 'step2',
        status: 'succeeded',
        output: { n: 2 },
        attempts: 1,
        startedAt: at,
        finishedAt: at,
      },
    }),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  server = await startEmbeddedPostgres({ dataDir, port });
  await appended;

  const reader = await openPgStore(url);
  t.after(() => reader.close());
  let status: string | undefined;
  for (let i = 0; i < 100 && status !== 'running'; i++) {
    status = (await reader.getRun(id))?.status;
    if (status !== 'running') await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(status, 'running', 'the writer reconnected and claimed its run again');

  await finishRun(writer);
  const run = await reader.getRun(id);
  assert.equal(run?.status, 'succeeded');
  assert.deepEqual(
    run?.steps.map((step) => step.path),
    ['step0', 'step1', 'step2'],
  );
  const events = await reader.listRuns();
  assert.equal(events.length, 1);
  assert.deepEqual((await reader.verify()).problems, []);
});
