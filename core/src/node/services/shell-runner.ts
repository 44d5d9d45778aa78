/**
 * Runs a shell step's command with the platform shell. Only reached when the user allowed shell
 * steps for the run. The command sees a minimal environment (what a shell needs to find programs
 * and write temporary files) plus the step's declared `env`, never the runner's whole environment,
 * which holds keys no workflow was given; its working directory stays inside the workspace.
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { EngineError } from '../../engine/engine-error.js';
import type { ShellRequest, ShellRunner } from '../../providers/live-executor.js';

/** The variables a shell step inherits from the runner: none of them holds a credential. */
export const SHELL_BASE_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SHELL',
  'USER',
  // Windows needs these to start cmd.exe and resolve programs.
  'SystemRoot',
  'ComSpec',
  'PATHEXT',
  'WINDIR',
] as const;

/** The environment a shell step's command gets: the base variables, then its declared `env`. */
export function shellEnvironment(
  declared: { readonly [name: string]: string },
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SHELL_BASE_ENV) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...declared };
}

/** Output kept per stream; the rest is cut (and says so). */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** A shell runner whose relative working directories are relative to `root` (the workspace). */
export function shellRunner(root: string): ShellRunner {
  return (request: ShellRequest, signal: AbortSignal) =>
    new Promise((resolve, reject) => {
      const cwd = path.resolve(root, request.cwd);
      if (!inside(root, cwd)) {
        reject(
          new EngineError(
            'shell-cwd',
            `shell cwd '${request.cwd}' is outside the workspace at ${root}: give a folder inside it`,
          ),
        );
        return;
      }
      const child = spawn(request.command, {
        shell: true,
        cwd,
        env: shellEnvironment(request.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        signal,
        windowsHide: true,
      });
      const stdout = collector();
      const stderr = collector();
      child.stdout.on('data', stdout.add);
      child.stderr.on('data', stderr.add);
      child.on('error', reject);
      child.on('close', (code, killedBy) => {
        resolve({
          exitCode: code ?? (killedBy ? 128 : 1),
          stdout: stdout.text(),
          stderr: stderr.text(),
        });
      });
    });
}

function collector(): { add: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  return {
    add: (chunk) => {
      if (size >= MAX_OUTPUT_BYTES) {
        cut = true;
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8') + (cut ? '\n[output cut at 1 MiB]' : ''),
  };
}

/** Whether `folder` is `root` or inside it, symbolic links resolved where they exist. */
function inside(root: string, folder: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return p; // a folder that does not exist: the command fails to start, saying so
    }
  };
  const relative = path.relative(real(root), real(folder));
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}
