/**
 * The CLI as a whole: `schema`, global options (`--store`, `LOCKSTEP_STORE`, `--help`,
 * `--version`), and how every error is reported (one line, no stack trace, JSON with `--json`).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  assertExit,
  assertNoStackTrace,
  assertOneLineError,
  describeRun,
  exists,
  GREET,
  gitRepo,
  lines,
  lockstep,
  parseJson,
  snapshotIds,
  treeOf,
  writeFiles,
} from '../helpers/cli-workspace.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

interface JsonError {
  ok: false;
  error: { code: string; message: string };
}

describe('cli as a whole', { concurrency: true }, () => {
  test('schema: prints the workflow and config JSON Schemas', async (t) => {
    const dir = tempDir(t);
    const [workflow, config] = await Promise.all([
      lockstep(dir, ['schema']),
      lockstep(dir, ['schema', '--config']),
    ]);
    assertExit(workflow, 0);
    const schema = parseJson<{
      $schema: string;
      type: string;
      required: string[];
      properties: Record<string, unknown>;
    }>(workflow);
    assert.match(schema.$schema, /^https?:\/\/json-schema\.org\//);
    assert.equal(schema.type, 'object');
    assert.ok(schema.properties['steps'], 'properties.steps');
    assert.deepEqual(schema.required, ['name', 'steps']);

    assertExit(config, 0);
    const configSchema = parseJson<{ $schema: string; properties: Record<string, unknown> }>(
      config,
    );
    assert.match(configSchema.$schema, /^https?:\/\/json-schema\.org\//);
    assert.ok(configSchema.properties['env'], 'properties.env');
    assert.equal(configSchema.properties['steps'], undefined);
  });

  test('--help, --version and unknown commands', async (t) => {
    const dir = tempDir(t);
    const [help, version, unknown, noCommand] = await Promise.all([
      lockstep(dir, ['--help']),
      lockstep(dir, ['--version']),
      lockstep(dir, ['frobnicate']),
      lockstep(dir, ['validate', '--frob']),
    ]);
    assertExit(help, 0);
    assert.match(help.stdout, /^Usage: lockstep /);
    assert.match(help.stdout, /\nExit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}70 /);
    for (const command of [
      'validate',
      'snapshot',
      'publish',
      'versions',
      'show',
      'diff',
      'verify',
      'schema',
    ])
      assert.match(help.stdout, new RegExp(`\\n {2}${command} `), command);

    assertExit(version, 0);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(version.stdout, `${pkg.version}\n`);

    assert.match(assertOneLineError(unknown, 2), /^error: unknown command 'frobnicate'/);
    assert.equal(unknown.stdout, '');
    assert.match(assertOneLineError(noCommand, 2), /^error: unknown option '--frob'/);
  });

  test('--store and LOCKSTEP_STORE point every command at another .lockstep folder', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    const elsewhere = path.join(tempDir(t), 'shared', '.lockstep');
    const unrelated = tempDir(t);

    const snap = await lockstep(dir, ['--store', elsewhere, 'snapshot', 'greet.workflow.yaml']);
    assertExit(snap, 0);
    const id = /sha256:[0-9a-f]{64}/.exec(snap.stdout)![0];
    assert.deepEqual(snapshotIds(elsewhere, 'greet'), [id]);
    assert.equal(exists(path.join(dir, '.lockstep')), false, 'the workspace store is untouched');

    const published = await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'one'], {
      LOCKSTEP_STORE: elsewhere,
    });
    assertExit(published, 0);
    assert.match(published.stdout, /^Published greet v1 /);
    assert.equal(exists(path.join(dir, '.lockstep')), false);

    const [byFlag, byFlagAfter, byEnv, none] = await Promise.all([
      lockstep(unrelated, ['--store', elsewhere, 'versions', 'greet']),
      lockstep(unrelated, ['show', 'greet@1', '--store', elsewhere]),
      lockstep(unrelated, ['verify', '--json'], { LOCKSTEP_STORE: elsewhere }),
      lockstep(unrelated, ['versions', 'greet']),
    ]);
    assertExit(byFlag, 0);
    assert.match(byFlag.stdout, /^Published:\n {2}v1 {2}/);
    assertExit(byFlagAfter, 0);
    assert.equal(byFlagAfter.stdout, GREET);
    assertExit(byEnv, 0);
    const report = parseJson<{ store: string; ok: boolean; checked: { entries: number } }>(byEnv);
    assert.equal(report.store, elsewhere);
    assert.equal(report.checked.entries, 1);
    assert.match(
      assertOneLineError(none, 2),
      /^lockstep: no Lockstep store at .*: snapshot or publish a workflow to create one, or point --store \/ LOCKSTEP_STORE at an existing \.lockstep folder$/,
    );

    // The flag wins over the variable.
    const flagWins = await lockstep(unrelated, ['--store', elsewhere, 'versions', 'greet'], {
      LOCKSTEP_STORE: path.join(unrelated, 'nothing-here'),
    });
    assertExit(flagWins, 0);
  });

  test('a missing or unreadable file: exit 2, one line naming it', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    writeFiles(dir, { 'folder.workflow.yaml/keep': '', 'sub/keep': '' });
    const cases: [string[], RegExp][] = [
      [['validate', 'missing.workflow.yaml'], /^lockstep: missing\.workflow\.yaml: no such file$/],
      [['snapshot', 'missing.workflow.yaml'], /^lockstep: missing\.workflow\.yaml: no such file$/],
      [
        ['publish', 'flows/missing.workflow.yml', '-m', 'x'],
        /^lockstep: flows[\\/]missing\.workflow\.yml: no such file$/,
      ],
      [
        ['show', 'missing.workflow.yaml'],
        /^lockstep: missing\.workflow\.yaml: no such workflow file$/,
      ],
      [
        ['snapshot', 'folder.workflow.yaml'],
        /^lockstep: folder\.workflow\.yaml: is a folder, not a workflow file$/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => lockstep(dir, args)));
    // The current folder itself is named, not printed as an empty string.
    cases.push([
      ['snapshot', '.'],
      new RegExp(`^lockstep: ${escape(path.join(dir, 'sub'))}: is a folder, not a workflow file$`),
    ]);
    results.push(await lockstep(path.join(dir, 'sub'), ['snapshot', '.']));
    results.forEach((result, i) => {
      const [args, pattern] = cases[i]!;
      assert.match(assertOneLineError(result, 2), pattern, args.join(' '));
      assert.equal(result.stdout, '', args.join(' '));
    });
    assert.equal(exists(path.join(dir, '.lockstep')), false, 'nothing was created');

    // diff stores its file refs first (so what it compares is stored), then names the missing one.
    const diff = await lockstep(dir, ['diff', 'greet.workflow.yaml', 'missing.workflow.yaml']);
    assert.match(
      assertOneLineError(diff, 2),
      /^lockstep: missing\.workflow\.yaml: no such workflow file$/,
    );
  });

  test('a store written by a newer Lockstep is refused and left unchanged', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']), 0);
    const store = path.join(dir, '.lockstep');
    writeFileSync(path.join(store, 'store.json'), '{"lockstep":"store","format":99}\n');
    writeFiles(dir, { 'greet.workflow.yaml': GREET.replace('Hello', 'Howdy') });
    const before = treeOf(store);

    const commands = [
      ['snapshot', 'greet.workflow.yaml'],
      ['publish', 'greet.workflow.yaml', '-m', 'second'],
      ['show', 'greet@1'],
      ['diff', 'greet@1', 'greet.workflow.yaml'],
      ['verify'],
    ];
    const results = await Promise.all(commands.map((args) => lockstep(dir, args)));
    results.forEach((result, i) => {
      const line = assertOneLineError(result, 2);
      assert.match(
        line,
        /^lockstep: .*\.lockstep was written by a newer Lockstep \(store format 99; this one reads format 1 and older\)\. Upgrade Lockstep to use this store; it was not changed$/,
        commands[i]!.join(' '),
      );
    });
    const json = await lockstep(dir, ['versions', '--json', 'greet']);
    assertExit(json, 2);
    assert.equal(parseJson<JsonError>(json).error.code, 'newer-format');
    assert.deepEqual(treeOf(store), before);
  });

  test('--json errors are one JSON document on stdout', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']), 0);
    const cases: [string[], string, RegExp][] = [
      [
        ['show', '--json', 'greet@9'],
        'unknown-version',
        /^greet@9: greet has no v9; published: v1$/,
      ],
      [
        ['versions', '--json', 'nope'],
        'unknown-workflow',
        /^no versions of 'nope' in .*\(workflows: greet\)$/,
      ],
      [['diff', '--json', 'greet@1', 'nope@1'], 'unknown-workflow', /no workflow named 'nope'/],
      [
        ['snapshot', '--json', 'gone.workflow.yaml'],
        'unreadable-file',
        /^gone\.workflow\.yaml: no such file$/,
      ],
      [
        ['publish', '--json', 'greet.workflow.yaml', '-m', ' '],
        'usage',
        /^publish needs a message/,
      ],
      [['show', '--json', 'greet@sha256:12'], 'bad-ref', /needs at least 8 hex digits/],
      // Usage errors the command-line parser finds are JSON too.
      [['show', '--json'], 'usage', /^missing required argument 'ref'$/],
      [['run', 'greet.workflow.yaml', '--json', '--bogus'], 'usage', /^unknown option '--bogus'/],
      [['versions', 'greet', 'extra', '--json'], 'usage', /too many arguments/],
    ];
    const results = await Promise.all(cases.map(([args]) => lockstep(dir, args)));
    results.forEach((result, i) => {
      const [args, code, message] = cases[i]!;
      assertExit(result, 2);
      assert.equal(result.stderr, '', `${args.join(' ')}\n${describeRun(result)}`);
      const error = parseJson<JsonError>(result);
      assert.equal(error.ok, false, args.join(' '));
      assert.deepEqual(Object.keys(error.error).sort(), ['code', 'message'], args.join(' '));
      assert.equal(error.error.code, code, args.join(' '));
      assert.match(error.error.message, message, args.join(' '));
    });
  });

  test('errors are one line starting with lockstep: and never a stack trace', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    assertExit(await lockstep(dir, ['snapshot', 'greet.workflow.yaml']), 0);
    const damaged = gitRepo(t, { 'greet.workflow.yaml': GREET });
    writeFiles(damaged, { '.lockstep/store.json': '{ not json' });
    const foreign = gitRepo(t, { 'greet.workflow.yaml': GREET });
    writeFiles(foreign, { '.lockstep/store.json': '{"lockstep":"something-else","format":1}\n' });

    const cases: [string, string[], RegExp][] = [
      [dir, ['show', 'greet@1'], /^lockstep: greet@1: greet has no v1; nothing is published yet/],
      [dir, ['show', 'greet@'], /^lockstep: '' in 'greet@' is not a version/],
      [dir, ['show', '@1'], /^lockstep: '' in '@1' is not a workflow name/],
      [dir, ['diff', 'greet@1'], /^error: missing required argument 'refB'/],
      [dir, ['show'], /^error: missing required argument 'ref'/],
      [
        damaged,
        ['versions', 'greet'],
        /^lockstep: .*store\.json is not valid JSON; restore it from git/,
      ],
      [damaged, ['snapshot', 'greet.workflow.yaml'], /^lockstep: .*store\.json is not valid JSON/],
      [foreign, ['verify'], /^lockstep: .*store\.json does not describe a Lockstep store/],
    ];
    const results = await Promise.all(cases.map(([cwd, args]) => lockstep(cwd, args)));
    results.forEach((result, i) => {
      const [, args, pattern] = cases[i]!;
      assert.match(assertOneLineError(result, 2), pattern, args.join(' '));
    });

    // An invalid workflow is the one error with more lines: its diagnostics, then one summary.
    writeFiles(dir, { 'greet.workflow.yaml': 'name: greet\nsteps: [\n' });
    const invalid = await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'broken']);
    assertExit(invalid, 1);
    assertNoStackTrace(invalid);
    const err = lines(invalid.stderr);
    for (const line of err.slice(0, -1))
      assert.match(line, /^greet\.workflow\.yaml:\d+:\d+: error [a-z-]+: /, invalid.stderr);
    assert.equal(
      err.at(-1),
      'lockstep: greet.workflow.yaml has errors (listed above); nothing was changed',
    );
  });
});

describe('truth in messages', { concurrency: true }, () => {
  test('a fixtures file with an invalid regular expression is refused before anything runs', async (t) => {
    const dir = gitRepo(t, {
      'greet.workflow.yaml': GREET,
      'fixtures.yaml': 'models:\n  - prompt: /unclosed(group/\n    answer: hi\n',
    });
    const result = await lockstep(dir, [
      'run',
      'greet.workflow.yaml',
      '--fixtures',
      'fixtures.yaml',
      '-i',
      'who=Ada',
    ]);
    assertExit(result, 2);
    assertNoStackTrace(result);
    assert.match(
      result.stderr,
      /^fixtures\.yaml:2:\d+: error schema: models\[0\]\.prompt: \/unclosed\(group\/ is not a valid regular expression/m,
    );
    assert.ok(!exists(path.join(dir, '.lockstep', 'local', 'runs')), 'nothing was run');
  });

  test('a shell step that is off names the flag that turns it on, which exists', async (t) => {
    const dir = gitRepo(t, {
      'sh.workflow.yaml': 'name: sh\nsteps:\n  - id: hi\n    shell: echo hi\n',
    });
    const result = await lockstep(dir, ['run', 'sh.workflow.yaml', '--json']);
    assertExit(result, 1);
    const run = parseJson<{ error: { code: string; message: string } }>(result);
    assert.equal(run.error.code, 'shell-not-allowed');
    assert.match(run.error.message, /lockstep run --allow-shell/);
    // The setting it names is one the extension contributes.
    const settings = Object.keys(extensionSettings());
    for (const named of run.error.message.match(/lockstep\.[A-Za-z.]+[A-Za-z]/g) ?? []) {
      assert.ok(settings.includes(named), `${named} is a setting the extension contributes`);
    }
    assert.match(run.error.message, /lockstep\.allowShell/);
    assertExit(await lockstep(dir, ['run', 'sh.workflow.yaml', '--allow-shell']), 0);
  });
});

/** The settings package.json contributes, by name. */
function extensionSettings(): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, unknown> } };
  };
  return manifest.contributes.configuration.properties;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
