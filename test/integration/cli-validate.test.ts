/** `lockstep validate` as a real process: diagnostics, JSON, workspace discovery, cross-file checks. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  assertExit,
  assertNoStackTrace,
  GREET,
  gitRepo,
  lines,
  lockstep,
  parseJson,
  writeFiles,
} from '../helpers/cli-workspace.js';
import { tempDir } from '../helpers/temp.js';

interface JsonDiagnostic {
  file: string;
  code: string;
  severity: 'error' | 'warning';
  message: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
}

interface ValidateJson {
  ok: boolean;
  errors: number;
  warnings: number;
  files: { file: string; name: string | null; valid: boolean; diagnostics: JsonDiagnostic[] }[];
}

/** One file, many problems: each line below is where one diagnostic must point. */
const BROKEN = `name: broken
inputs:
  who:
    type: string
steps:
  - id: one
    transform: \${{ inputs.nobody }}
  - id: one
    transform: \${{ steps.later.output }}
  - id: two
    llm:
      model: missing
      prompt: hi
  - id: later
    transform: \${{ 1 + }}
`;

const DIAGNOSTIC_LINE =
  /^(?<file>[^:]+):(?<line>\d+):(?<col>\d+): (?<severity>error|warning) (?<code>[a-z][a-z-]*): (?<message>.+)$/;

