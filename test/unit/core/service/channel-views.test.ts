// Channels as the editor changes them: the real service process over Node IPC. A change is
// previewed in words, then appended on the revision the preview was decided on; versions and the
// file's version carry their shares; a stale preview is refused and changes nothing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  ChannelChangeRequest,
  ChannelHealthRequest,
  ChannelsRequest,
  FileVersionRequest,
  PublishRequest,
  RunDetailsRequest,
  RunInputsRequest,
  RunStartRequest,
  RunsRequest,
  VersionsRequest,
  WorkflowsRequest,
  type ChannelChangeParams,
} from '../../../../core/src/service/protocol.js';
import { GREET, GREET_V2, gitRepo } from '../../../helpers/cli-workspace.js';
import { failure, startService } from '../../../helpers/service-process.js';
import { pollUntil } from '../../../helpers/store-wait.js';

const FILE = 'greet.workflow.yaml';

/** The stable code of a request's error (see `failure`). */
const failureCode = async (promise: Promise<unknown>): Promise<string> =>
  (await failure(promise)).code;

test('promote, canary and roll back from the editor: previewed in words, shares on versions', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const { connection } = await startService(t, dir);
  const file = path.join(dir, FILE);
  await connection.sendRequest(PublishRequest, { file, message: 'v1' });
  writeFileSync(file, GREET_V2);
  await connection.sendRequest(PublishRequest, { file, message: 'v2' });
  const change = (params: Omit<ChannelChangeParams, 'workflow' | 'channel'>) =>
    connection.sendRequest(ChannelChangeRequest, {
      workflow: 'greet',
      channel: 'production',
      ...params,
    });

  const preview = await change({ action: 'promote', version: 1, preview: true });
  assert.deepEqual(preview, { applied: false, decidedOn: 0, from: 'nothing', to: 'v1 100%' });
  assert.deepEqual(await connection.sendRequest(ChannelsRequest, { workflow: 'greet' }), {
    channels: [],
  });
  const promoted = await change({
    action: 'promote',
    version: 1,
    expectedRevision: 0,
    message: 'go',
  });
  assert.equal(promoted.applied, true);

  const canary = await change({ action: 'canary', version: 2, weight: 10, preview: true });
  assert.deepEqual(
    { from: canary.from, to: canary.to },
    { from: 'v1 100%', to: 'v1 90% · v2 10%' },
  );
  await change({ action: 'canary', version: 2, weight: 10, expectedRevision: canary.decidedOn });
  const { versions } = await connection.sendRequest(VersionsRequest, { workflow: 'greet' });
  const shares = new Map(versions.map((v) => [v.seq, v.channels]));
  assert.deepEqual(shares.get(1), [{ channel: 'production', share: 90 }]);
  assert.deepEqual(shares.get(2), [{ channel: 'production', share: 10, candidate: true }]);
  const current = await connection.sendRequest(FileVersionRequest, { file });
  assert.ok(current.state === 'valid');
  assert.deepEqual(current.channels, [{ channel: 'production', share: 10, candidate: true }]);
  const [channel] = (await connection.sendRequest(ChannelsRequest, { workflow: 'greet' })).channels;
  assert.equal(channel!.summary, 'v1 90% · v2 10%');
  assert.equal(channel!.candidate?.weight, 10);
  assert.equal(channel!.canRollBack, true);
  assert.equal(channel!.lastChange?.action, 'canary');

  // A preview decided before another change is refused when applied: nothing changes.
  const stale = await change({ action: 'rollback', preview: true });
  await change({ action: 'canary', version: 2, weight: 20 });
  assert.equal(
    await failureCode(change({ action: 'rollback', expectedRevision: stale.decidedOn })),
    'conflict',
  );
  assert.equal(
    (await connection.sendRequest(ChannelsRequest, { workflow: 'greet' })).channels[0]!.summary,
    'v1 80% · v2 20%',
  );
  const back = await change({ action: 'rollback' });
  assert.deepEqual(
    { from: back.from, to: back.to },
    { from: 'v1 80% · v2 20%', to: 'v1 90% · v2 10%' },
  );

  assert.equal(await failureCode(change({ action: 'promote', version: 9 })), 'unknown-version');
  assert.equal(await failureCode(change({ action: 'canary', version: 2, weight: 0 })), 'usage');
  assert.equal(
    await failureCode(
      connection.sendRequest(ChannelChangeRequest, {
        workflow: 'greet',
        channel: 'v2',
        action: 'promote',
        version: 1,
      }),
    ),
    'bad-name',
  );
});

