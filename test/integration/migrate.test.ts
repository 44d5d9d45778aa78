// `lockstep migrate --to postgres://…` through the real CLI: a file store with publications,
// channel changes, a snapshot, runs and a pin copied into a fresh PostgreSQL database answers
// the same queries, both sides verify, migrating again changes nothing and later publications
// follow; the CLI then works on the PostgreSQL store with --store <url>.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { migrated, migrateToPostgres } from '../../core/src/node/services/migrate.js';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import type { Store } from '../../core/src/store/store.js';
import {
  assertExit,
  assertOneLineError,
  GREET,
  lockstep,
  parseJson,
  writeFiles,
} from '../helpers/cli-workspace.js';
import { ok, runGreet, workspaceWithHistory } from '../helpers/migration-workspace.js';
import { freshDatabase } from '../helpers/postgres.js';
import { deadWriter, startRun } from '../helpers/run-records.js';

interface MigrateJson {
  ok: boolean;
  to: string;
  copied: { entries: number; snapshots: number; runs: number; localLines: number };
  present: { entries: number; snapshots: number; runs: number; localLines: number };
  unfinished: unknown[];
  verified: { from: { ok: boolean }; to: { ok: boolean } };
  heads: { from: { control: string }; to: { control: string } };
}

/** What a store answers, in a form two backends can be compared by. */
async function answers(store: Store, runIds: readonly string[]) {
  const all = 1_000_000;
  return {
    workflows: await store.listWorkflows(),
    versions: await store.listVersions('greet'),
    publications: await store.listPublications('greet'),
    channels: await store.listChannels('greet'),
    control: await store.readControlLog(),
    runs: await store.listRuns({ limit: all }),
    records: await Promise.all(runIds.map((id) => store.getRun(id))),
    pins: [...(await store.listPins()).entries()],
    local: (await store.readLocalLog()).map((l) => [l.hash, l.text]),
    counts: [...(await store.runCountsByVersion('greet')).entries()].sort(),
  };
}

async function bothAnswers(storeDir: string, url: string, runIds: readonly string[]) {
  const files = await openFsStore(storeDir);
  const postgres = await openPgStore(url);
  try {
    return { files: await answers(files, runIds), postgres: await answers(postgres, runIds) };
  } finally {
    await files.close();
    await postgres.close();
  }
}

test('migrate copies a file store into PostgreSQL, which then answers exactly the same', async (t) => {
  const url = await freshDatabase(t);
  const { dir, storeDir, runs } = await workspaceWithHistory(t);
  // A run whose process died mid-run: copied as it was left.
  const fileStore = await openFsStore(storeDir);
  const [v1] = await fileStore.listPublications('greet');
  const version = { id: v1!.version, seq: 1 };
  const killed = await startRun(fileStore, { workflow: 'greet', version, writer: deadWriter() });
  const at = new Date().toISOString();
  await killed.writer.append({ type: 'step-started', path: 'shout', step: 'shout', at });
  await killed.writer.close();
  runs.push(killed.id);
  await fileStore.close();

  const first = parseJson<MigrateJson>(await ok(dir, ['migrate', '--to', url, '--json']));
  assert.equal(first.ok, true);
  assert.deepEqual(first.copied, { entries: 5, snapshots: 1, runs: 4, localLines: 1 });
  assert.deepEqual(first.present, { entries: 0, snapshots: 0, runs: 0, localLines: 0 });
  assert.equal(first.verified.from.ok && first.verified.to.ok, true);
  assert.equal(first.heads.to.control, first.heads.from.control);
  assert.doesNotMatch(first.to, /:lockstep@/, 'the password is not shown');

  const { files, postgres } = await bothAnswers(storeDir, url, runs);
  assert.equal(files.versions.length, 3, 'two publications and a snapshot');
  assert.equal(files.channels[0]?.revision, 3);
  assert.deepEqual(
    files.records.map((r) => r?.status),
    ['succeeded', 'succeeded', 'succeeded', 'interrupted'],
  );
  assert.deepEqual(files.records[3]?.inProgress, [{ path: 'shout', step: 'shout', at }]);
  assert.deepEqual(postgres, files);

  // Again: nothing new, nothing written.
  const again = parseJson<MigrateJson>(await ok(dir, ['migrate', '--to', url, '--json']));
  assert.deepEqual(again.copied, { entries: 0, snapshots: 0, runs: 0, localLines: 0 });
  assert.deepEqual(again.present, { entries: 5, snapshots: 1, runs: 4, localLines: 1 });
  assert.deepEqual((await bothAnswers(storeDir, url, runs)).postgres, postgres);

  // A later publication and run in the files: only they are copied.
  writeFiles(dir, { 'greet.workflow.yaml': GREET.replace('"Hello, "', '"Hello again, "') });
  await ok(dir, ['publish', 'greet.workflow.yaml', '-m', 'third']);
  const later = await runGreet(dir, 'greet@3', 'Di');
  const text = await ok(dir, ['migrate', '--to', url]);
  assert.match(text.stdout, /control log: 1 entry copied, 5 already there/);
  assert.match(text.stdout, /runs {7}: 1 run copied, 4 already there/);
  assert.match(text.stdout, /^Verified both/m);
  const after = await bothAnswers(storeDir, url, [...runs, later]);
  assert.deepEqual(after.postgres, after.files);
});

