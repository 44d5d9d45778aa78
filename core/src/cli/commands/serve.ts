/**
 * `lockstep serve`: the HTTP API over the run queue and the workspace's store (see
 * core/src/node/team/serve). It binds to 127.0.0.1 unless told otherwise, prints the address it
 * listens on, and stops on SIGTERM or Ctrl-C.
 */
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../model/errors.js';
import { openTeam } from '../../node/team/team-setup.js';
import { createRunServer } from '../../node/team/serve/run-server.js';
import { TokenFile } from '../../node/team/serve/tokens.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export interface ServeOptions {
  readonly port?: string;
  readonly host?: string;
  readonly tokens?: string;
  readonly queueUrl?: string;
}

/** Serves until SIGTERM or SIGINT; exit 0 after closing, 2 when it cannot start. */
export async function serveCommand(
  context: CommandContext,
  options: ServeOptions,
): Promise<ExitCode> {
  const port = Number(options.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${options.port}: a port number from 0 to 65535 (0: any free one)`);
  }
  if (options.tokens === undefined) {
    throw new UsageError(
      'no tokens file: give --tokens <file> (or LOCKSTEP_SERVE_TOKENS); lockstep serve token create --scope admin --tokens <file> makes one',
    );
  }
  const tokens = new TokenFile(options.tokens);
  await tokens.load();
  const team = await openTeam(process.cwd(), options.queueUrl, context.global);
  const { workspace, store, queue } = team;
  const log = (line: string): void => context.output.err(`lockstep serve: ${line}`);
  const api = createRunServer({ workspace, store, queue, tokens, log });
  try {
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new UsageError(
            `cannot listen on ${host}:${port} (${error.code ?? error.message}): choose another --port or --host`,
          ),
        ),
      );
      api.server.listen(port, host, resolve);
    });
    const address = api.server.address() as AddressInfo;
    context.output.out(
      `lockstep serve: listening on http://${address.address}:${address.port} (queue ${queue.location}, store ${store.info.location})`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolve();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    log('stopping');
    await api.close();
  } finally {
    await team.close();
  }
  return EXIT.ok;
}
