// Replaying a team store's run from a developer's machine: the run and its versions are fetched
// once into the workspace's local cache (.lockstep/local/team-cache/), the replay is recorded
// there (never in the team's history), and later replays work with the database unreachable.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { assertExit, gitRepo, lockstep } from '../helpers/cli-workspace.js';
import { freePort } from '../helpers/embedded-postgres.js';
import { freshDatabase } from '../helpers/postgres.js';
import { exampleFiles } from '../helpers/replay-workspace.js';

test('a team run replays from the local cache, online and then offline', async (t) => {
  const url = await freshDatabase(t);
  const dir = gitRepo(t, exampleFiles());
  const run = await lockstep(dir, [
    'run',
    'support-triage.workflow.yaml',
    '--fixtures',
    'fixtures.yaml',
    '--input-file',
    'inputs/ticket.json',
    '--store',
    url,
    '--json',
  ]);
  assertExit(run, 0);
  const id = (JSON.parse(run.stdout) as { id: string }).id;

  const replay = await lockstep(dir, ['replay', id, '--store', url, '--json']);
  assertExit(replay, 0);
  const report = JSON.parse(replay.stdout) as { replay: { id: string }; verified: boolean };
  assert.equal(report.verified, true);
  assert.ok(existsSync(path.join(dir, '.lockstep', 'local', 'team-cache')), 'the cache exists');

  const team = await openPgStore(url);
  t.after(() => team.close());
  const teamRuns = await team.listRuns();
  assert.ok(teamRuns.some((r) => r.id === id));
  assert.ok(
    teamRuns.every((r) => r.id !== report.replay.id && r.mode === 'scripted'),
    'the replay is not recorded in the team store',
  );

  // The database is out of reach now: the cached run still replays.
  const offline = `postgres://lockstep@127.0.0.1:${await freePort()}/gone`;
  const again = await lockstep(dir, ['replay', id, '--store', offline, '--json']);
  assertExit(again, 0);
  const offlineReport = JSON.parse(again.stdout) as { replay: { id: string }; verified: boolean };
  assert.equal(offlineReport.verified, true);
  assert.notEqual(offlineReport.replay.id, report.replay.id);

  // What only the team store knows (its history) says the store is unreachable.
  const missing = await lockstep(dir, ['runs', 'support-triage', '--store', offline]);
  assertExit(missing, 2);
  assert.match(
    missing.stderr,
    /cannot reach the PostgreSQL store at postgres:\/\/lockstep@127\.0\.0\.1/,
  );
});
