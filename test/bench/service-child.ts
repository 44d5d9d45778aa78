/**
 * A workspace service process for benchmarks: `dist/service.js` forked on a folder, spoken to over
 * Node IPC as the extension speaks to it, resolved once it says it is ready.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { ReadyNotification } from '../../core/src/service/protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVICE = path.resolve(here, '../../../dist/service.js');

export interface ServiceChild {
  readonly connection: MessageConnection;
  stop(): void;
}

/** Starts the service on `folder` (environment `env` on top of this process's). */
export async function startServiceChild(
  folder: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ServiceChild> {
  const child = fork(SERVICE, ['--folder', folder], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const connection = createMessageConnection(
    new IPCMessageReader(child),
    new IPCMessageWriter(child),
  );
  const ready = new Promise<void>((resolve) =>
    connection.onNotification(ReadyNotification, () => resolve()),
  );
  connection.listen();
  await ready;
  return {
    connection,
    stop: () => {
      connection.dispose();
      child.kill();
    },
  };
}
