/**
 * What the end-to-end suites share: starting a real VS Code on a fresh profile with the packaged
 * extension, the built CLI, loopback servers the workflows call (a model speaking OpenAI's wire
 * protocol, an endpoint that holds requests), and reading what the extension logged.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../../helpers/paths.js';
import {
  createProfile,
  extensionFolderName,
  installVsix,
  startCodeServer,
  type RunningCodeServer,
} from '../code-server.js';
import { launchBrowser } from './browser.js';
import { screenshot } from './workbench.js';

/** Everything a suite started, stopped in reverse order after it, on failure and on Ctrl-C. */
export class Cleanups {
  private readonly steps: (() => Promise<void> | void)[] = [];

  constructor() {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void this.run().finally(() => process.exit(130)));
    }
  }

  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await Promise.resolve()
        .then(step)
        .catch((error: unknown) => console.error(`cleanup: ${String(error)}`));
    }
  }
}

/**
 * A fresh folder for a profile, removed after the suite unless LOCKSTEP_E2E_KEEP=1 (which keeps
 * its logs: the extension host's, the Lockstep log).
 */
export async function profileRoot(cleanups: Cleanups, prefix: string): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  if (process.env['LOCKSTEP_E2E_KEEP']) console.log(`profile kept in ${root}`);
  else cleanups.push(() => rm(root, { recursive: true, force: true }));
  return root;
}

/**
 * Declares scenarios: each a test that, on failure, saves a screenshot `<name>-failed.png` of the
 * page `where()` names (the window the scenario was on) to show where it stopped, and prints the
 * end of the Lockstep log of the profile `userDataDir()` names (what the extension saw; CI keeps
 * only the output).
 */
export function scenarios(
  where: () => Page,
  userDataDir?: () => string | undefined,
): (title: string, name: string, body: () => Promise<void>) => void {
  return (title, name, body) =>
    it(title, async () => {
      try {
        await body();
      } catch (error) {
        await screenshot(where(), `${name}-failed`).catch(() => undefined);
        const dir = userDataDir?.();
        const log = dir === undefined ? '' : await lockstepLog(dir).catch(() => '');
        if (log !== '') console.error(`${name}: the end of the Lockstep log:\n${log.slice(-4000)}`);
        throw error;
      }
    });
}

/** A VS Code (code-server) on a fresh profile with the packaged extension, and a browser on it. */
export interface Editor {
  readonly page: Page;
  readonly server: RunningCodeServer;
  readonly userDataDir: string;
}

/**
 * Starts code-server on a profile under `root` (user settings `settings` on top of the quiet
 * defaults) with the .vsix installed as a user installs it, and a browser page; both are stopped
 * by `cleanups`.
 */
export async function startEditor(
  root: string,
  cleanups: Cleanups,
  options: { readonly settings?: Record<string, unknown>; readonly workspaceTrust?: boolean } = {},
): Promise<Editor> {
  const profile = await createProfile(root, options.settings);
  await installVsix(profile, await builtVsix());
  // Installed as a user would get it: from the .vsix, into `<publisher>.<name>-<version>`.
  const installed = readdirSync(profile.extensionsDir);
  assert.ok(installed.includes(await extensionFolderName()), `installed: ${installed.join(', ')}`);
  const server = await startCodeServer({
    profile,
    logFile: path.join(root, 'code-server.log'),
    ...(options.workspaceTrust ? { workspaceTrust: true } : {}),
  });
  cleanups.push(() => server.stop());
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  return { page: browser.page, server, userDataDir: profile.userDataDir };
}

/** The .vsix `npm run package` built: `<name>-<version>.vsix` at the repository root. */
export async function builtVsix(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return path.join(REPO_ROOT, `${manifest.name}-${manifest.version}.vsix`);
}

/** Process ids whose command line mentions `text` (Linux: read from /proc). */
export function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** What the extension wrote to its "Lockstep" log (the file behind the output channel). */
export async function lockstepLog(userDataDir: string): Promise<string> {
  const logs = path.join(userDataDir, 'logs');
  const files = readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter(
    (file) => path.basename(file).includes('Lockstep') && file.endsWith('.log'),
  );
  const texts = await Promise.all(
    files.map((file) => readFile(path.join(logs, file), 'utf8').catch(() => '')),
  );
  return texts.join('\n');
}

/** Runs the built CLI in `cwd`, failing the scenario unless it exits with `exit` (default 0). */
export function cli(cwd: string, ...args: (string | { exit: number })[]): string {
  const options = args.find((a): a is { exit: number } => typeof a === 'object');
  const words = args.filter((a): a is string => typeof a === 'string');
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/cli.js'), ...words], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(result.status, options?.exit ?? 0, `lockstep ${words.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/**
 * Runs the built CLI without blocking this process: what a workflow calls may be a server of
 * this process (`cli` would hold its event loop until the CLI gave up waiting for it).
 */
export async function cliAsync(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(REPO_ROOT, 'dist/cli.js'), ...args],
    { cwd, encoding: 'utf8' },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(
      `lockstep ${args.join(' ')} failed: ${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
  });
  return stdout;
}

/**
 * Runs `lockstep <args>` in `cwd` back to back in `lanes` loops, each run after its lane's last
 * ended, until `stop` (which waits for the runs under way): a store that keeps changing, as under
 * busy terminals or CI jobs. A run that fails stops its lane and fails `stop`.
 */
export function runsBackToBack(
  cwd: string,
  args: readonly string[],
  lanes = 1,
): { finished(): number; stop(): Promise<void> } {
  let finished = 0;
  let stopping = false;
  const lane = async (): Promise<void> => {
    while (!stopping) {
      await cliAsync(cwd, ...args);
      finished++;
    }
  };
  const loops = Promise.all(Array.from({ length: lanes }, lane));
  loops.catch(() => undefined); // reported by `stop`
  return {
    finished: () => finished,
    stop: async () => {
      stopping = true;
      await loops;
    },
  };
}

/** An HTTP server on 127.0.0.1 that holds every request until `release`. */
export async function holdingServer(): Promise<{
  origin: string;
  release: () => void;
  close: () => Promise<void>;
}> {
  const waiting: ServerResponse[] = [];
  let released = false;
  const server = createServer((_request, response) => {
    if (released) response.end('{"ok":true}');
    else waiting.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    release: () => {
      released = true;
      for (const response of waiting.splice(0)) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
