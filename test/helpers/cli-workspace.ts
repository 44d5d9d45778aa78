/**
 * Scenarios for CLI integration tests: a temporary folder (usually a git repository with a
 * committer set locally, so provenance is real), files written into it, and the CLI run inside
 * it. Git and the CLI both run with the user's global and system git config switched off, so a
 * developer's or CI machine's settings cannot change what the tests see.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { runLockstep, type CliResult } from './cli.js';
import { tempDir } from './temp.js';

/** The committer configured in every test repository. */
export const AUTHOR = 'Ada Lovelace <ada@example.com>';

/** Environment for git and the CLI: no global or system git config, no inherited repository. */
export const HERMETIC_ENV: Record<string, string | undefined> = {
  GIT_CONFIG_GLOBAL: os.devNull,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_DIR: undefined,
  GIT_WORK_TREE: undefined,
  GIT_INDEX_FILE: undefined,
  LOCKSTEP_AUTHOR: undefined,
};

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(HERMETIC_ENV)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs git in `dir` and returns its trimmed output. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: gitEnv(), encoding: 'utf8' }).trim();
}

/** Writes files (creating folders) relative to `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [relative, text] of Object.entries(files)) {
    const full = path.join(dir, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

/** Reads a file relative to `dir` as UTF-8. */
export function readText(dir: string, relative: string): string {
  return readFileSync(path.join(dir, relative), 'utf8');
}

/**
 * A temporary git repository holding `files`, committed unless `commit` is false.
 * @returns the repository's folder.
 */
export function gitRepo(
  t: TestContext,
  files: Record<string, string> = {},
  options: { commit?: boolean } = {},
): string {
  const dir = tempDir(t, 'lockstep-cli-');
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'config', 'user.name', 'Ada Lovelace');
  git(dir, 'config', 'user.email', 'ada@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  writeFiles(dir, files);
  if (options.commit !== false && Object.keys(files).length > 0) commitAll(dir, 'initial');
  return dir;
}

/** Commits everything in the repository; returns the new commit's hash. */
export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '--message', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Runs the CLI in `cwd` with the hermetic environment (plus `env`). */
export function lockstep(
  cwd: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  return runLockstep(args, { cwd, env: { ...HERMETIC_ENV, ...env } });
}

/** Formats a result for assertion messages. */
export function describeRun(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}

/** Asserts the exit code, showing the output when it differs. */
export function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, describeRun(result));
}

/** Lines of text without the final empty one. */
export function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

/**
 * Asserts that the run failed with exactly one line on stderr, starting with `lockstep:` (or
 * `error:` from the argument parser), without a stack trace, and returns that line.
 */
export function assertOneLineError(result: CliResult, code = 2): string {
  assertExit(result, code);
  const errorLines = lines(result.stderr);
  assert.equal(errorLines.length, 1, `expected one line on stderr\n${describeRun(result)}`);
  const line = errorLines[0]!;
  assert.match(line, /^(?:lockstep|error): \S/, describeRun(result));
  assertNoStackTrace(result);
  return line;
}

/** Asserts that neither stream holds a stack trace. */
export function assertNoStackTrace(result: CliResult): void {
  assert.doesNotMatch(result.stderr, /^\s+at /m, `stack trace on stderr\n${describeRun(result)}`);
  assert.doesNotMatch(result.stdout, /^\s+at /m, `stack trace on stdout\n${describeRun(result)}`);
}

/** Parses stdout as one JSON document (failing with the output shown when it is not). */
export function parseJson<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (error) {
    assert.fail(`stdout is not one JSON document (${String(error)})\n${describeRun(result)}`);
  }
}

/** Every file under `dir` (relative, `/`-separated, sorted) with its bytes as text; {} if absent. */
export function treeOf(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else found[path.relative(dir, full).split(path.sep).join('/')] = readFileSync(full, 'latin1');
    }
  };
  if (exists(dir)) walk(dir);
  return found;
}

/**
 * Fails unless the workspace's store holds run files, none of which (nor any other file under
 * `.lockstep/`) contains `secret`.
 */
export function assertNotStored(dir: string, secret: string): void {
  const files = treeOf(path.join(dir, '.lockstep'));
  assert.ok(
    Object.keys(files).some((f) => f.includes('runs/')),
    `no run files in ${Object.keys(files).join(', ')}`,
  );
  for (const [file, bytes] of Object.entries(files)) {
    assert.ok(!bytes.includes(secret), `the secret is in .lockstep/${file}`);
  }
}

/** Whether a path exists. */
export function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/** The ids (`sha256:…`) of the snapshot files of a workflow in a `.lockstep` folder. */
export function snapshotIds(storeDir: string, name: string): string[] {
  const dir = path.join(storeDir, 'local', 'versions', name);
  if (!exists(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => `sha256:${f.slice(0, -'.json'.length)}`)
    .sort();
}

/** The lines of a store's control log (none when it does not exist). */
export function controlLogLines(storeDir: string): string[] {
  const file = path.join(storeDir, 'control.jsonl');
  return exists(file) ? lines(readFileSync(file, 'utf8')) : [];
}

/** A small valid workflow with a comment, two steps and an output. */
export const GREET = `# Greets someone, loudly.
name: greet
description: Say hello.
inputs:
  who:
    type: string
    description: Who to greet.
steps:
  - id: hello
    transform: \${{ "Hello, " & inputs.who }}
  - id: shout
    transform: \${{ $uppercase(steps.hello.output) }}
outputs:
  text: \${{ steps.shout.output }}
`;

/** GREET with a different greeting: a new version. */
export const GREET_V2 = GREET.replace('"Hello, "', '"Hi, "');
