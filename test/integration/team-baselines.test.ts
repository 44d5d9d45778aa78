// Regression baselines in a team's PostgreSQL store: added from one checkout, tested from another
// with no baseline file anywhere, removed; copied verbatim by `lockstep migrate`; a row edited in
// the database reported by listing, testing and verify; a database of the first schema upgraded.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { assertExit, AUTHOR, gitRepo, lockstep, parseJson } from '../helpers/cli-workspace.js';
import { completion, startFakeOpenAi } from '../helpers/fake-openai-server.js';
import { freshDatabase, queryAt } from '../helpers/postgres.js';
import { recordRun } from '../helpers/run-records.js';
import {
  shoutingTriageWorkflow,
  TRIAGE_CONFIG,
  TRIAGE_FILE,
  triageWorkflow,
} from '../helpers/triage-workflow.js';

const KEY = 'sk-team-baselines-5e1';
const BY = { actor: 'Ada <ada@example.com>', at: '2026-12-06T10:00:00.000Z' };

const sql = queryAt;

interface ListedBaselines {
  baselines: { id: string; run: string; location: string; file?: string }[];
}

test('a team keeps its baselines in the store: added in one checkout, tested in another', async (t) => {
  const store = await freshDatabase(t);
  const server = await startFakeOpenAi(t);
  const env = { OPENAI_API_KEY: KEY, LOCKSTEP_STORE: store };
  const production = gitRepo(t, {
    [TRIAGE_FILE]: triageWorkflow(server.baseUrl),
    ...TRIAGE_CONFIG,
  });
  const ok = async (dir: string, args: string[]) => {
    const result = await lockstep(dir, args, env);
    assertExit(result, 0);
    return result;
  };
  await ok(production, ['publish', TRIAGE_FILE, '-m', 'v1']);
  const runs: string[] = [];
  for (const category of ['billing', 'bug']) {
    server.script(completion(JSON.stringify({ category })));
    const run = await ok(production, ['run', 'triage@1', '-i', `ticket=${category}`, '--json']);
    runs.push(parseJson<{ id: string }>(run).id);
  }

  const added = await ok(production, ['baselines', 'triage', 'add', runs[0]!.slice(0, 24)]);
  assert.match(added.stdout, /as a baseline of triage in the team store: .*baseline sha256:/);
  assert.doesNotMatch(added.stdout, /commit it/);
  assert.equal(existsSync(path.join(production, '.lockstep', 'baselines')), false);
  const again = await ok(production, ['baselines', 'triage', 'add', runs[0]!]);
  assert.match(again.stdout, /already is a baseline of triage/);
  await ok(production, ['baselines', 'triage', 'add', runs[1]!]);
  const [row] = await sql<{ body: string }>(
    store,
    "SELECT string_agg(body, '') AS body FROM baselines",
  );
  assert.ok(row!.body.includes('billing'), 'the baselines are in the database');
  assert.equal(row!.body.includes(KEY), false, 'no secret in a stored baseline');

  // A pull request's checkout: no baseline file anywhere, the team's baselines all the same.
  const pullRequest = gitRepo(t, {
    [TRIAGE_FILE]: triageWorkflow(server.baseUrl, 'description: Sorts tickets.\n'),
    ...TRIAGE_CONFIG,
  });
  const listed = parseJson<ListedBaselines>(
    await ok(pullRequest, ['baselines', 'triage', '--json']),
  );
  assert.deepEqual(
    listed.baselines.map((b) => b.run),
    runs,
  );
  for (const baseline of listed.baselines) {
    assert.equal(baseline.file, undefined);
    assert.match(baseline.location, /^postgres:\/\/.* baseline sha256:[0-9a-f]{12} of triage$/);
  }
  const passed = await ok(pullRequest, [
    'test',
    TRIAGE_FILE,
    '--on-miss',
    'fail',
    '--format',
    'json',
  ]);
  const report = parseJson<{ results: { pass: boolean }[] }>(passed);
  assert.deepEqual(
    report.results.map((r) => r.pass),
    [true, true],
  );
  writeFileSync(path.join(pullRequest, TRIAGE_FILE), shoutingTriageWorkflow(server.baseUrl));
  const failed = await lockstep(pullRequest, ['test', TRIAGE_FILE, '--on-miss', 'fail'], env);
  assertExit(failed, 1);
  assert.equal(existsSync(path.join(pullRequest, '.lockstep', 'baselines')), false);

  const removed = await ok(pullRequest, ['baselines', 'triage', 'remove', runs[0]!.slice(0, 24)]);
  assert.match(removed.stdout, new RegExp(`Removed the baseline of run ${runs[0]}`));
  const left = parseJson<ListedBaselines>(await ok(production, ['baselines', 'triage', '--json']));
  assert.deepEqual(
    left.baselines.map((b) => b.run),
    [runs[1]],
    'removed for everyone',
  );

  // Each change is in the team's audit trail: who, when, which run and baseline.
  const audit = await ok(production, ['audit', 'triage', '--local']);
  const entries = audit.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; actor: string; summary: string })
    .filter((row) => row.type === 'baseline');
  assert.deepEqual(
    entries.map((row) => row.summary.replace(/\(sha256:[0-9a-f]{12}\)/, '(id)')),
    [
      `baseline added: run ${runs[0]} (id)`,
      `baseline added: run ${runs[1]} (id)`,
      `baseline removed: run ${runs[0]} (id)`,
    ],
  );
  for (const row of entries) assert.equal(row.actor, AUTHOR);
  await ok(production, ['verify']);
});

