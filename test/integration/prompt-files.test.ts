/**
 * Prompts and schemas in files, through the CLI: the files' content is part of the version (a new
 * version id when a file changes; `show` and `diff` include it), a stored version runs from its
 * embedded content after the files are gone, and a bad reference is an error at the reference.
 */
import assert from 'node:assert/strict';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  assertExit,
  gitRepo,
  lines,
  lockstep,
  parseJson,
  writeFiles,
} from '../helpers/cli-workspace.js';
import { tempDir } from '../helpers/temp.js';

const FILE = 'flows/classify.workflow.yaml';

const CLASSIFY = `name: classify
inputs:
  ticket: { type: string }
models:
  fast: { provider: openai, model: small-1, base_url: 'http://127.0.0.1:9/v1' }
steps:
  - id: classify
    llm:
      model: fast
      system: { file: prompts/system.md }
      prompt: { file: prompts/classify.md }
      output: json
      schema: { file: schemas/category.yaml }
outputs:
  category: \${{ steps.classify.output.category }}
`;

const FILES = {
  [FILE]: CLASSIFY,
  'flows/prompts/system.md': 'You sort support tickets.\n',
  'flows/prompts/classify.md': 'Classify this ticket: ${{ inputs.ticket }}\n',
  'flows/schemas/category.yaml':
    'type: object\nrequired: [category]\nproperties:\n  category: { enum: [billing, bug] }\n',
  // Each answer matches only the prompt its version's file renders.
  'fixtures.yaml': `models:
  - prompt: 'Classify this ticket: charged twice'
    answer: { category: billing }
  - prompt: 'Which kind of ticket is this? charged twice'
    answer: { category: bug }
  - prompt: 'Which kind of ticket is this? oops'
    answer: { category: refund }
`,
};

interface RunJson {
  id: string;
  status: string;
  output: unknown;
  version: { id: string; seq?: number };
  error?: { code: string; message: string };
}

interface ValidateJson {
  files: {
    diagnostics: { code: string; message: string; range: { start: { line: number } } }[];
  }[];
}

async function run(dir: string, target: string, ticket: string): Promise<RunJson> {
  const result = await lockstep(dir, [
    'run',
    target,
    '--fixtures',
    'fixtures.yaml',
    '--input',
    `ticket=${ticket}`,
    '--json',
  ]);
  return parseJson<RunJson>(result);
}

