// `lockstep serve` across a restart of its database (a server of its own, stopped and started on
// the same data folder and port): health says 503 and why while the database is away, a request
// to start a run is answered 503 with what to do (never a hang, never a 500), and both recover
// by themselves once the database is back, with no restart of serve.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { restartablePostgres } from '../helpers/restartable-postgres.js';
import { pollUntil } from '../helpers/store-wait.js';
import { api, newToken, startServe } from '../helpers/team-processes.js';
import { startWorkServer, teamWorkspace } from '../helpers/team-workspace.js';
import { tempDir } from '../helpers/temp.js';

interface Health {
  ok: boolean;
  database: string;
  error?: string;
}

test('serve answers 503 with the reason while its database is down, and recovers by itself', async (t) => {
  const database = await restartablePostgres(t, 'queue');
  const url = database.url;

  const work = await startWorkServer(t);
  const dir = await teamWorkspace(t, work.origin);
  const tokens = path.join(tempDir(t, 'lockstep-tokens-'), 'tokens');
  const token = await newToken(dir, tokens, 'run');
  const { origin, process: serve } = await startServe(t, dir, url, tokens);
  const request = { workflow: 'work@production', input: { who: 'ada' } };

  const up = await api<Health>(origin, '/v1/health');
  assert.equal(up.status, 200);
  assert.equal(up.body.database, 'reachable');

  await database.stop();
  const down = await pollUntil(
    async () => {
      const answer = await api<Health>(origin, '/v1/health');
      return answer.status === 503 ? answer : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200, what: 'health to say the database is down' },
  );
  assert.equal(down.body.ok, false);
  assert.equal(down.body.database, 'unreachable');
  assert.match(down.body.error ?? '', /cannot reach|queue/);
  assert.doesNotMatch(down.body.error ?? '', /password=|:[^@/]+@/, 'no password in the reason');

  const refused = await api<{ error: { code: string; message: string } }>(origin, '/v1/runs', {
    token,
    body: request,
  });
  assert.equal(refused.status, 503);
  assert.match(refused.body.error.code, /unreachable|no-store/);
  assert.equal(serve.child.exitCode, null, 'serve keeps running');

  await database.start();
  await pollUntil(
    async () => ((await api<Health>(origin, '/v1/health')).status === 200 ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 200, what: `health to recover\n${serve.output()}` },
  );
  const accepted = await api<{ id: string }>(origin, '/v1/runs', { token, body: request });
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  assert.ok(accepted.body.id);
});
