/**
 * Disk suite: a store the process may not write, and a full disk.
 *
 * - Read-only: the CLI runs as `nobody` (setpriv; root ignores permissions) on a store it can
 *   read but not write, for every command that writes (publish, snapshot, run, promote, pin,
 *   prune, import) and some that only read. Each must succeed or fail with a one-line error
 *   (no stack trace, not exit 70), and the store's files must be exactly as before.
 * - Full disk: the store lives on a small tmpfs, filled so that only a few bytes to a few
 *   kilobytes are free, and the same commands run as root. Each must succeed or fail with a
 *   one-line error; afterwards, with room again, every file parses and `lockstep verify` passes.
 *
 * Where the machine allows neither (no root, no setpriv, mounting refused) the part is skipped
 * and the results file says why.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CliResult } from '../helpers/cli.js';
import { HERMETIC_ENV, treeOf } from '../helpers/cli-workspace.js';
import { CLI } from '../helpers/paths.js';
import { suiteSeed } from './lib/prng.js';
import { recordResult } from './lib/results.js';
import { auditStoreFiles } from './lib/store-audit.js';
import { suiteDir } from './lib/suite-dir.js';

const WORKFLOW = (n: number): string => `name: greet\nsteps:\n  - id: a\n    transform: ${n}\n`;

/**
 * Runs the CLI in `cwd`, as `nobody` when `asNobody` (from `cliFile`: a copy nobody may read, as
 * the checkout may sit in a folder only root can enter).
 */
