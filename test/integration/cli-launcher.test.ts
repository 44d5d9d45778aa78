// The `lockstep` executable answers --version by itself (without loading the command line) and
// hands everything else to the command line, which answers the same version. The command line
// loads only the code of the command it runs: the bundle's chunks are followed from their source
// maps to the sources each command reads.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LOCKSTEP_VERSION } from '../../core/src/version.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { openFsStore } from '../../core/src/node/store/fs-store.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const lockstep = (...args: string[]): string =>
  execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('--version and -V are answered by the small entry, the same as by the command line', () => {
  assert.equal(lockstep('--version'), `${LOCKSTEP_VERSION}\n`);
  assert.equal(lockstep('-V'), `${LOCKSTEP_VERSION}\n`);
  // Given with anything else, the command line answers (commander's own --version).
  assert.equal(lockstep('--version', '--json'), `${LOCKSTEP_VERSION}\n`);
  assert.ok(statSync(CLI).size < 4096, 'the entry holds no command code');
  assert.match(readFileSync(CLI, 'utf8'), /cli-main\.js/);
  assert.match(lockstep('--help'), /Usage: lockstep/);
});

const DIST = path.join(REPO_ROOT, 'dist');

/** The dist files `file` (in dist/) requires when it loads, directly or not. */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(path.join(DIST, file), 'utf8');
  // `var import_x=require("./cli-chunk-X.js")`; what was an `import()` is required later:
  // `Promise.resolve().then(()=>__toESM(require("./cli-runs-X.js")))`.
  for (const match of text.matchAll(
    /(?<!then\(\(\)=>__toESM\()require\("\.\/(cli-[\w.-]+\.js)"\)/g,
  )) {
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

/** The dist file a command's module was bundled to (`cli-runs-<hash>.js`). */
function commandChunk(command: string): string {
  const found = readdirSync(DIST).filter((f) =>
    new RegExp(`^cli-${command}-[A-Z0-9]+\\.js$`).test(f),
  );
  assert.equal(found.length, 1, `one chunk for ${command}: ${found.join(', ')}`);
  return found[0]!;
}

test('starting the command line loads no command code; `runs` loads the store, not the parser or the engine', () => {
  assert.ok(
    existsSync(path.join(DIST, 'cli-main.js.map')),
    'the development build has source maps',
  );
  const start = sourcesOf(staticGraph('cli-main.js'));
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

test('`runs` loads none of the costly built-ins, and prints without loading a stream', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lockstep-builtins-'));
  const store = path.join(dir, '.lockstep');
  await (await openFsStore(store, { create: true })).close();
  // In the workspace (found by its .lockstep folder, without asking git). The first listing
  // starts the index worker, which writes the newest-runs file the next listings read.
  const inWorkspace = { cwd: dir, encoding: 'utf8' as const, stdio: 'pipe' as const };
  execFileSync(process.execPath, [CLI, 'runs', 'any'], inWorkspace);
  const loaded = path.join(dir, 'loaded.txt');
  const preload = path.join(dir, 'record-loaded.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join('\\n')));`,
  );
  // Standard output is a pipe, as in `lockstep runs x | grep …`: its stream would load net.
  const out = execFileSync(process.execPath, ['-r', preload, CLI, 'runs', 'any'], inWorkspace);
  assert.match(out, /^No runs of any in /);
  const modules = new Set(readFileSync(loaded, 'utf8').split('\n'));
  assert.ok(modules.has('NativeModule fs/promises'), 'the list is the process’s');
  for (const costly of [
    'crypto',
    'zlib',
    'worker_threads',
    'os',
    'child_process',
    'stream',
    'net',
    'tty',
  ]) {
    assert.ok(!modules.has(`NativeModule ${costly}`), `${costly} loaded`);
  }
});
