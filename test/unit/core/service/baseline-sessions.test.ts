// Regression baselines as the editor's Testing view uses them: the real service process
// (dist/service.js) over Node IPC, a real workspace on disk. Baselines are added, listed, tested
// against the working copy or a version with progress, accepted and removed; every test ends
// (cancelled, or cut short by its time limit); bad requests change nothing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  BaselineAcceptRequest,
  BaselineAddRequest,
  BaselineRemoveRequest,
  BaselinesRequest,
  BaselineTestCancelRequest,
  BaselineTestRequest,
  PublishRequest,
  RunStartRequest,
  type BaselineTestItem,
} from '../../../../core/src/service/protocol.js';
import { GREET, gitRepo } from '../../../helpers/cli-workspace.js';
import { hang, startFakeServer } from '../../../helpers/fake-http-server.js';
import { failure, startService, type ServiceProcess } from '../../../helpers/service-process.js';
import { pollUntil } from '../../../helpers/store-wait.js';

const FILE = 'greet.workflow.yaml';

/** The stable code of a request's error (see `failure`). */
const failureCode = async (promise: Promise<unknown>): Promise<string> =>
  (await failure(promise)).code;

/** Runs the working copy and waits for the run to end; returns its id. */
async function runGreet(service: ServiceProcess, dir: string, who: string): Promise<string> {
  const { run } = await service.connection.sendRequest(RunStartRequest, {
    ref: path.join(dir, FILE),
    input: { who },
  });
  await pollUntil(
    () => service.progress.some((p) => p.run === run && p.event.type === 'run-finished'),
    { timeoutMs: 15_000, what: `run ${run} to finish` },
  );
  return run;
}

/** The verdicts a session reported. */
function judged(service: ServiceProcess, session: string): BaselineTestItem[] {
  return service.testProgress.flatMap((p) =>
    p.session === session && p.event.type === 'judged' ? [p.event.result] : [],
  );
}

const baselineFiles = (dir: string): string[] =>
  existsSync(path.join(dir, '.lockstep/baselines/greet'))
    ? readdirSync(path.join(dir, '.lockstep/baselines/greet')).sort()
    : [];

test('add, list, test (passing, then failing at the edited step), accept, test again, remove', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  const ada = await runGreet(service, dir, 'Ada');
  const bob = await runGreet(service, dir, 'Bob');

  const added = await connection.sendRequest(BaselineAddRequest, { run: ada });
  assert.equal(added.created, true);
  assert.equal(added.baseline.run, ada);
  assert.deepEqual(added.baseline.input, { who: 'Ada' });
  assert.ok(added.baseline.file?.startsWith(path.join(dir, '.lockstep/baselines/greet/')));
  assert.equal(added.baseline.location, added.baseline.file);
  const again = await connection.sendRequest(BaselineAddRequest, { run: ada });
  assert.equal(again.created, false, 'adding it again changes nothing');
  await connection.sendRequest(BaselineAddRequest, { run: bob });
  const { baselines } = await connection.sendRequest(BaselinesRequest, { workflow: 'greet' });
  assert.deepEqual(
    baselines.map((b) => b.run),
    [ada, bob],
  );
  await pollUntil(() => service.changes.some((c) => c.changes.includes('baselines')), {
    timeoutMs: 10_000,
    what: 'a baselines change',
  });

  const file = path.join(dir, FILE);
  const pass = await connection.sendRequest(BaselineTestRequest, { session: 's1', ref: file });
  assert.equal(pass.workflow, 'greet');
  assert.equal(pass.cancelled, false);
  assert.deepEqual(
    service.testProgress
      .filter((p) => p.session === 's1')
      .map(
        (p) =>
          `${p.event.type} ${p.event.type === 'started' ? p.event.baseline : p.event.result.baseline}`,
      ),
    [`started ${ada}`, `judged ${ada}`, `started ${bob}`, `judged ${bob}`],
  );
  assert.ok(judged(service, 's1').every((r) => r.pass && r.replayStatus === 'succeeded'));

  // The edit changes the second step: the first stays as recorded, the output differs.
  writeFileSync(
    file,
    GREET.replace('$uppercase(steps.hello.output)', '$lowercase(steps.hello.output)'),
  );
  await connection.sendRequest(BaselineTestRequest, {
    session: 's2',
    ref: file,
    baselines: [ada],
  });
  const [failed, ...others] = judged(service, 's2');
  assert.equal(others.length, 0, 'only the baseline asked for');
  assert.equal(failed!.pass, false);
  assert.equal(failed!.baseline, ada);
  assert.equal(failed!.firstChangedStep, 'shout');
  assert.deepEqual(failed!.location, { line: 11, endLine: 12 }, 'the lines of `- id: shout`');
  assert.equal(failed!.expected, 'HELLO, ADA');
  assert.equal(failed!.actual, 'hello, ada');
  assert.equal(failed!.replayStatus, 'succeeded');
  assert.match(failed!.message ?? '', /text \(exact\)/);

  const before = baselineFiles(dir);
  const accepted = await connection.sendRequest(BaselineAcceptRequest, {
    workflow: 'greet',
    replaced: ada,
    run: failed!.replay!,
  });
  assert.equal(accepted.baseline.run, failed!.replay);
  const after = baselineFiles(dir);
  assert.equal(after.length, 2);
  assert.notDeepEqual(after, before, 'the replaced baseline’s file is gone');
  await connection.sendRequest(BaselineTestRequest, {
    session: 's3',
    ref: file,
    baselines: [accepted.baseline.run],
  });
  assert.deepEqual(
    judged(service, 's3').map((r) => r.pass),
    [true],
    'the accepted baseline passes',
  );

  const removed = await connection.sendRequest(BaselineRemoveRequest, {
    workflow: 'greet',
    run: bob,
  });
  assert.equal(removed.removed.run, bob);
  assert.equal(baselineFiles(dir).length, 1);
  assert.equal(
    await failureCode(
      connection.sendRequest(BaselineRemoveRequest, { workflow: 'greet', run: bob }),
    ),
    'unknown-run',
  );
});