test('a channel as the Runner uses it: its form, and a run that records and shows its routing', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  await connection.sendRequest(PublishRequest, { file: path.join(dir, FILE), message: 'v1' });
  await connection.sendRequest(ChannelChangeRequest, {
    workflow: 'greet',
    channel: 'production',
    action: 'promote',
    version: 1,
  });
  const form = await connection.sendRequest(RunInputsRequest, { ref: 'greet@production' });
  assert.deepEqual(
    form.inputs.map((i) => i.name),
    ['who'],
    'the channel’s stable version’s inputs',
  );
  const started = await connection.sendRequest(RunStartRequest, {
    ref: 'greet@production',
    input: { who: 'Ada' },
  });
  assert.equal(started.version.seq, 1);
  await pollUntil(
    () => service.progress.some((p) => p.run === started.run && p.event.type === 'run-finished'),
    { timeoutMs: 15_000, what: 'the run to finish' },
  );
  const details = await connection.sendRequest(RunDetailsRequest, { id: started.run });
  assert.equal(details.routing?.channel, 'production');
  assert.equal(details.routing?.target, 'stable');
  assert.equal(details.routing?.revision, 1);
  // History's list says so too: the run row names the channel it came through.
  const listed = await connection.sendRequest(RunsRequest, { workflow: 'greet' });
  const row = listed.runs.find((run) => run.id === started.run);
  assert.equal(row?.routing?.channel, 'production');
  assert.equal(row?.routing?.target, 'stable');
});

test('a canary started with a threshold aborts by itself; the channel’s health, history and warning say so', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  const file = path.join(dir, FILE);
  await connection.sendRequest(PublishRequest, { file, message: 'v1' });
  // v2 fails every run: its second step raises an error.
  writeFileSync(file, GREET.replace('$uppercase(steps.hello.output)', '$error("broken")'));
  await connection.sendRequest(PublishRequest, { file, message: 'v2' });
  const change = (params: Omit<ChannelChangeParams, 'workflow' | 'channel'>) =>
    connection.sendRequest(ChannelChangeRequest, {
      workflow: 'greet',
      channel: 'production',
      ...params,
    });
  await change({ action: 'promote', version: 1, message: 'v1 everywhere' });
  assert.equal(
    await failureCode(change({ action: 'canary', version: 2, weight: 50, abortIf: ['oops > 1'] })),
    'usage',
    'a threshold that does not parse is refused',
  );
  const preview = await change({
    action: 'canary',
    version: 2,
    weight: 50,
    abortIf: ['failure_rate > 5%'],
    preview: true,
  });
  assert.deepEqual(preview.abortIf, ['failure_rate > 5% (at least 20 runs)']);
  await change({
    action: 'canary',
    version: 2,
    weight: 50,
    abortIf: ['failure_rate > 5%'],
    expectedRevision: preview.decidedOn,
  });
  const [started] = (await connection.sendRequest(ChannelsRequest, { workflow: 'greet' })).channels;
  assert.deepEqual(started!.abortIf, ['failure_rate > 5% (at least 20 runs)']);

  // Runs through the channel until the candidate's 20th failure aborts the canary.
  let runs = 0;
  const aborted = async (): Promise<boolean> =>
    (await connection.sendRequest(ChannelsRequest, { workflow: 'greet' })).channels[0]!.lastChange
      ?.action === 'auto-abort';
  while (!(await aborted())) {
    assert.ok(runs < 200, 'the canary is aborted within 200 runs');
    const run = await connection.sendRequest(RunStartRequest, {
      ref: 'greet@production',
      input: { who: `customer ${runs}` },
    });
    runs += 1;
    await pollUntil(
      () => service.progress.some((p) => p.run === run.run && p.event.type === 'run-finished'),
      { timeoutMs: 15_000, what: `run ${runs} to finish` },
    );
  }

  const health = await connection.sendRequest(ChannelHealthRequest, {
    workflow: 'greet',
    channel: 'production',
  });
  assert.equal(health.channel.summary, 'v1 100%');
  assert.equal(health.channel.lastChange?.action, 'auto-abort');
  assert.match(health.channel.lastChange?.trigger ?? '', /^failure_rate 100% > 5% over 20 runs$/);
  assert.deepEqual(
    health.history.map((h) => [h.revision, h.action, h.from, h.to]),
    [
      [3, 'auto-abort', 'v1 50% · v2 50%', 'v1 100%'],
      [2, 'canary', 'v1 100%', 'v1 50% · v2 50%'],
      [1, 'promote', 'nothing', 'v1 100%'],
    ],
  );
  assert.equal(health.history[2]!.message, 'v1 everywhere');
  // Only the stable version is routed to now; its figures count the runs it took.
  assert.deepEqual(
    health.versions.map((v) => [v.seq, v.target, v.share]),
    [[1, 'stable', 100]],
  );
  const stable = health.versions[0]!;
  assert.equal(stable.lastDay.runs, runs - 20);
  assert.equal(stable.lastHour.failed, 0);
  assert.match(stable.lastDay.text, new RegExp(`^${runs - 20} runs, 0% failed, p50 \\d+ ms`));

  // The workflow says so too, for the editor's warning.
  const { workflows } = await connection.sendRequest(WorkflowsRequest);
  assert.deepEqual(
    workflows.find((w) => w.name === 'greet')?.autoAborted?.map((a) => [a.channel, a.revision]),
    [['production', 3]],
  );

  assert.equal(
    await failureCode(
      connection.sendRequest(ChannelHealthRequest, { workflow: 'greet', channel: 'staging' }),
    ),
    'unknown-channel',
  );
});
