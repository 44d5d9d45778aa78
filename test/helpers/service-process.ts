/**
 * The workspace service as the extension runs it: dist/service.js forked with Node IPC, spoken to
 * with the typed messages of its protocol file. Stopped when the test ends.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  ResponseError,
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  BaselineTestProgressNotification,
  ReadyNotification,
  RunProgressNotification,
  StoreChangedNotification,
  type BaselineTestProgressParams,
  type ReadyParams,
  type RunProgressParams,
  type StoreChangedParams,
} from '../../core/src/service/protocol.js';
import { HERMETIC_ENV } from './cli-workspace.js';
import { REPO_ROOT } from './paths.js';
import { pollUntil } from './store-wait.js';

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  readonly ready: ReadyParams;
  /** Every store change notified so far. */
  readonly changes: StoreChangedParams[];
  /** Every run progress notified so far. */
  readonly progress: RunProgressParams[];
  /** Every baseline test progress notified so far. */
  readonly testProgress: BaselineTestProgressParams[];
  /** What the service wrote to its standard error. */
  stderr(): string;
}

/**
 * Starts the service for `folder` and waits until it says it is ready; `extraEnv` adds to (or,
 * with undefined, removes from) its environment.
 */
export async function startService(
  t: TestContext,
  folder: string,
  extraEnv: Record<string, string | undefined> = {},
  /** More arguments, e.g. `--restricted` (the editor's Restricted Mode). */
  extraArgs: readonly string[] = [],
): Promise<ServiceProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(HERMETIC_ENV)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  delete env['LOCKSTEP_STORE'];
  for (const [key, value] of Object.entries(extraEnv)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = fork(path.join(REPO_ROOT, 'dist/service.js'), ['--folder', folder, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const connection = createMessageConnection(
    new IPCMessageReader(child),
    new IPCMessageWriter(child),
  );
  const changes: StoreChangedParams[] = [];
  let ready: ReadyParams | undefined;
  connection.onNotification(ReadyNotification, (params: ReadyParams) => {
    ready = params;
  });
  connection.onNotification(StoreChangedNotification, (params: StoreChangedParams) => {
    changes.push(params);
  });
  const progress: RunProgressParams[] = [];
  connection.onNotification(RunProgressNotification, (params: RunProgressParams) => {
    progress.push(params);
  });
  const testProgress: BaselineTestProgressParams[] = [];
  connection.onNotification(
    BaselineTestProgressNotification,
    (params: BaselineTestProgressParams) => {
      testProgress.push(params);
    },
  );
  connection.listen();
  t.after(() => {
    connection.dispose();
    if (child.exitCode === null) child.kill();
  });
  await pollUntil(
    () => {
      if (child.exitCode !== null) throw new Error(`the service exited: ${stderr}`);
      return ready !== undefined;
    },
    { timeoutMs: 15_000, what: 'the service to be ready' },
  );
  return {
    child,
    connection,
    ready: ready!,
    changes,
    progress,
    testProgress,
    stderr: () => stderr,
  };
}

/**
 * The error a service request answered (its Lockstep code, message and data); fails the test
 * when the request succeeded.
 */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ResponseError, String(error));
    const data = error.data as Record<string, unknown> & { code: string };
    return { code: data.code, message: error.message, data };
  }
  assert.fail('the request succeeded');
}
