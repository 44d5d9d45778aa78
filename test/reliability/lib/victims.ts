/**
 * Processes started to be killed: the real CLI or a worker script, with their output collected
 * so that what they acknowledged before dying can be checked afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { HERMETIC_ENV } from '../../helpers/cli-workspace.js';
import { CLI } from '../../helpers/paths.js';

/** How a victim ended. */
export interface VictimExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when it was still running when killed. */
  readonly killed: boolean;
}

/** A process the suite may kill. */
export interface Victim {
  readonly child: ChildProcess;
  /** Settles once the process exited and its output is complete. */
  readonly exited: Promise<VictimExit>;
  /** Waits `ms` (or until it exits by itself), then kills it with SIGKILL if still running. */
  killAfter(ms: number): Promise<VictimExit>;
  /**
   * Resolves once its standard output holds `text` (true), or it exited, or `timeoutMs` passed
   * (false): a kill timed from there lands in the work, not in Node's start-up.
   */
  printed(text: string, timeoutMs: number): Promise<boolean>;
  /** As `printed`, for `lines` complete lines of output. */
  printedLines(lines: number, timeoutMs: number): Promise<boolean>;
}

/** The environment victims run with: hermetic git, no inherited store. */
export function victimEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries({ ...HERMETIC_ENV, ...extra })) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  delete env['LOCKSTEP_STORE'];
  return env;
}

/** Starts `node <script> <args…>` in `cwd`. */
export function startVictim(
  script: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = victimEnv(),
): Victim {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<VictimExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, killed }));
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    exited,
    async printed(text, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (done || Date.now() > deadline) return false;
        await delay(5);
      }
      return true;
    },
    async printedLines(lines, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (stdout.split('\n').length - 1 < lines) {
        if (done || Date.now() > deadline) return false;
        await delay(5);
      }
      return true;
    },
    async killAfter(ms) {
      const ac = new AbortController();
      await Promise.race([
        exited,
        delay(ms, undefined, { signal: ac.signal }).catch(() => undefined),
      ]);
      ac.abort();
      if (!done) {
        killed = true;
        child.kill('SIGKILL');
      }
      return exited;
    },
  };
}

/** Starts the built CLI (`lockstep <args…>`) in `cwd`. */
export function startCli(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = victimEnv(),
): Victim {
  return startVictim(CLI, args, cwd, env);
}

/** The complete JSON lines of a victim's output (a killed process may cut the last one short). */
export function ackLines<T>(stdout: string): T[] {
  return stdout
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T);
}
