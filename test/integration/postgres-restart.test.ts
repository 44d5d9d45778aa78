// A database restart in the middle of a run: the run's events wait and are recorded once the
// server is back, the run reads as running again (its writer's session reconnects), and nothing
// is lost or recorded twice. A server of its own, stopped and started on the same data folder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { restartablePostgres } from '../helpers/restartable-postgres.js';
import { finishRun, startRun } from '../helpers/run-records.js';

test('a run keeps recording across a database restart', async (t) => {
  const database = await restartablePostgres(t, 'restart');
  const url = database.url;

  const store = await openPgStore(url, { create: true });
  t.after(() => store.close());
  const { id, writer } = await startRun(store, { workflow: 'triage' });

  await database.stop();
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
  await database.start();
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
