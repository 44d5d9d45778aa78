// The `lockstep` executable answers --version by itself (without loading the command line) and
// hands everything else to the command line, which answers the same version. The command line
// loads only the code of the command it runs: the bundle's chunks are followed from their source
// maps to the sources each command reads.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LOCKSTEP_VERSION } from '../../core/src/version.js';
import { REPO_ROOT } from '../helpers/paths.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const lockstep = (...args: string[]): string =>
  execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('--version and -V are answered by the small entry, the same as by the command line', () => {
  assert.equal(lockstep('--version'), `${LOCKSTEP_VERSION}\n`);
  assert.equal(lockstep('-V'), `${LOCKSTEP_VERSION}\n`);
  // Given with anything else, the command line answers (commander's own --version).
  assert.equal(lockstep('--version', '--json'), `${LOCKSTEP_VERSION}\n`);
  assert.ok(statSync(CLI).size < 4096, 'the entry holds no command code');
  assert.match(readFileSync(CLI, 'utf8'), /cli-main\.mjs/);
  assert.match(lockstep('--help'), /Usage: lockstep/);
});

const DIST = path.join(REPO_ROOT, 'dist');

/** The dist files `file` (in dist/) imports, directly or not, without `import()`. */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(path.join(DIST, file), 'utf8');
  // Minified: `import{a as b}from"./cli-chunk-X.mjs"` or `import"./cli-chunk-X.mjs"`.
  for (const match of text.matchAll(/(?:from|import)\s*"\.\/(cli-[\w.-]+\.mjs)"/g)) {
    staticGraph(match[1]!, seen);
  }
  return seen;
}

/** The sources (from the source maps) of everything `files` load at once. */
function sourcesOf(files: Iterable<string>): string[] {
  const sources: string[] = [];
  for (const file of files) {
    const map = JSON.parse(readFileSync(path.join(DIST, `${file}.map`), 'utf8')) as {
      sources: string[];
    };
    sources.push(
      ...map.sources.map((source) => path.relative(REPO_ROOT, path.resolve(DIST, source))),
    );
  }
  return sources;
}

/** The dist file a command's module was bundled to (`cli-runs-<hash>.mjs`). */
function commandChunk(command: string): string {
  const found = readdirSync(DIST).filter((f) =>
    new RegExp(`^cli-${command}-[A-Z0-9]+\\.mjs$`).test(f),
  );
  assert.equal(found.length, 1, `one chunk for ${command}: ${found.join(', ')}`);
  return found[0]!;
}

test('starting the command line loads no command code; `runs` loads the store, not the parser or the engine', () => {
  assert.ok(
    existsSync(path.join(DIST, 'cli-main.mjs.map')),
    'the development build has source maps',
  );
  const start = sourcesOf(staticGraph('cli-main.mjs'));
  assert.ok(start.some((s) => s.includes('node_modules/commander/')));
  for (const absent of ['core/src/cli/commands/', 'core/src/node/store/', 'node_modules/yaml/']) {
    assert.deepEqual(
      start.filter((s) => s.includes(absent)),
      [],
      `${absent} at start`,
    );
  }

  const runs = sourcesOf(staticGraph(commandChunk('runs')));
  assert.ok(runs.includes('core/src/cli/commands/runs.ts'));
  assert.ok(runs.includes('core/src/node/store/index/newest-runs.ts'));
  for (const absent of [
    'node_modules/yaml/', // the config and workflow parser: only for a config file with content
    'node_modules/ajv/',
    'node_modules/jsonata/',
    'node_modules/pg/', // only for a PostgreSQL store
    'node_modules/proper-lockfile/', // only to write
    'node_modules/sql.js/', // in the index worker
    'core/src/engine/engine.ts', // running workflows
    'core/src/engine/steps/',
    'core/src/validate/validate-workspace.ts',
  ]) {
    assert.deepEqual(
      runs.filter((s) => s.includes(absent)),
      [],
      `${absent} loaded by runs`,
    );
  }
});

test('a command named after --store is declared alone and still parses, helps and suggests', () => {
  const store = path.join(REPO_ROOT, 'no-such-store-folder');
  // Unknown command: every command is declared, so commander can suggest the right one.
  let failure = '';
  try {
    execFileSync(process.execPath, [CLI, '--store', store, 'rnus', 'x'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    failure = String((error as { stderr?: string }).stderr);
  }
  assert.match(failure, /unknown command 'rnus'/);
  assert.match(failure, /Did you mean runs\?/);
  // The named command's help, with the global option before it.
  assert.match(
    lockstep('--store', store, 'runs', '--help'),
    /Usage: lockstep runs \[options\] <name>/,
  );
  // The program's help lists every command.
  const help = lockstep('--help');
  for (const command of ['validate', 'runs', 'gate', 'serve', 'worker', 'schema']) {
    assert.match(help, new RegExp(`\\n  ${command} `), command);
  }
});
