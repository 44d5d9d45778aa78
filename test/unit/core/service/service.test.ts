// The workspace service's messages, as the extension sends them: the real process (dist/service.js)
// over Node IPC, on a real workspace on disk. What the CLI writes meanwhile is seen too.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc/node';
import {
  FileVersionRequest,
  PublishRequest,
  RunDetailsRequest,
  RunsRequest,
  SnapshotRequest,
  StatsRequest,
  VersionsRequest,
  VersionTextRequest,
  WorkflowsRequest,
} from '../../../../core/src/service/protocol.js';
import { GREET, GREET_V2, gitRepo, lockstep } from '../../../helpers/cli-workspace.js';
import { startService } from '../../../helpers/service-process.js';
import { pollUntil } from '../../../helpers/store-wait.js';

const FILE = 'greet.workflow.yaml';

/** The data of a request's error (its Lockstep code), failing when the request succeeds. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ResponseError, String(error));
    return { code: (error.data as { code: string }).code, message: error.message };
  }
  assert.fail('the request succeeded');
}

test('ready: the service names its workspace and store', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  assert.equal(service.ready.root, dir);
  assert.equal(service.ready.store, path.join(dir, '.lockstep'));
  assert.match(service.ready.version, /^\d+\.\d+\.\d+/);
  const stats = await service.connection.sendRequest(StatsRequest);
  assert.ok(stats.rss > 0 && stats.heapUsed > 0 && stats.uptimeMs >= 0);
});

test('snapshot, then publish: the file’s version moves from nothing to a snapshot to v1', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const { connection } = await startService(t, dir);
  const file = path.join(dir, FILE);

  const before = await connection.sendRequest(FileVersionRequest, { file });
  assert.equal(before.state, 'valid');
  assert.ok(before.state === 'valid' && !before.stored && before.seq === undefined);
  assert.ok(!existsSync(path.join(dir, '.lockstep')), 'asking creates no store');

  const first = await connection.sendRequest(SnapshotRequest, { file });
  assert.equal(first.created, true);
  assert.equal(first.version.workflow, 'greet');
  const again = await connection.sendRequest(SnapshotRequest, { file });
  assert.equal(again.created, false, 'the same content makes no new version');
  assert.equal(again.version.id, first.version.id);
  const stored = await connection.sendRequest(FileVersionRequest, { file });
  assert.deepEqual(stored, {
    state: 'valid',
    workflow: 'greet',
    id: first.version.id,
    stored: true,
  });

  const unexplained = await failure(connection.sendRequest(PublishRequest, { file, message: ' ' }));
  assert.equal(unexplained.code, 'usage');
  const published = await connection.sendRequest(PublishRequest, { file, message: 'first' });
  assert.equal(published.created, true);
  assert.equal(published.version.seq, 1);
  assert.equal(published.version.message, 'first');
  const now = await connection.sendRequest(FileVersionRequest, { file });
  assert.deepEqual(now, {
    state: 'valid',
    workflow: 'greet',
    id: first.version.id,
    stored: true,
    seq: 1,
    latestSeq: 1,
  });
  const twice = await connection.sendRequest(PublishRequest, { file, message: 'again' });
  assert.equal(twice.created, false, 'publishing the same content says which number it has');
  assert.equal(twice.version.seq, 1);
});

test('an invalid file is not snapshotted and says how many errors it has', async (t) => {
  const dir = gitRepo(t, {
    [FILE]: 'name: greet\nsteps:\n  - id: a\n    transform: ${{ nope.x }}\n',
  });
  const { connection } = await startService(t, dir);
  const file = path.join(dir, FILE);
  const state = await connection.sendRequest(FileVersionRequest, { file });
  assert.deepEqual(state, { state: 'invalid', workflow: 'greet', errors: 1 });
  const refused = await failure(connection.sendRequest(SnapshotRequest, { file }));
  assert.equal(refused.code, 'invalid-definition');
  assert.match(refused.message, /greet\.workflow\.yaml:4:\d+: /);
  assert.ok(!existsSync(path.join(dir, '.lockstep')), 'an invalid file creates no store');
  const publish = await failure(connection.sendRequest(PublishRequest, { file, message: 'x' }));
  assert.equal(publish.code, 'invalid-definition');
});

test('versions, workflows and version texts; unknown ones are named errors', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const { connection } = await startService(t, dir);
  const file = path.join(dir, FILE);
  // The file is a workflow of the workspace before anything is stored.
  assert.deepEqual(await connection.sendRequest(WorkflowsRequest), {
    workflows: [{ name: 'greet', file }],
  });
  assert.deepEqual(await connection.sendRequest(VersionsRequest, { workflow: 'greet' }), {
    versions: [],
  });
  const v1 = await connection.sendRequest(PublishRequest, { file, message: 'first' });
  writeFileSync(file, GREET_V2);
  const snapshot = await connection.sendRequest(SnapshotRequest, { file });

  const { versions } = await connection.sendRequest(VersionsRequest, { workflow: 'greet' });
  assert.deepEqual(
    versions.map((v) => [v.id, v.seq ?? null]).sort(),
    [
      [v1.version.id, 1],
      [snapshot.version.id, null],
    ].sort(),
  );
  assert.deepEqual(await connection.sendRequest(WorkflowsRequest), {
    workflows: [{ name: 'greet', file, latestSeq: 1 }],
  });
  const byNumber = await connection.sendRequest(VersionTextRequest, {
    workflow: 'greet',
    version: 1,
  });
  assert.equal(byNumber.text, GREET);
  assert.equal(byNumber.version.seq, 1);
  const byId = await connection.sendRequest(VersionTextRequest, {
    workflow: 'greet',
    version: snapshot.version.id,
  });
  assert.equal(byId.text, GREET_V2);

  const missing = await failure(
    connection.sendRequest(VersionTextRequest, { workflow: 'greet', version: 7 }),
  );
  assert.equal(missing.code, 'unknown-version');
  const hostile = await failure(
    connection.sendRequest(VersionsRequest, { workflow: '../../outside' }),
  );
  assert.equal(hostile.code, 'bad-name');
});

test('snapshots beyond retention.snapshots are pruned, never a published one', async (t) => {
  const dir = gitRepo(t, {
    [FILE]: GREET,
    '.lockstep/config.yaml': 'retention:\n  snapshots: 2\n',
  });
  const { connection } = await startService(t, dir);
  const file = path.join(dir, FILE);
  await connection.sendRequest(PublishRequest, { file, message: 'kept' });
  const ids: string[] = [];
  for (let i = 1; i <= 4; i++) {
    writeFileSync(file, GREET.replace('Hello, ', `Hello ${i}, `));
    const result = await connection.sendRequest(SnapshotRequest, { file });
    ids.push(result.version.id);
    assert.deepEqual(result.pruned, i <= 2 ? [] : [ids[i - 3]]);
  }
  const { versions } = await connection.sendRequest(VersionsRequest, { workflow: 'greet' });
  assert.equal(versions.length, 3, 'the published version and the two newest snapshots');
  assert.ok(versions.some((v) => v.seq === 1));
});

test('what the CLI writes while the service runs is seen, and notified', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  assert.deepEqual(await connection.sendRequest(VersionsRequest, { workflow: 'greet' }), {
    versions: [],
  });
  const published = await lockstep(dir, ['publish', FILE, '-m', 'from a terminal']);
  assert.equal(published.code, 0, published.stderr);
  await pollUntil(() => service.changes.some((c) => c.changes.includes('versions')), {
    timeoutMs: 10_000,
    what: 'a store change notification',
  });
  const { versions } = await connection.sendRequest(VersionsRequest, { workflow: 'greet' });
  assert.deepEqual(
    versions.map((v) => [v.seq, v.message, v.runs]),
    [[1, 'from a terminal', 0]],
  );
  const ran = await lockstep(dir, ['run', 'greet@1', '-i', 'who=Ada']);
  assert.equal(ran.code, 0, ran.stderr);
  await pollUntil(() => service.changes.some((c) => c.changes.includes('runs')), {
    timeoutMs: 10_000,
    what: 'a runs change notification',
  });
  const { runs, more } = await connection.sendRequest(RunsRequest, { workflow: 'greet' });
  assert.equal(more, false);
  assert.deepEqual(
    runs.map((r) => [r.status, r.mode, r.version.seq]),
    [['succeeded', 'live', 1]],
  );
  const details = await connection.sendRequest(RunDetailsRequest, { id: runs[0]!.id });
  assert.deepEqual(details.output, { text: 'HELLO, ADA' });
  assert.deepEqual(
    details.steps.map((s) => [s.path, s.kind, s.status]),
    [
      ['hello', 'transform', 'succeeded'],
      ['shout', 'transform', 'succeeded'],
    ],
  );
  assert.deepEqual(details.stepLines['hello'], { line: 9, endLine: 10 });
  const counted = await connection.sendRequest(VersionsRequest, { workflow: 'greet' });
  assert.equal(counted.versions[0]?.runs, 1);
  const unknown = await failure(
    connection.sendRequest(RunDetailsRequest, { id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' }),
  );
  assert.equal(unknown.code, 'unknown-run');
});

test('the service ends when the extension disconnects', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  service.child.disconnect();
  await pollUntil(() => service.child.exitCode !== null, {
    timeoutMs: 10_000,
    what: 'the service to exit',
  });
  assert.equal(service.child.exitCode, 0, service.stderr());
});
