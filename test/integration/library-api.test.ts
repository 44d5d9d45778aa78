// A service embeds the runner by importing the built library entry, as it would from npm.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

type Api = typeof import('../../core/src/index.js');

const WORKFLOW = `name: greet
inputs:
  who: { type: string }
models:
  fast: { provider: openai, model: m, api_key: "\${{ secrets.KEY }}" }
steps:
  - id: hello
    llm: { model: fast, prompt: "Greet \${{ inputs.who }}" }
  - id: shout
    transform: \${{ $uppercase(steps.hello.output) }}
outputs:
  text: \${{ steps.shout.output }}
`;
const FIXTURES = `models:\n  - step: hello\n    answer: hello, ada\n`;

test('the built entry runs a workflow, reports progress and lists the run', async (t) => {
  // Resolved at run time through the package's own name and "exports", like a dependency.
  const specifier = 'lockstep';
  const api = (await import(specifier)) as Api;
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'greet.workflow.yaml'), WORKFLOW);
  writeFileSync(path.join(dir, 'fixtures.yaml'), FIXTURES);
  mkdirSync(path.join(dir, '.lockstep'));
  writeFileSync(path.join(dir, '.lockstep', 'config.yaml'), 'secrets: [KEY]\n');

  const lockstep = await api.Lockstep.open(dir);
  t.after(() => lockstep.close());
  const events: string[] = [];
  const result = await lockstep.run(path.join(dir, 'greet.workflow.yaml'), {
    input: { who: 'Ada' },
    fixtures: path.join(dir, 'fixtures.yaml'),
    onEvent: (event) => events.push(event.type),
  });
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(result.output, { text: 'HELLO, ADA' });
  assert.equal(events[0], 'run-started');
  assert.ok(events.includes('step-finished'));

  const runs = await lockstep.runs({ workflow: 'greet' });
  assert.deepEqual(
    runs.map((r) => r.id),
    [result.id],
  );
  const record = await lockstep.inspect(result.id);
  assert.equal(record?.header.mode.kind, 'scripted');
  assert.deepEqual(
    record?.steps.map((s) => [s.path, s.status]),
    [
      ['hello', 'succeeded'],
      ['shout', 'succeeded'],
    ],
  );

  await assert.rejects(
    lockstep.run(path.join(dir, 'greet.workflow.yaml'), { input: {} }),
    (error: unknown) =>
      error instanceof api.InputError && /input 'who' is required/.test(error.message),
  );
});

test('the type declarations serve a TypeScript consumer', (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'lockstep'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    path.join(dir, 'consumer.ts'),
    `import { Lockstep, type RunSummary } from 'lockstep';
const lockstep = await Lockstep.open('.');
const run = await lockstep.run('greet@1', { input: { who: 'Ada' } });
const status: 'succeeded' | 'failed' | 'cancelled' = run.status;
const recent: RunSummary[] = await lockstep.runs({ limit: 5 });
// @ts-expect-error: a wrong option is a type error for consumers too
await lockstep.run('greet@1', { inputs: {} });
console.log(status, recent.length);
`,
  );
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      'false',
      '--types',
      'node',
      '--typeRoots',
      path.join(REPO_ROOT, 'node_modules', '@types'),
      'consumer.ts',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});