test('the CLI works on the migrated store with --store <url>, and new runs land there', async (t) => {
  const url = await freshDatabase(t);
  const { dir, storeDir, runs } = await workspaceWithHistory(t);
  await ok(dir, ['migrate', '--to', url]);
  const store = ['--store', url];

  const run = await runGreet(dir, 'greet@production', 'Eve', { LOCKSTEP_STORE: url });
  const listed = parseJson<{ runs: { id: string }[] }>(
    await ok(dir, ['runs', 'greet', '--json', ...store]),
  );
  assert.deepEqual(
    listed.runs.map((r) => r.id),
    [run, ...[...runs].reverse()],
  );
  const files = await openFsStore(storeDir);
  try {
    assert.equal((await files.getRun(run)) === undefined, true, 'not in the files');
  } finally {
    await files.close();
  }

  const versions = await ok(dir, ['versions', 'greet', ...store]);
  assert.match(versions.stdout, /v2/);
  const channels = await ok(dir, ['channels', 'greet', ...store]);
  assert.match(channels.stdout, /production/);
  const verified = await ok(dir, ['verify', ...store]);
  assert.match(verified.stdout, /^Verified postgres:\/\/.*all intact$/m);
  const audit = await ok(dir, ['audit', ...store]);
  assert.equal(audit.stdout.trim().split('\n').length, 5);
  const inspected = await ok(dir, ['inspect', run.slice(0, 13), ...store]);
  assert.match(inspected.stdout, /HELLO, EVE/);
});

test('migrate refuses a database holding another store, and a --to that is not PostgreSQL', async (t) => {
  const url = await freshDatabase(t);
  const one = await workspaceWithHistory(t);
  await ok(one.dir, ['migrate', '--to', url]);
  const other = await workspaceWithHistory(t);
  const refused = await lockstep(other.dir, ['migrate', '--to', url]);
  const line = assertOneLineError(refused);
  assert.match(line, /its control log differs at entry 1, so it is not a copy of this store/);

  const notPg = await lockstep(other.dir, ['migrate', '--to', 'mysql://u:Secret-1@h/db']);
  assert.match(assertOneLineError(notPg), /--to must be a PostgreSQL URL/);
  assert.doesNotMatch(notPg.stderr, /Secret-1/);
  assertExit(await lockstep(other.dir, ['verify']), 0);
});

test('migrate copies nothing from a file store that does not verify, nor with another store chosen', async (t) => {
  const url = await freshDatabase(t);
  const { dir, storeDir } = await workspaceWithHistory(t);
  const log = path.join(storeDir, 'control.jsonl');
  const original = readFileSync(log, 'utf8');
  writeFileSync(log, original.replace('"message":"first"', '"message":"edited"'));
  const refused = await lockstep(dir, ['migrate', '--to', url, '--json']);
  assertExit(refused, 1);
  const report = parseJson<{ ok: boolean; verified: { problems: { where: string }[] } }>(refused);
  assert.equal(report.ok, false);
  assert.match(report.verified.problems[0]!.where, /control\.jsonl$/);
  const empty = await lockstep(dir, ['verify', '--store', url]);
  assertExit(empty, 2); // nothing was installed, not even the schema

  writeFileSync(log, original);
  const other = await freshDatabase(t);
  const elsewhere = await lockstep(dir, ['migrate', '--to', url], { LOCKSTEP_STORE: other });
  assert.match(assertOneLineError(elsewhere), /--store or LOCKSTEP_STORE names another PostgreSQL/);
  // The target itself in LOCKSTEP_STORE (how a team that switched has it) is fine.
  await ok(dir, ['migrate', '--to', url], { LOCKSTEP_STORE: url });
});

test('migrate reports how far the copy of the runs has got, and the last count when done', async (t) => {
  const url = await freshDatabase(t);
  const { storeDir, runs } = await workspaceWithHistory(t);
  const reports: { done: number; total: number }[] = [];
  const result = await migrateToPostgres(storeDir, url, {
    onProgress: (progress) => reports.push(progress),
    progressEvery: 2,
  });
  assert.ok(migrated(result) && result.ok);
  const total = runs.length;
  const expected = [];
  for (let done = 2; done < total; done += 2) expected.push({ done, total });
  expected.push({ done: total, total });
  assert.deepEqual(reports, expected);

  // Again: every run is already there, and is still counted as looked at.
  reports.length = 0;
  await migrateToPostgres(storeDir, url, { onProgress: (p) => reports.push(p) });
  assert.deepEqual(reports, [{ done: total, total }]);
});
