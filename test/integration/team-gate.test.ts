// CI gating against a team store: production records its real runs in PostgreSQL; a pull
// request's checkout (another folder, the store named by LOCKSTEP_STORE as a pipeline sets it)
// gates its working copy on a sample of them, with nothing to export or import. The replays stay
// on the CI machine (the local cache), never in production's history; the verdict is logged in
// the store.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { assertExit, gitRepo, lockstep, parseJson } from '../helpers/cli-workspace.js';
import { completion, startFakeOpenAi } from '../helpers/fake-openai-server.js';
import { freshDatabase } from '../helpers/postgres.js';
import {
  shoutingTriageWorkflow,
  TRIAGE_CONFIG,
  TRIAGE_FILE,
  triageWorkflow,
} from '../helpers/triage-workflow.js';

const FILE = TRIAGE_FILE;
const workflow = triageWorkflow;

test('a pull request gates its working copy on production runs in the team store', async (t) => {
  const store = await freshDatabase(t);
  const server = await startFakeOpenAi(t);
  const env = { OPENAI_API_KEY: 'sk-team-gate-71c', LOCKSTEP_STORE: store };
  const config = TRIAGE_CONFIG;

  const production = gitRepo(t, { [FILE]: workflow(server.baseUrl), ...config });
  const ok = async (dir: string, args: string[]) => {
    const result = await lockstep(dir, args, env);
    assertExit(result, 0);
    return result;
  };
  await ok(production, ['publish', FILE, '-m', 'v1']);
  await ok(production, ['promote', 'triage@1', '--channel', 'production']);
  const live: string[] = [];
  for (const [i, category] of ['billing', 'bug', 'login'].entries()) {
    server.script(completion(JSON.stringify({ category })));
    const run = await ok(production, ['run', 'triage@production', '-i', `ticket=t${i}`, '--json']);
    live.push(parseJson<{ id: string }>(run).id);
  }

  // The pull request: another checkout, a harmless change, gated before anything is published.
  const pullRequest = gitRepo(t, {
    [FILE]: workflow(server.baseUrl, 'description: Sorts support tickets.\n'),
    ...config,
  });
  const gate = await lockstep(
    pullRequest,
    ['gate', FILE, '--baseline', 'production', '--on-miss', 'fail', '--json'],
    env,
  );
  assertExit(gate, 0);
  const report = parseJson<{ ok: boolean; sample: string[]; changed: number }>(gate);
  assert.equal(report.ok, true);
  assert.deepEqual([...report.sample].sort(), [...live].sort());
  assert.equal(report.changed, 0);

  // A change that alters the output is stopped, from the same store.
  writeFileSync(path.join(pullRequest, FILE), shoutingTriageWorkflow(server.baseUrl));
  const stopped = await lockstep(pullRequest, ['gate', FILE, '--baseline', 'production'], env);
  assertExit(stopped, 1);
  assert.match(stopped.stdout, /Gate FAILED: 3 of 3 runs changed/);

  const team = await openPgStore(store);
  t.after(() => team.close());
  const runs = await team.listRuns({ workflow: 'triage', limit: 1000 });
  assert.deepEqual(
    runs.map((r) => r.id).sort(),
    [...live].sort(),
    'the gate’s replays stay on the CI machine',
  );
  const gates = (await team.readLocalLog()).filter(
    (line) => line.entry && 'type' in line.entry && line.entry.type === 'gate',
  );
  assert.equal(gates.length, 2, 'both verdicts are logged in the team store');
});
