// Runs started by the editor, as the extension starts them: the real service process
// (dist/service.js) over Node IPC, a real workspace on disk, models and HTTP calls answered by real
// servers on 127.0.0.1. What is refused is refused before anything is stored; what runs is pinned
// to its version, reported step by step, cancellable, and never stores a secret.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  CompareRequest,
  FileVersionRequest,
  ReplayStartRequest,
  RunCancelRequest,
  RunDetailsRequest,
  RunInputsRequest,
  RunsRequest,
  RunStartRequest,
  SecretsRequest,
  StepResultsRequest,
  type RunProgressParams,
} from '../../../../core/src/service/protocol.js';
import { GREET, gitRepo } from '../../../helpers/cli-workspace.js';
import { hang, json, startFakeServer } from '../../../helpers/fake-http-server.js';
import { completion, startFakeOpenAi } from '../../../helpers/fake-openai-server.js';
import { failure, startService, type ServiceProcess } from '../../../helpers/service-process.js';
import { pollUntil } from '../../../helpers/store-wait.js';

const FILE = 'greet.workflow.yaml';
const KEY = 'sk-lockstep-run-sessions-7f3a9c';

/** The progress of `run` once it finished. */
async function finished(service: ServiceProcess, run: string): Promise<RunProgressParams[]> {
  await pollUntil(
    () => service.progress.some((p) => p.run === run && p.event.type === 'run-finished'),
    { timeoutMs: 15_000, what: `run ${run} to finish` },
  );
  return service.progress.filter((p) => p.run === run);
}

