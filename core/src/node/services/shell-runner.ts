/**
 * Runs a shell step's command with the platform shell. Only reached when the user allowed shell
 * steps for the run. The command gets the environment of the runner plus the step's `env`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ShellRequest, ShellRunner } from '../../providers/live-executor.js';

/** Output kept per stream; the rest is cut (and says so). */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** A shell runner whose relative working directories are relative to `root` (the workspace). */
export function shellRunner(root: string): ShellRunner {
  return (request: ShellRequest, signal: AbortSignal) =>
    new Promise((resolve, reject) => {
      const child = spawn(request.command, {
        shell: true,
        cwd: path.resolve(root, request.cwd),
        env: { ...process.env, ...request.env },
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