function cli(cwd: string, args: readonly string[], asNobody = false, cliFile = CLI): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: cwd };
  for (const [key, value] of Object.entries(HERMETIC_ENV)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  delete env['LOCKSTEP_STORE'];
  const command = asNobody
    ? [
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliFile, ...args],
      ]
    : [process.execPath, [CLI, ...args]];
  const result = spawnSync(command[0] as string, command[1] as string[], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A failure a user can act on: one line naming the problem, no stack trace, not a crash. */
function unclear(result: CliResult): string | undefined {
  if (result.code === 0) return undefined;
  const lines = result.stderr.trim().split('\n');
  if (
    result.code === 70 ||
    /^\s+at /m.test(result.stderr + result.stdout) ||
    lines.length !== 1 ||
    !/^lockstep: \S/.test(lines[0]!)
  ) {
    return `exit ${result.code}: ${result.stderr}${result.stdout.slice(0, 300)}`;
  }
  return undefined;
}

/** A workspace with a published version, a run and an exported bundle; returns the bundle's path. */
function prepare(dir: string): { bundle: string; run: string } {
  mkdirSync(path.join(dir, '.lockstep'), { recursive: true });
  writeFileSync(path.join(dir, 'greet.workflow.yaml'), WORKFLOW(1));
  assert.equal(cli(dir, ['publish', 'greet.workflow.yaml', '-m', 'v1']).code, 0);
  const ran = cli(dir, ['run', 'greet.workflow.yaml', '--json']);
  assert.equal(ran.code, 0, ran.stderr);
  const run = (JSON.parse(ran.stdout) as { id: string }).id;
  const bundle = path.join(dir, 'runs.bundle');
  const exported = cli(dir, ['export', run, '-o', bundle]);
  assert.equal(exported.code, 0, exported.stderr);
  return { bundle, run };
}

/** The commands each part tries: every kind of write, and reads. */
function commands(dir: string, bundle: string, run: string, n: number): string[][] {
  writeFileSync(path.join(dir, 'other.yaml'), WORKFLOW(100 + n).replace('greet', 'other'));
  return [
    ['publish', 'other.yaml', '-m', `try ${n}`],
    ['snapshot', 'other.yaml'],
    ['run', 'greet.workflow.yaml'],
    ['run', 'greet@1'],
    ['promote', 'greet@1', '--channel', 'production'],
    ['pin', run, '-m', 'keep'],
    ['prune', '--keep', '0'],
    ['import', bundle],
    ['runs', 'greet'],
    ['versions', 'greet'],
    ['verify'],
  ];
}

test(
  'disk: a read-only store and a full disk give clear errors and leave nothing half-written',
  { timeout: 600_000 },
  async (t) => {
    const started = Date.now();
    const notes: string[] = [];
    const counts = {
      readOnlyCommands: 0,
      readOnlyRefused: 0,
      readOnlyUnclear: 0,
      readOnlyStoreChanged: 0,
      fullDiskCommands: 0,
      fullDiskRefused: 0,
      fullDiskUnclear: 0,
      fullDiskCorruptFiles: 0,
      fullDiskVerifyFailures: 0,
    };
    const problems: string[] = [];

    // A store nobody may write: root prepares it, nobody runs the commands.
    const canDrop =
      process.getuid?.() === 0 &&
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status ===
        0;
    if (!canDrop) {
      notes.push('read-only store skipped: running as nobody needs root and setpriv (util-linux)');
    } else {
      const dir = path.join(suiteDir(t, 'lockstep-readonly-'), 'ws');
      mkdirSync(dir);
      const { bundle, run } = prepare(dir);
      // Readable by everyone, writable by root only (the folder above it: mkdtemp made it 0700).
      chmodSync(path.dirname(dir), 0o755);
      execFileSync('chmod', ['-R', 'a+rX,go-w', dir]);
      // The bundles, where nobody may read them (a fresh clone may be in a 0700 folder).
      const dist = path.join(suiteDir(t, 'lockstep-readonly-cli-'), 'dist');
      cpSync(path.dirname(CLI), dist, { recursive: true });
      chmodSync(path.dirname(dist), 0o755);
      execFileSync('chmod', ['-R', 'a+rX', dist]);
      const before = treeOf(path.join(dir, '.lockstep'));
      for (const args of commands(dir, bundle, run, 0)) {
        // The file `other.yaml` is written by root above; nobody only reads it.
        const result = cli(dir, args, true, path.join(dist, path.basename(CLI)));
        counts.readOnlyCommands++;
        if (result.code !== 0) counts.readOnlyRefused++;
        const why = unclear(result);
        if (why) {
          counts.readOnlyUnclear++;
          problems.push(`read-only: lockstep ${args.join(' ')}: ${why}`);
        }
      }
      const after = treeOf(path.join(dir, '.lockstep'));
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        counts.readOnlyStoreChanged++;
        problems.push('read-only: the store changed');
      }
    }

    // A full disk: a small tmpfs, filled to a few bytes or kilobytes from the top.
    // Not suiteDir: the tmpfs must be unmounted before its folder is removed.
    const mountParent = mkdtempSync(path.join(os.tmpdir(), 'lockstep-full-'));
    const mountPoint = path.join(mountParent, 'disk');
    mkdirSync(mountPoint);
    t.after(() => {
      spawnSync('umount', ['-l', mountPoint]);
      rmSync(mountParent, { recursive: true, force: true });
    });
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], {
      encoding: 'utf8',
    });
    if (mounted.status !== 0) {
      notes.push(
        `full disk skipped: mounting a tmpfs failed (${(mounted.stderr || mounted.error?.message || '').trim()})`,
      );
    } else {
      const dir = path.join(mountPoint, 'ws');
      mkdirSync(dir);
      const { bundle, run } = prepare(dir);
      const filler = path.join(mountPoint, 'filler');
      for (const [n, free] of [0, 512, 4096, 16_384, 65_536].entries()) {
        rmSync(filler, { force: true });
        // Written before the disk fills: the workflow file is the user's, not the store's.
        const tries = commands(dir, bundle, run, n + 1);
        const stats = statfsSync(mountPoint);
        const room = stats.bavail * stats.bsize - free;
        if (room > 0) writeFileSync(filler, Buffer.alloc(room));
        for (const args of tries) {
          const result = cli(dir, args);
          counts.fullDiskCommands++;
          if (result.code !== 0) counts.fullDiskRefused++;
          const why = unclear(result);
          if (why) {
            counts.fullDiskUnclear++;
            problems.push(`full disk (${free} B free): lockstep ${args.join(' ')}: ${why}`);
          }
        }
        rmSync(filler, { force: true });
        const audit = auditStoreFiles(path.join(dir, '.lockstep'));
        counts.fullDiskCorruptFiles += audit.corrupt.length;
        problems.push(...audit.corrupt.map((c) => `full disk (${free} B free): corrupt ${c}`));
        const verified = cli(dir, ['verify']);
        if (verified.code !== 0) {
          counts.fullDiskVerifyFailures++;
          problems.push(`full disk (${free} B free): verify: ${verified.stdout}${verified.stderr}`);
        }
      }
    }

    recordResult('disk', {
      ok: problems.length === 0,
      seed: suiteSeed(),
      counts,
      notes,
      durationMs: Date.now() - started,
    });
    assert.deepEqual(problems, []);
  },
);