describe('prompts and schemas in files', { concurrency: true }, () => {
  test('the files are part of the version; an old version runs after they are deleted', async (t) => {
    const dir = gitRepo(t, FILES);
    const first = await run(dir, FILE, 'charged twice');
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
    assert.deepEqual(first.output, { category: 'billing' });

    // The schema file is applied: an answer outside its enum fails the step.
    writeFiles(dir, {
      'flows/prompts/classify.md': 'Which kind of ticket is this? ${{ inputs.ticket }}',
    });
    const refused = await run(dir, FILE, 'oops');
    assert.equal(refused.status, 'failed');
    assert.notEqual(
      refused.version.id,
      first.version.id,
      'editing the prompt file is a new version',
    );

    assertExit(await lockstep(dir, ['publish', FILE, '-m', 'second prompt']), 0);
    const second = await run(dir, 'classify@1', 'charged twice');
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.deepEqual(second.output, { category: 'bug' });
    assert.equal(second.version.id, refused.version.id);

    const show = await lockstep(dir, ['show', 'classify@1']);
    assertExit(show, 0);
    assert.ok(show.stdout.startsWith(CLASSIFY), show.stdout);
    const shown = lines(show.stdout);
    assert.ok(
      shown.includes('# --- prompts/classify.md (steps.classify.llm.prompt) ---'),
      show.stdout,
    );
    assert.ok(shown.includes('Which kind of ticket is this? ${{ inputs.ticket }}'), show.stdout);
    assert.ok(shown.includes('You sort support tickets.'), show.stdout);
    assert.ok(shown.includes('  "required": ['), 'the schema file is shown as JSON');

    // The first content again as version 2, then diff: only the prompt file changed.
    writeFiles(dir, { 'flows/prompts/classify.md': FILES['flows/prompts/classify.md'] });
    assertExit(await lockstep(dir, ['publish', FILE, '-m', 'first prompt again']), 0);
    const diff = await lockstep(dir, ['diff', 'classify@1', 'classify@2']);
    assertExit(diff, 1);
    const out = lines(diff.stdout);
    assert.equal(out[0], 'classify v1 → classify v2');
    assert.ok(out.includes('-Which kind of ticket is this? ${{ inputs.ticket }}'), diff.stdout);
    assert.ok(out.includes('+Classify this ticket: ${{ inputs.ticket }}'), diff.stdout);
    assert.ok(
      !out.some((l) => l.startsWith('-  ') || l.startsWith('+  ')),
      'the YAML is unchanged',
    );

    // Stored versions run from their embedded content, whatever became of the files.
    rmSync(path.join(dir, 'flows', 'prompts'), { recursive: true });
    rmSync(path.join(dir, 'flows', 'schemas'), { recursive: true });
    const after = await run(dir, 'classify@1', 'charged twice');
    assert.equal(after.status, 'succeeded', JSON.stringify(after.error));
    assert.deepEqual(after.output, { category: 'bug' });
    assert.equal(after.version.id, second.version.id);
  });

  test('a missing, outside, symlinked-out, hidden or oversized file is an error at its reference', async (t) => {
    const outside = tempDir(t);
    writeFileSync(path.join(outside, 'secret.md'), 'not in the workspace');
    const dir = gitRepo(t, {
      [FILE]: `name: refs
steps:
  - id: a
    llm:
      model: fast
      prompt: { file: prompts/missing.md }
  - id: b
    llm:
      model: fast
      prompt: { file: ../../escape.md }
  - id: c
    llm:
      model: fast
      system: { file: prompts/link.md }
      prompt: { file: prompts/big.md }
      output: json
      schema: { file: prompts/not-an-object.json }
  - id: d
    llm:
      model: fast
      prompt: { file: ../.env }
models:
  fast: { provider: openai, model: small-1 }
`,
      'flows/prompts/big.md': 'x'.repeat(1024 * 1024 + 1),
      'flows/prompts/not-an-object.json': '[1, 2]',
      '.env': 'OPENAI_API_KEY=sk-local-secret',
    });
    symlinkSync(path.join(outside, 'secret.md'), path.join(dir, 'flows', 'prompts', 'link.md'));
    const result = await lockstep(dir, ['validate', '--json', FILE]);
    assertExit(result, 1);
    const found = parseJson<ValidateJson>(result).files[0]!.diagnostics.map(
      (d) => `${d.range.start.line} ${d.code}: ${d.message}`,
    );
    assert.deepEqual(found, [
      '6 file-not-found: prompts/missing.md: no such file',
      '10 file-outside-workspace: ../../escape.md: outside the workspace; a referenced file must be inside it',
      '14 file-outside-workspace: prompts/link.md: outside the workspace; a referenced file must be inside it',
      '15 file-too-large: prompts/big.md: 1048577 bytes; a referenced file may hold at most 1 MiB',
      '17 invalid-referenced-file: prompts/not-an-object.json: must hold a JSON Schema as a JSON or YAML object',
      '21 file-outside-workspace: ../.env: a hidden file or folder (.env, .git, .lockstep…) cannot be referenced: such files often hold secrets; move the prompt to a visible folder',
    ]);

    const runAttempt = await lockstep(dir, ['run', FILE]);
    assertExit(runAttempt, 2);
    assert.ok(
      runAttempt.stderr.includes(
        `${path.join('flows', 'classify.workflow.yaml')}:6:23: error file-not-found: prompts/missing.md: no such file`,
      ),
      runAttempt.stderr,
    );
  });

  test("a tool's parameters from a file are sent to the model and check its arguments", async (t) => {
    const dir = gitRepo(t, {
      'agent.workflow.yaml': `name: agent
models:
  fast: { provider: openai, model: small-1, base_url: 'http://127.0.0.1:9/v1' }
steps:
  - id: solve
    llm:
      model: fast
      prompt: Double 21.
      max_turns: 3
      tools:
        - name: double
          description: Doubles a number.
          parameters: { file: schemas/double.yaml }
          transform: \${{ args.n * 2 }}
`,
      'schemas/double.yaml': 'type: object\nrequired: [n]\nproperties: { n: { type: number } }\n',
      'fixtures.yaml': `models:
  - step: solve
    answers:
      - { tool_calls: [{ name: double, arguments: { n: twenty-one } }] }
      - { tool_calls: [{ name: double, arguments: { n: 21 } }] }
      - '42'
`,
    });
    const result = await lockstep(dir, [
      'run',
      'agent.workflow.yaml',
      '--fixtures',
      'fixtures.yaml',
      '--json',
    ]);
    const run = parseJson<RunJson>(result);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.output, '42');
    const inspect = await lockstep(dir, ['inspect', run.id, '--json']);
    assertExit(inspect, 0);
    const effects = parseJson<{ effects: { path: string; request: unknown }[] }>(inspect).effects;
    // Transform tools are not effects: three turns, the first call refused by the file's schema.
    assert.deepEqual(
      effects.map((e) => e.path),
      ['solve/turn-1', 'solve/turn-2', 'solve/turn-3'],
    );
    assert.match(JSON.stringify(effects[1]!.request), /must be number/);
    const request = effects[0]!.request as { tools: { parameters: unknown }[] };
    assert.deepEqual(request.tools[0]!.parameters, {
      type: 'object',
      required: ['n'],
      properties: { n: { type: 'number' } },
    });
  });
});
