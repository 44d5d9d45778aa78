// What the PostgreSQL store adds to the shared contract: several processes on one database
// (gapless seq, compare and swap, killed writers, a writer cut off whose run was sealed), change
// notifications, retention by day partitions, large events as blobs, schema versions, and never
// showing a password.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { RunEvent } from '../../core/src/model/runs.js';
import { openPgStore, type PgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { draft, publishOf } from '../helpers/store-drafts.js';
import { daysAgo, finishRun, recordRun, startRun } from '../helpers/run-records.js';
import { runLockstep } from '../helpers/cli.js';
import { startCuttableLink } from '../helpers/cuttable-link.js';
import { freshDatabase } from '../helpers/postgres.js';
import { pollUntil } from '../helpers/store-wait.js';
import { tempDir } from '../helpers/temp.js';
import type { TestContext } from 'node:test';

const WRITER = fileURLToPath(new URL('../helpers/pg-run-writer.js', import.meta.url));

async function open(t: TestContext, url: string): Promise<PgStore> {
  const store = await openPgStore(url, { create: true });
  t.after(() => store.close());
  return store;
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string, values?: unknown[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

test('publishers on separate connections get gapless numbers and one chain', async (t) => {
  const url = await freshDatabase(t);
  const stores = await Promise.all([open(t, url), open(t, url), open(t, url)]);
  await Promise.all(
    stores.flatMap((store, s) =>
      Array.from({ length: 8 }, (_, i) => store.publish(publishOf(draft('shared', s * 100 + i)))),
    ),
  );
  const publications = await stores[0]!.listPublications('shared');
  assert.deepEqual(
    publications.map((p) => p.seq),
    Array.from({ length: 24 }, (_, i) => i + 1),
  );
  const report = await stores[1]!.verify();
  assert.deepEqual(report.problems, []);
  assert.equal(report.checked.entries, 24);
  const [counter] = await sql<{ last_seq: number }>(
    url,
    "SELECT last_seq FROM workflow_seq WHERE workflow = 'shared'",
  );
  assert.equal(counter?.last_seq, 24);
});

test('two processes changing one channel on the same revision: one wins, one conflicts', async (t) => {
  const url = await freshDatabase(t);
  const [a, b] = await Promise.all([open(t, url), open(t, url)]);
  const { publication } = await a.publish(publishOf(draft('triage', 1)));
  const change = (actor: string) => ({
    workflow: 'triage',
    channel: 'production',
    action: 'promote' as const,
    expectedRevision: 0,
    to: { stable: { version: publication.version, seq: 1 } },
    message: actor,
    at: new Date().toISOString(),
    actor,
  });
  const results = await Promise.allSettled([
    a.changeChannel(change('a')),
    b.changeChannel(change('b')),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal((failed.reason as { code?: string }).code, 'conflict');
  assert.equal((await b.getChannel('triage', 'production'))?.revision, 1);
  const [row] = await sql<{ revision: number }>(url, 'SELECT revision FROM channels');
  assert.equal(row?.revision, 1);
});

test('a run whose writing process is killed reads as interrupted; a live one as running', async (t) => {
  const url = await freshDatabase(t);
  const reader = await open(t, url);
  const child = spawn(process.execPath, [WRITER, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const id = line.toString().trim();
  assert.equal((await reader.getRun(id))?.status, 'running');
  assert.equal((await reader.listRuns({ status: 'running' })).length, 1);
  child.kill('SIGKILL');
  await once(child, 'exit');
  // The server notices the closed connection at once; give its backend a moment to exit.
  let status: string | undefined;
  for (let i = 0; i < 50 && status !== 'interrupted'; i++) {
    status = (await reader.getRun(id))?.status;
    if (status !== 'interrupted') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status, 'interrupted');
  const [summary] = await reader.listRuns({ status: 'interrupted' });
  assert.equal(summary?.id, id);
  assert.equal((await reader.getRun(id))?.steps.length, 2, 'the committed steps are kept');
});

test('a finished run stays finished after its writer is gone', async (t) => {
  const url = await freshDatabase(t);
  const writer = await openPgStore(url, { create: true });
  const id = await recordRun(writer, { workflow: 'triage' }, 'failed');
  await writer.close();
  const reader = await open(t, url);
  assert.equal((await reader.getRun(id))?.status, 'failed');
});

test('other processes hear about changes (LISTEN/NOTIFY)', async (t) => {
  const url = await freshDatabase(t);
  const [writer, watcher] = await Promise.all([open(t, url), open(t, url)]);
  const heard: string[] = [];
  const stop = watcher.onChange((change) => heard.push(change));
  t.after(stop);
  await new Promise((r) => setTimeout(r, 300)); // the listener connects
  await writer.publish(publishOf(draft('triage', 1)));
  const { writer: run } = await startRun(writer, { workflow: 'triage' });
  await finishRun(run);
  const id = (await writer.listRuns())[0]!.id;
  await writer.pinRun({ run: id, reason: 'baseline', actor: 'ann', at: new Date().toISOString() });
  for (let i = 0; i < 50 && !['control', 'runs', 'local'].every((c) => heard.includes(c)); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(heard.includes('control'), `heard ${heard.join(', ')}`);
  assert.ok(heard.includes('runs'));
  assert.ok(heard.includes('local'));
});

test('retention drops a day whose runs all go, and deletes rows from a day that keeps some', async (t) => {
  const url = await freshDatabase(t);
  const store = await open(t, url);
  const old = [
    await recordRun(store, { workflow: 'triage', at: daysAgo(40) }),
    await recordRun(store, { workflow: 'triage', at: daysAgo(40, 1000) }),
  ];
  const mixed = [
    await recordRun(store, { workflow: 'triage', at: daysAgo(20) }),
    await recordRun(store, { workflow: 'triage', at: daysAgo(20, 1000) }),
  ];
  const day = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');
  const tables = async () =>
    (
      await sql<{ tablename: string }>(
        url,
        "SELECT tablename FROM pg_tables WHERE tablename LIKE 'run%\\_2%'",
      )
    ).map((r) => r.tablename);
  assert.ok((await tables()).includes(`runs_${day(daysAgo(40))}`));
  const removed = await store.removeRuns([...old, mixed[0]!], {
    actor: 'ann',
    at: new Date().toISOString(),
  });
  assert.deepEqual(removed.sort(), [...old, mixed[0]!].sort());
  const after = await tables();
  assert.ok(!after.includes(`runs_${day(daysAgo(40))}`), 'the emptied day is dropped');
  assert.ok(!after.includes(`run_events_${day(daysAgo(40))}`));
  assert.ok(after.includes(`runs_${day(daysAgo(20))}`));
  assert.deepEqual(
    (await store.listRuns()).map((r) => r.id),
    [mixed[1]],
  );
  assert.equal(await store.getRun(old[0]!), undefined);
  const last = (await store.readLocalLog()).at(-1)?.entry;
  assert.equal(last && 'type' in last ? last.type : undefined, 'prune-runs');
  // A new run on the dropped day recreates its partition.
  await recordRun(store, { workflow: 'triage', at: daysAgo(40, 5000) });
  assert.equal((await store.listRuns()).length, 2);
});

test('an event too large for a row is stored as a blob and read back exactly', async (t) => {
  const url = await freshDatabase(t);
  const store = await open(t, url);
  const { id, writer } = await startRun(store, { workflow: 'triage' }, 0);
  const big = 'x'.repeat(200_000);
  await writer.append({
    type: 'run-finished',
    status: 'succeeded',
    output: { big },
    at: new Date().toISOString(),
  });
  await writer.close();
  assert.deepEqual((await store.getRun(id))?.output, { big });
  const [row] = await sql<{ blob: string | null }>(url, 'SELECT blob FROM run_events WHERE n = 1');
  assert.match(row?.blob ?? '', /^sha256:/);
  assert.ok((await store.verify()).ok);
});

test('pins and the local log chain are shared by every process', async (t) => {
  const url = await freshDatabase(t);
  const [a, b] = await Promise.all([open(t, url), open(t, url)]);
  const id = await recordRun(a, { workflow: 'triage' });
  const at = new Date().toISOString();
  await Promise.all([
    a.pinRun({ run: id, reason: 'incident', actor: 'ann', at }),
    b.recordGate({
      workflow: 'triage',
      candidate: `sha256:${'1'.repeat(64)}`,
      baseline: `sha256:${'2'.repeat(64)}`,
      sample: [id],
      changed: 0,
      maxChangedPercent: 5,
      pass: true,
      report: `sha256:${'3'.repeat(64)}`,
      actor: 'ci',
      at,
    }),
  ]);
  assert.deepEqual([...(await b.listPins()).keys()], [id]);
  await b.unpinRun({ run: id, actor: 'bob', at });
  assert.equal((await a.listPins()).size, 0);
  assert.equal((await a.readLocalLog()).length, 3);
  assert.deepEqual((await a.verify()).problems, []);
});

test('verify finds an edited entry, a counter out of step and a damaged snapshot', async (t) => {
  const url = await freshDatabase(t);
  const store = await open(t, url);
  await store.publish(publishOf(draft('triage', 1)));
  await store.saveVersion(draft('triage', 2));
  await sql(
    url,
    `UPDATE control_log SET head = replace(head, '"publish"', '"publish" ') WHERE entry_index = 1`,
  );
  await sql(
    url,
    `UPDATE control_log SET head = jsonb_set(head::jsonb, '{message}', '"edited"')::text`,
  );
  await sql(url, 'UPDATE workflow_seq SET last_seq = 7');
  await sql(
    url,
    `UPDATE snapshots SET record = jsonb_set(record::jsonb, '{author}', '"mallory"')::text`,
  );
  const report = await store.verify();
  assert.equal(report.ok, false);
  const text = report.problems.map((p) => `${p.where}: ${p.message}`).join('\n');
  assert.match(text, /control_log/);
  assert.match(text, /counter stands at v7/);
  assert.match(text, /snapshot sha256:/);
});

test('a database without a store, or with a newer schema, is refused with what to do', async (t) => {
  const url = await freshDatabase(t);
  await assert.rejects(openPgStore(url), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'no-store');
    assert.match(error.message, /holds no Lockstep store yet/);
    return true;
  });
  const store = await openPgStore(url, { create: true });
  await store.close();
  await sql(url, "UPDATE lockstep_schema SET version = 99 WHERE component = 'store'");
  await assert.rejects(openPgStore(url), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'newer-format');
    assert.match(error.message, /schema is version 99.*upgrade Lockstep/);
    return true;
  });
});

test('the password never shows: not in the location, not in a connection error', async (t) => {
  const url = new URL(await freshDatabase(t));
  url.password = 'hunter2-secret';
  const wrong = url.toString();
  await assert.rejects(openPgStore(wrong, { create: true }), (error: Error & { code?: string }) => {
    assert.doesNotMatch(error.message, /hunter2/);
    assert.equal(error.code, 'store-login');
    assert.match(error.message, /refused the login|PGPASSWORD/);
    return true;
  });
  url.port = '1';
  await assert.rejects(openPgStore(url.toString()), (error: Error & { code?: string }) => {
    assert.doesNotMatch(error.message, /hunter2/);
    assert.equal(error.code, 'store-unreachable');
    assert.match(error.message, /cannot reach the PostgreSQL store/);
    return true;
  });
  const store = await open(t, await freshDatabase(t));
  assert.doesNotMatch(store.info.location, /lockstep:lockstep@|:lockstep@/);
});

test('a password from ~/.pgpass logs in, quietly (no deprecation warning on stderr)', async (t) => {
  const url = new URL(await freshDatabase(t));
  const password = url.password;
  url.password = '';
  const withPassword = new URL(url);
  withPassword.password = password;
  await (await openPgStore(withPassword.toString(), { create: true })).close();
  const home = tempDir(t);
  writeFileSync(
    path.join(home, '.pgpass'),
    `${url.hostname}:${url.port}:*:${url.username}:${password}\n`,
    { mode: 0o600 },
  );
  const result = await runLockstep(['verify', '--store', url.toString()], {
    cwd: home,
    env: { HOME: home, PGPASSWORD: undefined },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
});

test('a day another process dropped is recreated when this one records on it again', async (t) => {
  const url = await freshDatabase(t);
  const [recorder, pruner] = await Promise.all([open(t, url), open(t, url)]);
  const first = await recordRun(recorder, { workflow: 'triage', at: daysAgo(30) });
  // The other process's retention takes the whole day: its partitions are dropped.
  await pruner.removeRuns([first], { actor: 'ann', at: new Date().toISOString() });
  const second = await recordRun(recorder, { workflow: 'triage', at: daysAgo(30, 1000) });
  assert.deepEqual(
    (await pruner.listRuns()).map((r) => r.id),
    [second],
  );
});

test('a run given up as interrupted is sealed: its writer, back from a cut, records nothing more in it', async (t) => {
  const url = await freshDatabase(t);
  const link = await startCuttableLink(t, url);
  const cutOff = await open(t, link.through(url));
  const other = await open(t, url);
  const { id, writer } = await startRun(cutOff, { workflow: 'triage' });
  assert.equal(await other.abandonRun(id), 'running', 'a live writer keeps its run');

  // The writer's process lives on, but every connection it had (its session included) is gone.
  link.cut();
  await pollUntil(async () => (await other.getRun(id))?.status === 'interrupted', {
    what: 'the run to read interrupted',
  });
  assert.equal(await other.abandonRun(id), 'abandoned');
  assert.equal(await other.abandonRun(id), 'ended', 'sealed once');

  link.restore();
  // Its session comes back and claims its open runs again: a sealed run is not one of them.
  await pollUntil(
    async () =>
      (
        await sql<{ n: string }>(
          url,
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE application_name = 'lockstep runs' AND datname = current_database()`,
        )
      )[0]?.n === '1',
    { what: 'the writer’s session to reconnect' },
  );
  const step = { type: 'step-started', path: 'late', step: 'late', at: new Date().toISOString() };
  await assert.rejects(writer.append(step as RunEvent), { code: 'run-abandoned' });
  await assert.rejects(finishRun(writer), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'run-abandoned');
    assert.match(error.message, new RegExp(`run ${id} .*another attempt took its work over`));
    return true;
  });
  await writer.close();

  const run = await other.getRun(id);
  assert.equal(run?.status, 'interrupted');
  assert.equal(run?.steps.length, 2, 'what was committed before the cut is kept');
  const [row] = await sql<{ open: boolean; status: string; finished: string }>(
    url,
    `SELECT open, status, (SELECT count(*) FROM run_events e
                            WHERE e.run_id = r.id AND e.event LIKE '{"type":"run-finished"%') AS finished
       FROM runs r WHERE id = $1`,
    [id],
  );
  assert.deepEqual(row, { open: false, status: 'interrupted', finished: '0' });

  const finished = await recordRun(cutOff, { workflow: 'triage' });
  assert.equal(await other.abandonRun(finished), 'ended');
  assert.equal(await other.abandonRun('0193a1b2-0000-7000-8000-000000000000'), 'unknown');
});

test('a sealed run refuses its writer’s events and its end, even while the writer’s session lives', async (t) => {
  const url = await freshDatabase(t);
  const store = await open(t, url);
  const { id, writer } = await startRun(store, { workflow: 'triage' });
  // What a seal decided on a stale view of the session would leave: the row closed under a
  // writer that does not know it yet.
  await sql(url, `UPDATE runs SET open = false, status = 'interrupted' WHERE id = $1`, [id]);
  const step = { type: 'step-started', path: 'late', step: 'late', at: new Date().toISOString() };
  await assert.rejects(writer.append(step as RunEvent), { code: 'run-abandoned' });
  await assert.rejects(writer.append(step as RunEvent), { code: 'run-abandoned' }, 'and after');
  const [events] = await sql<{ n: string }>(
    url,
    'SELECT count(*) AS n FROM run_events WHERE run_id = $1',
    [id],
  );
  assert.equal(events?.n, '5', 'run-started and two steps, nothing after the seal');

  const second = await startRun(store, { workflow: 'triage' });
  await sql(url, `UPDATE runs SET open = false, status = 'interrupted' WHERE id = $1`, [second.id]);
  await assert.rejects(finishRun(second.writer), { code: 'run-abandoned' });
  assert.equal((await store.getRun(second.id))?.status, 'interrupted');
});
