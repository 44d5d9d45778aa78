// The editor's workspace service on a workspace whose config names a PostgreSQL store: it
// answers from the database, and what the CLI writes there (a publication, a run) is notified
// through the database's own change notifications, not the files of .lockstep/.
import assert from 'node:assert/strict';
import pg from 'pg';
import { test, type TestContext } from 'node:test';
import {
  BaselineAddRequest,
  BaselineRemoveRequest,
  BaselinesRequest,
  RunsRequest,
  StorePasswordRequest,
  VersionsRequest,
} from '../../core/src/service/protocol.js';
import { GREET_V2, writeFiles } from '../helpers/cli-workspace.js';
import {
  ok,
  roleWithPassword,
  runGreet,
  splitPassword,
  workspaceWithHistory,
} from '../helpers/migration-workspace.js';
import { freshDatabase } from '../helpers/postgres.js';
import { failure, startService } from '../helpers/service-process.js';
import { pollUntil } from '../helpers/store-wait.js';

/** A workspace with history, migrated to a fresh database its config names (no password). */
async function teamWorkspace(t: TestContext) {
  const database = await freshDatabase(t);
  const { dir, runs } = await workspaceWithHistory(t);
  await ok(dir, ['migrate', '--to', database]);
  const { url, password } = splitPassword(database);
  writeFiles(dir, { '.lockstep/config.yaml': `store: ${url}\n` });
  return { dir, runs, env: { PGPASSWORD: password } };
}

test('the service reads a PostgreSQL store named by the config and hears what the CLI writes', async (t) => {
  const { dir, runs, env } = await teamWorkspace(t);

  const service = await startService(t, dir, env);
  const { connection } = service;
  const listed = await connection.sendRequest(RunsRequest, { workflow: 'greet' });
  assert.deepEqual(
    listed.runs.map((r) => r.id),
    [...runs].reverse(),
  );

  const run = await runGreet(dir, 'greet@production', 'Gus', env);
  await pollUntil(() => service.changes.some((c) => c.changes.includes('runs')), {
    what: 'a runs change from the database',
  });
  const after = await connection.sendRequest(RunsRequest, { workflow: 'greet' });
  assert.equal(after.runs[0]?.id, run);

  writeFiles(dir, { 'greet.workflow.yaml': GREET_V2.replace('"Hi, "', '"Yo, "') });
  await ok(dir, ['publish', 'greet.workflow.yaml', '-m', 'from CI'], env);
  await pollUntil(() => service.changes.some((c) => c.changes.includes('versions')), {
    what: 'a versions change from the database',
  });
  const { versions } = await connection.sendRequest(VersionsRequest, { workflow: 'greet' });
  assert.equal(versions.find((v) => v.seq === 3)?.message, 'from CI');
});

test('the service logs in to a team store with the password the editor keeps', async (t) => {
  const { url: withPassword, password } = await roleWithPassword(t, await freshDatabase(t));
  const { dir, runs } = await workspaceWithHistory(t);
  await ok(dir, ['migrate', '--to', withPassword]);
  const { url } = splitPassword(withPassword);
  writeFiles(dir, { '.lockstep/config.yaml': `store: ${url}\n` });

  const service = await startService(t, dir, { PGPASSWORD: undefined });
  assert.ok(service.ready.teamStore?.startsWith('postgres://'), 'the service names its team store');
  assert.ok(!service.ready.teamStore?.includes(password));
  const asked: string[] = [];
  let answer: string | undefined;
  service.connection.onRequest(StorePasswordRequest, ({ store }) => {
    asked.push(store);
    return answer === undefined ? {} : { password: answer };
  });
  const refused = await failure(service.connection.sendRequest(RunsRequest, { workflow: 'greet' }));
  assert.equal(refused.code, 'store-login');
  assert.match(refused.message, /Set Team Store Password/);
  assert.doesNotMatch(JSON.stringify(refused), new RegExp(password));

  answer = password;
  const listed = await service.connection.sendRequest(RunsRequest, { workflow: 'greet' });
  assert.deepEqual(
    listed.runs.map((r) => r.id),
    [...runs].reverse(),
  );
  assert.ok(asked.every((store) => store === service.ready.teamStore && !store.includes(password)));
  assert.doesNotMatch(service.stderr(), new RegExp(password));
});

test('in Restricted Mode the service does not connect to a store the config names', async (t) => {
  const database = await freshDatabase(t);
  const { dir } = await workspaceWithHistory(t);
  await ok(dir, ['migrate', '--to', database]);
  const { url, password } = splitPassword(database);
  writeFiles(dir, { '.lockstep/config.yaml': `store: ${url}\n` });
  const asked: string[] = [];
  const service = await startService(t, dir, { PGPASSWORD: password }, ['--restricted']);
  service.connection.onRequest(StorePasswordRequest, ({ store }) => {
    asked.push(store);
    return {};
  });
  const refused = await failure(service.connection.sendRequest(RunsRequest, { workflow: 'greet' }));
  assert.equal(refused.code, 'untrusted-store');
  assert.match(refused.message, /trust this workspace/);
  assert.deepEqual(asked, [], 'no password was asked for');
  // No connection was opened: the database has only this query's own session.
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  const { rows } = await client.query<{ sessions: string }>(
    'SELECT count(*) AS sessions FROM pg_stat_activity WHERE datname = current_database()',
  );
  await client.end();
  assert.equal(Number(rows[0]?.sessions), 1);
});

test('on a team store the editor keeps baselines in the database and hears of others’ changes', async (t) => {
  const { dir, runs, env } = await teamWorkspace(t);
  const service = await startService(t, dir, env);
  const { connection } = service;

  const added = await connection.sendRequest(BaselineAddRequest, { run: runs[0]! });
  assert.equal(added.created, true);
  assert.equal(added.baseline.file, undefined, 'no file: the baseline is in the database');
  assert.match(added.baseline.location, /baseline sha256:[0-9a-f]{12} of greet$/);
  assert.equal(new URL(added.baseline.location.split(' ')[0]!).password, '', 'no password shown');

  // Another member adds one from the command line: the editor hears it from the database.
  await ok(dir, ['baselines', 'greet', 'add', runs[1]!], env);
  await pollUntil(() => service.changes.some((c) => c.changes.includes('baselines')), {
    what: 'a baselines change from the database',
  });
  const { baselines } = await connection.sendRequest(BaselinesRequest, { workflow: 'greet' });
  assert.deepEqual(
    baselines.map((b) => b.run),
    [runs[0], runs[1]],
  );
  await connection.sendRequest(BaselineRemoveRequest, { workflow: 'greet', run: runs[0]! });
  const left = await connection.sendRequest(BaselinesRequest, { workflow: 'greet' });
  assert.deepEqual(
    left.baselines.map((b) => b.run),
    [runs[1]],
  );
});