test('testing against a stored version; bad requests are refused and change nothing', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  await connection.sendRequest(PublishRequest, { file: path.join(dir, FILE), message: 'v1' });
  const ada = await runGreet(service, dir, 'Ada');
  await connection.sendRequest(BaselineAddRequest, { run: ada });
  const files = baselineFiles(dir);

  const result = await connection.sendRequest(BaselineTestRequest, {
    session: 'v',
    ref: 'greet@1',
  });
  assert.deepEqual(result.version.seq, 1);
  assert.deepEqual(
    judged(service, 'v').map((r) => r.pass),
    [true],
  );

  assert.equal(
    await failureCode(
      connection.sendRequest(BaselineAddRequest, { run: '01a24567-0000-7000-8000-000000000000' }),
    ),
    'unknown-run',
  );
  assert.equal(
    await failureCode(
      connection.sendRequest(BaselineTestRequest, { session: 'x', ref: 'greet@9' }),
    ),
    'unknown-version',
  );
  // A name that would leave the store is refused before any file is touched.
  for (const workflow of ['../greet', 'greet/../../x', '']) {
    await assert.rejects(connection.sendRequest(BaselinesRequest, { workflow }));
    await assert.rejects(connection.sendRequest(BaselineRemoveRequest, { workflow, run: ada }));
  }
  assert.equal(
    await failureCode(
      connection.sendRequest(BaselineAcceptRequest, {
        workflow: 'greet',
        replaced: ada,
        run: 'not-a-run',
      }),
    ),
    'bad-run-id',
  );
  assert.deepEqual(baselineFiles(dir), files, 'nothing was changed');
});

test('every test ends: cancelled mid-replay, or cut short by its time limit', async (t) => {
  const slow = await startFakeServer(t);
  slow.route('GET', '/slow', hang());
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  const ada = await runGreet(service, dir, 'Ada');
  await connection.sendRequest(BaselineAddRequest, { run: ada });
  // A new step without a recorded answer: a live call that never answers.
  const file = path.join(dir, FILE);
  writeFileSync(
    file,
    GREET.replace(
      'steps:\n',
      `steps:\n  - id: wait\n    http: { url: ${slow.origin}/slow }\n    timeout: 5m\n`,
    ),
  );

  const cancelled = connection.sendRequest(BaselineTestRequest, { session: 'c', ref: file });
  await pollUntil(() => slow.requests.length === 1, { timeoutMs: 10_000, what: 'the slow call' });
  assert.deepEqual(await connection.sendRequest(BaselineTestCancelRequest, { session: 'c' }), {
    cancelled: true,
  });
  assert.equal((await cancelled).cancelled, true);
  assert.deepEqual(judged(service, 'c'), [], 'a cancelled test is not a verdict');
  assert.deepEqual(await connection.sendRequest(BaselineTestCancelRequest, { session: 'c' }), {
    cancelled: false,
  });

  const limited = await connection.sendRequest(BaselineTestRequest, {
    session: 't',
    ref: file,
    timeoutMs: 300,
  });
  assert.equal(limited.cancelled, false);
  const [verdict] = judged(service, 't');
  assert.equal(verdict!.pass, false);
  assert.match(verdict!.message ?? '', /did not finish within 0.3 s/);
});
