/** Starting store-publish-worker processes and collecting what they report. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The workflow every worker publishes into. */
export const WORKER_WORKFLOW = 'shared';

/** The compiled worker, next to this file in out/test/helpers/. */
export const PUBLISH_WORKER = fileURLToPath(new URL('./store-publish-worker.js', import.meta.url));

/** One publication as a worker reports it. */
export interface WorkerPublication {
  readonly worker: string;
  readonly index: number;
  readonly seq: number;
  readonly version: string;
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningWorker {
  readonly child: ChildProcess;
  /** Settles when the process has exited and its output is complete. */
  readonly exited: Promise<WorkerExit>;
}

/** Starts a worker publishing `count` versions (or `'forever'`) into the store at `root`. */
export function startWorker(
  root: string,
  worker: string,
  count: number | 'forever',
): RunningWorker {
  const child = spawn(process.execPath, [PUBLISH_WORKER, root, worker, String(count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<WorkerExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited };
}

/** The publications a worker printed (complete lines only: a killed worker may cut one short). */
export function publicationsOf(stdout: string): WorkerPublication[] {
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as WorkerPublication);
}
