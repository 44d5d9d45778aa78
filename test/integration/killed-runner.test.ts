// A runner killed mid-run (SIGKILL: no cleanup, no last event) leaves a run that reads as
// `interrupted`, with every step it finished intact; while its process lives, the same run reads
// as `running`. A run that ends normally reads as `succeeded`. Ctrl-C cancels a run, a pair of
// runs side by side and a replay: each exits 130 and is recorded as cancelled.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  assertExit,
  gitRepo,
  HERMETIC_ENV,
  lockstep,
  parseJson,
} from '../helpers/cli-workspace.js';
import { startTestServer } from '../helpers/engine-http-server.js';
import { CLI } from '../helpers/paths.js';
import { pollUntil } from '../helpers/store-wait.js';

interface InspectedRun {
  status: string;
  header: { id: string; workflow: string };
  steps: { path: string; status: string; output: unknown }[];
  finishedAt?: string;
  output: unknown;
}

/** The events of every run journal under `.lockstep/`, parsed. */
function journalEvents(repo: string): { type: string; record?: { path: string } }[] {
  const runs = path.join(repo, '.lockstep', 'local', 'runs');
  let files: string[];
  try {
    files = readdirSync(runs, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.jsonl'),
    );
  } catch {
    return [];
  }
  return files.flatMap((file) =>
    readFileSync(path.join(runs, file), 'utf8')
      .split('\n')
      .filter((line) => line.endsWith('}'))
      .map((line) => JSON.parse(line) as { type: string; record?: { path: string } }),
  );
}

/**
 * `lockstep run <file>` (or `lockstep <args…>`) as a separate process, killed when the test ends
 * if still running.
 */