test('migrate copies baseline files verbatim; a row edited in the database is reported, not replayed', async (t) => {
  const store = await freshDatabase(t);
  const server = await startFakeOpenAi(t);
  const dir = gitRepo(t, { [TRIAGE_FILE]: triageWorkflow(server.baseUrl), ...TRIAGE_CONFIG });
  const files = { OPENAI_API_KEY: KEY };
  server.script(completion(JSON.stringify({ category: 'billing' })));
  const run = parseJson<{ id: string }>(
    await lockstep(dir, ['run', TRIAGE_FILE, '-i', 'ticket=b', '--json'], files),
  ).id;
  assertExit(await lockstep(dir, ['baselines', 'triage', 'add', run], files), 0);
  const [file] = readdirSync(path.join(dir, '.lockstep', 'baselines', 'triage'));

  const migrated = await lockstep(dir, ['migrate', '--to', store], files);
  assertExit(migrated, 0);
  assert.match(migrated.stdout, /baselines {2}: 1 baseline copied, 0 already there/);
  const twice = await lockstep(dir, ['migrate', '--to', store], files);
  assert.match(twice.stdout, /baselines {2}: 0 baselines copied, 1 already there/);

  const team = { ...files, LOCKSTEP_STORE: store };
  const listed = parseJson<ListedBaselines>(
    await lockstep(dir, ['baselines', 'triage', '--json'], team),
  );
  assert.equal(listed.baselines[0]!.id, `sha256:${file!.replace('.json', '')}`, 'same id');

  await sql(store, "UPDATE baselines SET body = replace(body, 'billing', 'invoice')");
  const list = await lockstep(dir, ['baselines', 'triage'], team);
  assertExit(list, 2);
  assert.match(
    list.stderr,
    /baseline sha256:[0-9a-f]{12} of triage: its content does not match its name.*Remove it \(`lockstep baselines <workflow> remove <run-id>`\)/,
  );
  const tested = await lockstep(dir, ['test', TRIAGE_FILE], team);
  assertExit(tested, 2);
  assert.match(tested.stderr, /does not match its name/);
  const verify = await lockstep(dir, ['verify'], team);
  assertExit(verify, 1);
  assert.match(verify.stdout + verify.stderr, /baseline sha256:[0-9a-f]{64} of triage/);
});

test('a store of the first schema gains baselines; a run added twice at once is one baseline', async (t) => {
  const url = await freshDatabase(t);
  const first = await openPgStore(url, { create: true });
  await first.close();
  await sql(
    url,
    "DROP TABLE baselines; UPDATE lockstep_schema SET version = 1 WHERE component = 'store'",
  );

  const a = await openPgStore(url);
  t.after(() => a.close());
  const [{ version } = { version: 0 }] = await sql<{ version: number }>(
    url,
    "SELECT version FROM lockstep_schema WHERE component = 'store'",
  );
  assert.equal(version, 2, 'upgraded on open');
  const b = await openPgStore(url);
  t.after(() => b.close());

  const id = await recordRun(a, { workflow: 'greet' });
  const record = (await a.getRun(id))!;

  const added = await Promise.all([
    a.baselines.add('greet', record, new Map(), BY),
    b.baselines.add('greet', record, new Map(), BY),
  ]);
  assert.deepEqual(added.map((r) => r.created).sort(), [false, true], 'one of the two created it');
  assert.equal((await b.baselines.list('greet')).length, 1);
  const logged = (await b.readLocalLog()).filter(
    ({ entry }) => entry && 'type' in entry && entry.type === 'baseline',
  );
  assert.equal(logged.length, 1, 'one addition, one audit entry');
  await assert.rejects(
    b.baselines.remove('greet', 'ffffffff', BY),
    /no baseline of greet is of run ffffffff/,
  );
});