describe('cli validate', { concurrency: true }, () => {
  test('validate: a valid file exits 0 with a summary line', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    const result = await lockstep(dir, ['validate', 'greet.workflow.yaml']);
    assertExit(result, 0);
    assert.deepEqual(lines(result.stdout), ['1 file valid: 0 errors, 0 warnings']);
    assert.equal(result.stderr, '');
  });

  test('validate: every problem of a file is printed as path:line:col: severity code: message', async (t) => {
    const dir = gitRepo(t, { 'flows/broken.workflow.yaml': BROKEN });
    const result = await lockstep(dir, ['validate', 'flows/broken.workflow.yaml']);
    assertExit(result, 1);
    assert.equal(result.stderr, '');
    const out = lines(result.stdout);
    assert.equal(out.at(-1), '1 file checked, 1 invalid: 5 errors, 1 warning');
    const diagnostics = out.slice(0, -1);
    for (const line of diagnostics) assert.match(line, DIAGNOSTIC_LINE);
    const where = diagnostics.map((line) => {
      const g = DIAGNOSTIC_LINE.exec(line)!.groups!;
      return `${g['file']}:${g['line']}:${g['col']} ${g['severity']} ${g['code']}`;
    });
    const file = path.join('flows', 'broken.workflow.yaml');
    assert.deepEqual(where, [
      `${file}:3:3 warning unused-input`,
      `${file}:7:20 error unknown-input`,
      `${file}:8:9 error duplicate-step-id`,
      `${file}:9:20 error forward-step-reference`,
      `${file}:12:14 error unknown-model`,
      `${file}:15:16 error expression-syntax`,
    ]);
    // Messages name the field they are about: a step by its id, by its position only when its id
    // is shared (the two steps 'one').
    assert.ok(
      diagnostics[1]!.includes(": steps[0].transform: unknown input 'nobody'"),
      diagnostics[1],
    );
    assert.ok(diagnostics[2]!.includes(": steps[1].id: step id 'one'"), diagnostics[2]);
    assert.ok(
      diagnostics[4]!.includes(": steps.two.llm.model: unknown model 'missing'"),
      diagnostics[4],
    );
  });

  test('validate --json: one JSON document with counts and 1-based ranges', async (t) => {
    const dir = gitRepo(t, { 'broken.workflow.yaml': BROKEN, 'greet.workflow.yaml': GREET });
    const result = await lockstep(dir, [
      'validate',
      '--json',
      'broken.workflow.yaml',
      'greet.workflow.yaml',
    ]);
    assertExit(result, 1);
    assert.equal(result.stderr, '');
    const report = parseJson<ValidateJson>(result);
    assert.equal(report.ok, false);
    assert.equal(report.errors, 5);
    assert.equal(report.warnings, 1);
    assert.deepEqual(
      report.files.map((f) => [f.file, f.name, f.valid, f.diagnostics.length]),
      [
        ['broken.workflow.yaml', 'broken', false, 6],
        ['greet.workflow.yaml', 'greet', true, 0],
      ],
    );
    const model = report.files[0]!.diagnostics.find((d) => d.code === 'unknown-model');
    assert.ok(model, 'an unknown-model diagnostic');
    assert.equal(model.severity, 'error');
    assert.equal(model.file, 'broken.workflow.yaml');
    assert.deepEqual(model.range.start, { line: 12, column: 14 });
    assert.deepEqual(model.range.end, { line: 12, column: 21 });
    const duplicate = report.files[0]!.diagnostics.find((d) => d.code === 'duplicate-step-id');
    assert.equal(duplicate?.range.start.line, 8);

    const valid = await lockstep(dir, ['validate', '--json', 'greet.workflow.yaml']);
    assertExit(valid, 0);
    assert.deepEqual(
      { ...parseJson<ValidateJson>(valid), files: [] },
      { ok: true, errors: 0, warnings: 0, files: [] },
    );
  });

  test('validate without files: every workflow under the git root, from a subfolder', async (t) => {
    const named = (name: string): string => GREET.replace('name: greet', `name: ${name}`);
    const dir = gitRepo(t, {
      'top.workflow.yaml': named('top'),
      'flows/deep/nested.workflow.yml': named('nested'),
      'flows/readme.yaml': 'not: a workflow file\n',
      'node_modules/pkg/ignored.workflow.yaml': named('ignored-dependency'),
      '.hidden/ignored.workflow.yaml': named('ignored-hidden'),
      'docs/broken.workflow.yaml': 'name: broken\nsteps: []\n',
    });
    const result = await lockstep(path.join(dir, 'flows', 'deep'), ['validate', '--json']);
    assertExit(result, 1);
    const report = parseJson<ValidateJson>(result);
    // Outside the current folder, paths are absolute.
    assert.deepEqual(
      report.files.map((f) => [
        path.relative(dir, path.resolve(dir, 'flows/deep', f.file)),
        f.name,
      ]),
      [
        [path.join('docs', 'broken.workflow.yaml'), 'broken'],
        [path.join('flows', 'deep', 'nested.workflow.yml'), 'nested'],
        ['top.workflow.yaml', 'top'],
      ],
    );
    assert.deepEqual(
      report.files[0]!.diagnostics.map((d) => [d.code, d.range.start.line]),
      [['schema', 2]],
    );

    const human = await lockstep(path.join(dir, 'flows'), ['validate']);
    assertExit(human, 1);
    assert.equal(lines(human.stdout).at(-1), '3 files checked, 1 invalid: 1 error, 0 warnings');
  });

  test('validate without files: the nearest folder holding .lockstep/ is the root, else the start folder', async (t) => {
    const dir = gitRepo(t, {
      'outside.workflow.yaml': 'name: outside\nsteps: []\n',
      'project/.lockstep/config.yaml': '',
      'project/inside.workflow.yaml': GREET,
      'project/src/also.workflow.yaml': GREET.replace('name: greet', 'name: also'),
    });
    const result = await lockstep(path.join(dir, 'project', 'src'), ['validate', '--json']);
    assertExit(result, 0);
    assert.deepEqual(
      parseJson<ValidateJson>(result).files.map((f) => f.name),
      ['greet', 'also'],
    );

    // Neither .lockstep/ nor git: the current folder is the workspace.
    const plain = tempDir(t);
    writeFiles(plain, { 'only.workflow.yaml': GREET });
    const alone = await lockstep(plain, ['validate']);
    assertExit(alone, 0);
    assert.deepEqual(lines(alone.stdout), ['1 file valid: 0 errors, 0 warnings']);

    const empty = tempDir(t);
    const none = await lockstep(empty, ['validate']);
    assertExit(none, 0);
    assert.match(none.stdout, /^No workflow files \(\*\.workflow\.yaml\) under /);
  });

  test('validate: duplicate names, unknown workflows and cycles are checked across files', async (t) => {
    const dir = gitRepo(t, {
      'a.workflow.yaml': 'name: alpha\nsteps:\n  - id: call\n    workflow:\n      name: beta\n',
      'sub/b.workflow.yml': [
        'name: beta',
        'steps:',
        '  - id: back',
        '    workflow:',
        '      name: alpha',
        '  - id: ghost',
        '    workflow:',
        '      name: gamma',
        '',
      ].join('\n'),
      'c.workflow.yaml': 'name: alpha\nsteps:\n  - id: noop\n    transform: ${{ 1 }}\n',
    });
    const result = await lockstep(dir, ['validate', '--json']);
    assertExit(result, 1);
    const report = parseJson<ValidateJson>(result);
    const found = report.files.map((f) => [
      f.file,
      f.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code}`),
    ]);
    assert.deepEqual(found, [
      ['a.workflow.yaml', ['1:7 duplicate-workflow-name', '5:13 workflow-cycle']],
      ['c.workflow.yaml', ['1:7 duplicate-workflow-name']],
      [path.join('sub', 'b.workflow.yml'), ['5:13 workflow-cycle', '8:13 unknown-workflow']],
    ]);
    const duplicate = report.files[0]!.diagnostics[0]!;
    assert.match(duplicate.message, /'alpha' is also used by .*c\.workflow\.yaml/);
    const cycle = report.files[2]!.diagnostics[0]!;
    assert.match(cycle.message, /beta → alpha → beta/);
    assert.match(report.files[2]!.diagnostics[1]!.message, /no workflow named 'gamma'/);

    // Naming one file still checks it against the rest of the workspace.
    const one = await lockstep(dir, ['validate', 'c.workflow.yaml']);
    assertExit(one, 1);
    const out = lines(one.stdout);
    assert.equal(out.length, 2, one.stdout);
    assert.match(
      out[0]!,
      /^c\.workflow\.yaml:1:7: error duplicate-workflow-name: name: the workflow name 'alpha' is also used by \S*a\.workflow\.yaml; names must be unique in a workspace$/,
    );
    assert.equal(out[1], '1 file checked, 1 invalid: 1 error, 0 warnings');
  });

  test('validate: env reads are checked against the allow-list in .lockstep/config.yaml', async (t) => {
    const envy = [
      'name: envy',
      'steps:',
      '  - id: home',
      '    transform: ${{ env.HOME }}',
      '  - id: path',
      '    transform: ${{ env.PATH }}',
      '',
    ].join('\n');
    const dir = gitRepo(t, {
      '.lockstep/config.yaml': 'env:\n  allow: [HOME]\n',
      'envy.workflow.yaml': envy,
    });
    const result = await lockstep(dir, ['validate', 'envy.workflow.yaml']);
    assertExit(result, 1);
    const out = lines(result.stdout);
    assert.equal(out.length, 2, result.stdout);
    assert.match(
      out[0]!,
      /^envy\.workflow\.yaml:6:20: error env-not-allowed: steps\.path\.transform: env\.PATH is not allow-listed.*\.lockstep\/config\.yaml/,
    );

    // Allowing PATH too makes the file valid: the config is what decides.
    writeFiles(dir, { '.lockstep/config.yaml': 'env:\n  allow: [HOME, PATH]\n' });
    assertExit(await lockstep(dir, ['validate', 'envy.workflow.yaml']), 0);

    // Without a config nothing is allowed.
    const bare = gitRepo(t, { 'envy.workflow.yaml': envy });
    const strict = await lockstep(bare, ['validate', '--json']);
    assertExit(strict, 1);
    assert.deepEqual(
      parseJson<ValidateJson>(strict).files[0]!.diagnostics.map((d) => [
        d.code,
        d.range.start.line,
      ]),
      [
        ['env-not-allowed', 4],
        ['env-not-allowed', 6],
      ],
    );
  });

  test('validate: an invalid .lockstep/config.yaml is reported with its path and line', async (t) => {
    const dir = gitRepo(t, {
      '.lockstep/config.yaml': 'env:\n  allow: HOME\nretention:\n  versions: 0\n',
      'greet.workflow.yaml': GREET,
    });
    const result = await lockstep(dir, ['validate']);
    assertExit(result, 1);
    assertNoStackTrace(result);
    assert.equal(result.stdout, '');
    const config = path.join('.lockstep', 'config.yaml');
    const err = lines(result.stderr);
    assert.deepEqual(err.slice(0, 2), [
      `${config}:2:10: error schema: env.allow: must be a list (got "HOME")`,
      `${config}:4:13: error schema: retention.versions: must be at least 1 (got 0)`,
    ]);
    assert.equal(err.length, 3);
    assert.match(
      err[2]!,
      /^lockstep: \.lockstep[\\/]config\.yaml has errors \(listed above\); nothing was changed$/,
    );

    const json = await lockstep(dir, ['validate', '--json']);
    assertExit(json, 1);
    const error = parseJson<{
      ok: boolean;
      error: { code: string; message: string; diagnostics: JsonDiagnostic[] };
    }>(json).error;
    assert.equal(error.code, 'invalid-definition');
    assert.match(error.message, /\.lockstep[\\/]config\.yaml:2:10: env\.allow/);
    assert.deepEqual(
      error.diagnostics.map((d) => d.range.start.line),
      [2, 4],
    );

    writeFiles(dir, { '.lockstep/config.yaml': 'env: [\n' });
    const syntax = await lockstep(dir, ['validate', 'greet.workflow.yaml']);
    assertExit(syntax, 1);
    assert.match(syntax.stderr, /^\.lockstep[\\/]config\.yaml:\d+:\d+: error yaml-syntax: /);
  });
});