/** Every file under `dir`, with its bytes as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((relative) => path.join(dir, relative))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, text: readFileSync(file, 'latin1') }));
}

test('a run of the working copy: pinned to its snapshot, reported step by step, in the history', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  const file = path.join(dir, FILE);

  const started = await connection.sendRequest(RunStartRequest, {
    ref: file,
    input: { who: 'Ada' },
  });
  assert.equal(started.workflow, 'greet');
  const version = await connection.sendRequest(FileVersionRequest, { file });
  assert.ok(version.state === 'valid' && version.stored, 'the working copy was snapshotted');
  assert.equal(started.version.id, version.id, 'the run is pinned to the file’s version');

  const events = (await finished(service, started.run)).map((p) => p.event);
  assert.deepEqual(
    events.map((e) => `${e.type}${'path' in e ? ` ${e.path}` : ''}`),
    [
      'step-started hello',
      'step-finished hello',
      'step-started shout',
      'step-finished shout',
      'run-finished',
    ],
  );
  const last = events.at(-1)!;
  assert.ok(last.type === 'run-finished');
  assert.equal(last.status, 'succeeded');
  assert.deepEqual(last.output, { text: 'HELLO, ADA' });
  assert.ok(last.durationMs >= 0);

  const { runs } = await connection.sendRequest(RunsRequest, { workflow: 'greet' });
  assert.deepEqual(
    runs.map((r) => [r.id, r.status, r.version.id, r.mode]),
    [[started.run, 'succeeded', version.id, 'live']],
  );
});

test('wrong inputs and broken refs are answers to the request: nothing runs, nothing is stored', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  const file = path.join(dir, FILE);

  const wrong = await failure(
    connection.sendRequest(RunStartRequest, { ref: file, input: { who: 3, extra: true } }),
  );
  assert.equal(wrong.code, 'invalid-input');
  assert.deepEqual(wrong.data['problems'], [
    "'extra' is not an input of this workflow (inputs: who)",
    "input 'who' must be a string: Who to greet., not 3",
  ]);
  const missing = await failure(connection.sendRequest(RunStartRequest, { ref: file, input: {} }));
  assert.equal(missing.code, 'invalid-input');
  assert.match(missing.message, /input 'who' is required/);

  const unknown = await failure(
    connection.sendRequest(RunStartRequest, { ref: 'greet@7', input: { who: 'x' } }),
  );
  assert.match(unknown.code, /^unknown-(workflow|version)$/);
  const fixtures = await failure(
    connection.sendRequest(RunStartRequest, {
      ref: file,
      input: { who: 'x' },
      fixtures: path.join(dir, 'no-such-fixtures.yaml'),
    }),
  );
  assert.equal(fixtures.code, 'unreadable-file');

  const { runs } = await connection.sendRequest(RunsRequest, { workflow: 'greet' });
  assert.deepEqual(runs, []);
  assert.equal(service.progress.length, 0);
});

const MODEL_WORKFLOW = (baseUrl: string) => `name: summarize
inputs:
  text: { type: string }
models:
  fast:
    provider: openai
    model: test-model
    base_url: ${baseUrl}
    api_key: \${{ secrets.API_KEY }}
steps:
  - id: summary
    llm:
      model: fast
      prompt: Summarize \${{ inputs.text }}
outputs:
  summary: \${{ steps.summary.output }}
`;

test('a secret the run needs: missing → secret-missing naming it, nothing stored; given → used, never stored', async (t) => {
  const openai = await startFakeOpenAi(t);
  const dir = gitRepo(t, {
    'summarize.workflow.yaml': MODEL_WORKFLOW(openai.baseUrl),
    '.lockstep/config.yaml': 'secrets:\n  API_KEY:\n',
  });
  const service = await startService(t, dir, { API_KEY: undefined });
  const { connection } = service;
  const file = path.join(dir, 'summarize.workflow.yaml');

  const listed = await connection.sendRequest(SecretsRequest);
  assert.deepEqual(listed.secrets, [{ name: 'API_KEY', inEnvironment: false }]);

  const refused = await failure(
    connection.sendRequest(RunStartRequest, { ref: file, input: { text: 'a long text' } }),
  );
  assert.equal(refused.code, 'secret-missing');
  assert.deepEqual(refused.data['names'], ['API_KEY']);
  assert.match(refused.message, /secrets\.API_KEY is not set.*Lockstep: Set Secret/);
  assert.equal(openai.requests.length, 0);
  assert.deepEqual((await connection.sendRequest(RunsRequest, { workflow: 'summarize' })).runs, []);

  openai.script(completion('Short.', { usage: { prompt_tokens: 30, completion_tokens: 4 } }));
  const started = await connection.sendRequest(RunStartRequest, {
    ref: file,
    input: { text: 'a long text' },
    secrets: { API_KEY: KEY },
  });
  const events = (await finished(service, started.run)).map((p) => p.event);
  const step = events.find((e) => e.type === 'step-finished');
  assert.ok(step?.type === 'step-finished');
  assert.deepEqual(step.tokens, { input: 30, output: 4 });
  const last = events.at(-1);
  assert.ok(last?.type === 'run-finished');
  assert.equal(last.status, 'succeeded');
  assert.equal(openai.requests[0]!.headers.authorization, `Bearer ${KEY}`);

  // The value, in any encoding, is nowhere in the store.
  const forms = [KEY, Buffer.from(KEY).toString('base64'), encodeURIComponent(KEY)];
  for (const { file: stored, text } of filesUnder(path.join(dir, '.lockstep'))) {
    for (const form of forms) assert.ok(!text.includes(form), `${stored} holds the secret`);
  }
  assert.ok(!service.stderr().includes(KEY), 'the service’s log holds the secret');
});

test('Cancel stops a run waiting on a slow call: recorded as cancelled', async (t) => {
  const slow = await startFakeServer(t);
  slow.route('GET', '/slow', hang());
  const dir = gitRepo(t, {
    'slow.workflow.yaml': `name: slow
steps:
  - id: first
    transform: \${{ 1 }}
  - id: wait
    http: { url: ${slow.origin}/slow }
    timeout: 5m
`,
  });
  const service = await startService(t, dir);
  const { connection } = service;
  const started = await connection.sendRequest(RunStartRequest, {
    ref: path.join(dir, 'slow.workflow.yaml'),
    input: {},
  });
  await pollUntil(() => slow.requests.length === 1, { timeoutMs: 10_000, what: 'the slow call' });
  assert.deepEqual(await connection.sendRequest(RunCancelRequest, { run: started.run }), {
    cancelled: true,
  });
  const last = (await finished(service, started.run)).at(-1)!.event;
  assert.ok(last.type === 'run-finished');
  assert.equal(last.status, 'cancelled');
  const details = await connection.sendRequest(RunDetailsRequest, { id: started.run });
  assert.equal(details.run.status, 'cancelled');
  assert.deepEqual(await connection.sendRequest(RunCancelRequest, { run: started.run }), {
    cancelled: false,
  });
});

test('a shell step is off unless the editor’s setting allows it', async (t) => {
  const dir = gitRepo(t, {
    'sh.workflow.yaml': 'name: sh\nsteps:\n  - id: list\n    shell: echo hi\n',
  });
  const service = await startService(t, dir);
  const started = await service.connection.sendRequest(RunStartRequest, {
    ref: path.join(dir, 'sh.workflow.yaml'),
    input: {},
  });
  const last = (await finished(service, started.run)).at(-1)!.event;
  assert.ok(last.type === 'run-finished' && last.status === 'failed');
  assert.equal(last.error?.code, 'shell-not-allowed');
  assert.match(last.error?.message ?? '', /lockstep\.allowShell/);

  const allowed = await service.connection.sendRequest(RunStartRequest, {
    ref: path.join(dir, 'sh.workflow.yaml'),
    input: {},
    allowShell: true,
  });
  const done = (await finished(service, allowed.run)).at(-1)!.event;
  assert.ok(done.type === 'run-finished');
  assert.equal(done.status, 'succeeded');
});

test('inputs for the form, recent inputs, and the lenses’ step results (stale once edited)', async (t) => {
  const dir = gitRepo(t, {
    [FILE]: GREET.replace(
      'inputs:\n  who:\n    type: string\n    description: Who to greet.\n',
      'inputs:\n  who:\n    type: string\n    description: Who to greet.\n  times:\n    type: integer\n    default: 1\n  tone:\n    type: string\n    enum: [warm, dry]\n    required: false\n',
    ),
  });
  const service = await startService(t, dir);
  const { connection } = service;
  const file = path.join(dir, FILE);

  const before = await connection.sendRequest(RunInputsRequest, { ref: file });
  assert.deepEqual(before, {
    workflow: 'greet',
    inputs: [
      { name: 'who', type: 'string', description: 'Who to greet.', required: true },
      { name: 'times', type: 'integer', default: 1, required: false },
      { name: 'tone', type: 'string', enum: ['warm', 'dry'], required: false },
    ],
    recent: [],
  });
  const empty = await connection.sendRequest(StepResultsRequest, { file });
  assert.equal(empty.runs, 0);
  assert.deepEqual(empty.steps, {});

  for (const who of ['Ada', 'Grace', 'Ada']) {
    const { run } = await connection.sendRequest(RunStartRequest, { ref: file, input: { who } });
    await finished(service, run);
  }
  const after = await connection.sendRequest(RunInputsRequest, { ref: file });
  assert.deepEqual(
    after.recent.map((r) => r.input),
    [
      { who: 'Ada', times: 1, tone: null },
      { who: 'Grace', times: 1, tone: null },
    ],
    'distinct inputs, newest first',
  );

  const results = await connection.sendRequest(StepResultsRequest, { file });
  assert.equal(results.runs, 3);
  assert.deepEqual(results.lastInput, { who: 'Ada', times: 1, tone: null });
  assert.deepEqual(Object.keys(results.steps).sort(), ['hello', 'shout']);
  assert.equal(results.steps['hello']!.status, 'succeeded');
  assert.equal(results.steps['hello']!.stale, false);
  assert.equal(results.steps['hello']!.run, after.recent[0]!.run);

  // The editor's unsaved text: the edited step is stale, the other is not.
  const edited = readFileSync(file, 'utf8').replace('$uppercase', '$lowercase');
  const unsaved = await connection.sendRequest(StepResultsRequest, { file, text: edited });
  assert.equal(unsaved.steps['shout']!.stale, true);
  assert.equal(unsaved.steps['hello']!.stale, false);
  // Saved: the same.
  writeFileSync(file, edited);
  const saved = await connection.sendRequest(StepResultsRequest, { file });
  assert.equal(saved.steps['shout']!.stale, true);
  assert.equal(saved.version.state === 'valid' && saved.version.stored, false);
});

test('a failed step’s result names its error', async (t) => {
  const api = await startFakeServer(t);
  api.route('GET', '/broken', json(500, { error: 'down' }));
  const dir = gitRepo(t, {
    'call.workflow.yaml': `name: call\nsteps:\n  - id: fetch\n    http: { url: ${api.origin}/broken }\n`,
  });
  const service = await startService(t, dir);
  const file = path.join(dir, 'call.workflow.yaml');
  const { run } = await service.connection.sendRequest(RunStartRequest, { ref: file, input: {} });
  await finished(service, run);
  const results = await service.connection.sendRequest(StepResultsRequest, { file });
  assert.equal(results.steps['fetch']!.status, 'failed');
  assert.match(results.steps['fetch']!.error?.code ?? '', /http/);
});

test('replays: exact (every step identical), against the edited working copy (the edited step changed), compared; unknown runs refused', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const service = await startService(t, dir);
  const { connection } = service;
  const file = path.join(dir, FILE);
  const source = await connection.sendRequest(RunStartRequest, {
    ref: file,
    input: { who: 'Ada' },
  });
  await finished(service, source.run);

  const exact = await connection.sendRequest(ReplayStartRequest, { run: source.run });
  assert.equal(exact.source, source.run);
  assert.deepEqual(exact.version, source.version, 'an exact replay runs the run’s own version');
  const exactEnd = (await finished(service, exact.run)).at(-1)!.event;
  assert.ok(exactEnd.type === 'run-finished' && exactEnd.status === 'succeeded');
  const same = await connection.sendRequest(CompareRequest, { a: source.run, b: exact.run });
  assert.deepEqual(
    same.steps.map((s) => s.change),
    ['identical', 'identical'],
  );
  assert.equal(same.firstDivergence, undefined);

  writeFileSync(
    file,
    GREET.replace('$uppercase(steps.hello.output)', '$lowercase(steps.hello.output)'),
  );
  const against = await connection.sendRequest(ReplayStartRequest, {
    run: source.run,
    against: file,
    onMiss: 'fail',
  });
  assert.notEqual(against.version.id, source.version.id, 'pinned to the edited content');
  await finished(service, against.run);
  const changed = await connection.sendRequest(CompareRequest, { a: source.run, b: against.run });
  assert.deepEqual(
    changed.steps.map((s) => `${s.path} ${s.change}`),
    ['hello identical', 'shout output-changed'],
  );
  assert.equal(changed.firstDivergence, 'shout');

  const unknown = await failure(
    connection.sendRequest(ReplayStartRequest, { run: '01234567-89ab-7def-8123-456789abcdef' }),
  );
  assert.equal(unknown.code, 'unknown-run');
  const badCompare = await failure(
    connection.sendRequest(CompareRequest, { a: source.run, b: 'nope-not-a-run' }),
  );
  assert.match(badCompare.code, /unknown-run|bad-run-id/);
});