function startRunner(
  t: TestContext,
  repo: string,
  file: string,
  args: readonly string[] = ['run', file],
): {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done: () => boolean;
  stderr: () => string;
} {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: repo,
    env: { ...process.env, LOCKSTEP_STORE: undefined, ...HERMETIC_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  t.after(() => {
    if (!done) child.kill('SIGKILL');
  });
  return { child, exited, done: () => done, stderr: () => stderr };
}

/** A workflow whose second step waits on a server that never answers. */
function hangingWorkflow(origin: string): string {
  return `name: slow
steps:
  - id: first
    transform: { ready: true, n: 42 }
  - id: wait
    http: { url: "${origin}/hang" }
  - id: never
    transform: unreachable
`;
}

/** Waits until the first step is in the journal and the second one is waiting on the server. */
async function waitForSecondStep(
  repo: string,
  server: { hanging: string[] },
  runner: { done: () => boolean; stderr: () => string },
): Promise<void> {
  await pollUntil(
    () => {
      if (runner.done()) throw new Error(`the runner exited early: ${runner.stderr()}`);
      const firstDone = journalEvents(repo).some(
        (e) => e.type === 'step-finished' && e.record?.path === 'first',
      );
      return firstDone && server.hanging.length === 1;
    },
    { timeoutMs: 20_000, what: 'the first step to finish and the second to call the server' },
  );
}

async function inspect(repo: string, id: string): Promise<InspectedRun> {
  const result = await lockstep(repo, ['inspect', id, '--json']);
  assertExit(result, 0);
  return parseJson<InspectedRun>(result);
}

test('a runner killed mid-run leaves an interrupted run with its finished steps', async (t) => {
  const server = await startTestServer(t);
  const repo = gitRepo(t, { 'slow.workflow.yaml': hangingWorkflow(server.origin) });
  const runner = startRunner(t, repo, 'slow.workflow.yaml');
  await waitForSecondStep(repo, server, runner);

  const listed = await lockstep(repo, ['runs', 'slow', '--json']);
  assertExit(listed, 0);
  const runs = parseJson<{ runs: { id: string; status: string }[] }>(listed).runs;
  assert.equal(runs.length, 1);
  const id = runs[0]!.id;
  assert.equal(runs[0]!.status, 'running');

  const alive = await inspect(repo, id);
  assert.equal(alive.status, 'running', 'a run whose writer lives is running');
  assert.equal(alive.finishedAt, undefined);

  runner.child.kill('SIGKILL');
  const exit = await runner.exited;
  assert.equal(exit.signal, 'SIGKILL');

  const killed = await inspect(repo, id);
  assert.equal(killed.status, 'interrupted');
  assert.equal(killed.header.id, id);
  assert.equal(killed.header.workflow, 'slow');
  assert.deepEqual(
    killed.steps.map((s) => [s.path, s.status, s.output]),
    [['first', 'succeeded', { ready: true, n: 42 }]],
  );
  assert.equal(killed.finishedAt, undefined);
  assert.equal(killed.output, null);

  const interrupted = await lockstep(repo, ['runs', 'slow', '--status', 'interrupted', '--json']);
  assertExit(interrupted, 0);
  assert.deepEqual(
    parseJson<{ runs: { id: string }[] }>(interrupted).runs.map((r) => r.id),
    [id],
  );
});

test('Ctrl-C cancels the run promptly: exit 130, recorded as cancelled', async (t) => {
  const server = await startTestServer(t);
  const repo = gitRepo(t, { 'slow.workflow.yaml': hangingWorkflow(server.origin) });
  const runner = startRunner(t, repo, 'slow.workflow.yaml');
  await waitForSecondStep(repo, server, runner);
  const interruptedAt = performance.now();
  runner.child.kill('SIGINT');
  const exit = await runner.exited;
  const took = performance.now() - interruptedAt;
  assert.equal(exit.code, 130, runner.stderr());
  assert.ok(took < 10_000, `the runner took ${took} ms to stop`);
  assert.match(runner.stderr(), /cancelling the run/);

  const listed = await lockstep(repo, ['runs', 'slow', '--json']);
  const id = parseJson<{ runs: { id: string }[] }>(listed).runs[0]!.id;
  const record = await inspect(repo, id);
  assert.equal(record.status, 'cancelled');
  assert.ok(record.finishedAt, 'a cancelled run is finished, not interrupted');
  assert.deepEqual(
    record.steps.map((s) => [s.path, s.status]),
    [
      ['first', 'succeeded'],
      ['wait', 'cancelled'],
    ],
  );
});

test('a run that ends normally reads as succeeded', async (t) => {
  const repo = gitRepo(t, {
    'quick.workflow.yaml': `name: quick
steps:
  - id: only
    transform: done
`,
  });
  const ran = await lockstep(repo, ['run', 'quick.workflow.yaml', '--json']);
  assertExit(ran, 0);
  const { id } = parseJson<{ id: string }>(ran);
  const record = await inspect(repo, id);
  assert.equal(record.status, 'succeeded');
  assert.equal(record.output, 'done');
  assert.ok(record.finishedAt);
  assert.deepEqual(
    record.steps.map((s) => [s.path, s.status]),
    [['only', 'succeeded']],
  );
});

test('Ctrl-C cancels runs side by side: exit 130, both recorded as cancelled', async (t) => {
  const server = await startTestServer(t);
  const repo = gitRepo(t, {
    'slow.workflow.yaml': hangingWorkflow(server.origin),
    'slower.workflow.yaml': hangingWorkflow(server.origin).replace('name: slow', 'name: slower'),
  });
  const runner = startRunner(t, repo, '', [
    'run',
    '--side-by-side',
    'slow.workflow.yaml',
    'slower.workflow.yaml',
  ]);
  await pollUntil(() => server.hanging.length === 2, {
    timeoutMs: 20_000,
    what: 'both runs to wait on the server',
  });
  runner.child.kill('SIGINT');
  const exit = await runner.exited;
  assert.equal(exit.code, 130, runner.stderr());
  assert.match(runner.stderr(), /cancelling the runs/);
  for (const name of ['slow', 'slower']) {
    const listed = parseJson<{ runs: { id: string; status: string }[] }>(
      await lockstep(repo, ['runs', name, '--json']),
    ).runs;
    assert.deepEqual(
      listed.map((r) => r.status),
      ['cancelled'],
      name,
    );
  }
});

test('Ctrl-C cancels a live replay against another version: exit 130, recorded as cancelled', async (t) => {
  const server = await startTestServer(t);
  const quick = hangingWorkflow(server.origin).replace('/hang', '/echo/answered');
  const repo = gitRepo(t, { 'slow.workflow.yaml': quick });
  const recorded = await lockstep(repo, ['run', 'slow.workflow.yaml', '--json']);
  assertExit(recorded, 0);
  const source = parseJson<{ id: string }>(recorded).id;
  // The working copy asks another URL: a miss, called live, on a server that never answers.
  writeFileSync(path.join(repo, 'slow.workflow.yaml'), hangingWorkflow(server.origin));
  const replay = startRunner(t, repo, '', [
    'replay',
    source,
    '--against',
    'slow.workflow.yaml',
    '--on-miss',
    'live',
  ]);
  await pollUntil(() => server.hanging.length === 1, {
    timeoutMs: 20_000,
    what: 'the replay to call the server',
  });
  replay.child.kill('SIGINT');
  const exit = await replay.exited;
  assert.equal(exit.code, 130, replay.stderr());
  assert.match(replay.stderr(), /cancelling the replay/);
  const runs = parseJson<{ runs: { id: string; status: string; mode: string }[] }>(
    await lockstep(repo, ['runs', 'slow', '--json']),
  ).runs;
  const replayed = runs.find((r) => r.mode === 'replay-against');
  assert.equal(replayed?.status, 'cancelled', JSON.stringify(runs));
});
