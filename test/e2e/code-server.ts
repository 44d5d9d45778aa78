/**
 * A real VS Code for `npm start` and the end-to-end suite: code-server 4.100.3 (VS Code 1.100.3
 * served to a browser), installed in test/e2e/node_modules by setup.sh. It runs on 127.0.0.1 only,
 * without authentication, in its own process group so that stopping it stops its helpers too
 * (extension host, language server, file watcher).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/paths.js';
import { pollUntil } from '../helpers/store-wait.js';

/** test/e2e/ in the source tree: setup.sh, its package.json and node_modules. */
export const E2E_DIR = path.join(REPO_ROOT, 'test/e2e');
/** The code-server executable setup.sh installs. */
export const CODE_SERVER_BIN = path.join(E2E_DIR, 'node_modules/.bin/code-server');
/** The setup script (idempotent). */
export const SETUP_SCRIPT = path.join(E2E_DIR, 'setup.sh');

/**
 * User settings for a clean, quiet workbench: no welcome page stealing the focus, no trust
 * prompt, no update or telemetry traffic (the machine may be offline).
 */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  // Files are saved when a scenario saves them: the version scenarios count what saving made.
  'files.autoSave': 'off',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  // The repository's own git folder would otherwise prompt about opening it.
  'git.openRepositoryInParentFolders': 'never',
} as const;

/** A code-server profile: where it keeps its settings and its extensions. */
export interface Profile {
  readonly userDataDir: string;
  readonly extensionsDir: string;
}

/** Creates the profile folders under `root` and writes USER_SETTINGS (plus `extra`). */
export async function createProfile(
  root: string,
  extra: Record<string, unknown> = {},
): Promise<Profile> {
  const profile = {
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
  };
  await mkdir(path.join(profile.userDataDir, 'User'), { recursive: true });
  await mkdir(profile.extensionsDir, { recursive: true });
  await writeFile(
    path.join(profile.userDataDir, 'User/settings.json'),
    `${JSON.stringify({ ...USER_SETTINGS, ...extra }, null, 2)}\n`,
  );
  return profile;
}

/** The extension's folder name in an extensions directory: `<publisher>.<name>-<version>`. */
export async function extensionFolderName(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`;
}

/**
 * Makes the repository itself an installed extension of `profile` (a symlink), so a rebuild
 * followed by "Developer: Reload Window" picks up the new bundles: the development setup.
 */
export async function linkRepositoryExtension(profile: Profile): Promise<void> {
  await symlink(REPO_ROOT, path.join(profile.extensionsDir, await extensionFolderName()), 'dir');
}

/**
 * Installs a packaged extension into `profile` the way a user would (`--install-extension`).
 * @throws Error with code-server's output when the installation fails or takes over 60 s.
 */
export async function installVsix(profile: Profile, vsix: string): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(
    CODE_SERVER_BIN,
    [
      ...profileArgs(profile),
      '--install-extension',
      vsix,
      '--force', // the same version may be installed already in a reused profile
    ],
    { timeout: 60_000 },
  );
  return `${stdout}${stderr}`;
}

function profileArgs(profile: Profile): string[] {
  return [
    '--user-data-dir',
    profile.userDataDir,
    '--extensions-dir',
    profile.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
  ];
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for code-server to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** A code-server that is up and answering. */
export interface RunningCodeServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** The URL that opens `folder` (an absolute path) in the workbench. */
  folderUrl(folder: string): string;
  /** Its own output, for a failure report. */
  readonly logFile: string;
  /** Stops code-server and every process it started; resolves once the leader has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly profile: Profile;
  /** Where code-server's standard output and error go. */
  readonly logFile: string;
  /** Default: a free port. */
  readonly port?: number;
  /** Default 60 s: the first start of a fresh profile compiles nothing, but a loaded CI is slow. */
  readonly timeoutMs?: number;
  /**
   * Keep workspace trust on (default off: the suite's folders are its own). With it on, and the
   * profile's `security.workspace.trust.enabled`, an unknown folder opens in Restricted Mode.
   */
  readonly workspaceTrust?: boolean;
}

/**
 * Starts code-server on 127.0.0.1 and waits until its health endpoint answers.
 * @throws Error naming the log file when it exits or does not answer before the deadline (the
 *   processes it started are stopped first).
 */
export async function startCodeServer(options: StartOptions): Promise<RunningCodeServer> {
  if (!existsSync(CODE_SERVER_BIN)) {
    throw new Error(`code-server is not installed: run bash ${SETUP_SCRIPT}`);
  }
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}/`;
  const log = createWriteStream(options.logFile);
  await new Promise((resolve) => log.once('open', resolve));
  const child = spawn(
    CODE_SERVER_BIN,
    [
      ...profileArgs(options.profile),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    ],
    // detached: its own process group, which stop() signals as a whole.
    { detached: true, stdio: ['ignore', log, log] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const stop = () => stopGroup(child, exited);
  try {
    await pollUntil(
      async () => {
        if (hasExited) throw new Error(`code-server exited at start: see ${options.logFile}`);
        return healthy(url);
      },
      { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 200, what: `code-server at ${url}` },
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message} (log: ${options.logFile})`);
  }
  return {
    url,
    folderUrl: (folder) => `${url}?folder=${encodeURIComponent(folder)}`,
    logFile: options.logFile,
    stop,
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('healthz', url), { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group, SIGKILL to what is left after 10 s. */
async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  signalGroup('SIGTERM');
  const leaderGone = await Promise.race([
    exited.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000).unref()),
  ]);
  // Helpers (the extension host, the language server) may outlive the leader: always make sure.
  signalGroup('SIGKILL');
  if (!leaderGone) await exited;
}
