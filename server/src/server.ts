/**
 * The language server's entry (dist/server.js). It only creates the connection, over the
 * transport named on the command line (`--stdio`, `--node-ipc`, `--socket=<port>`,
 * `--pipe=<name>`), and hands it to the wiring.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './connection.js';

const connection = createConnection(ProposedFeatures.all);
// Every handler is guarded; this is the last resort for a stray callback, so the editor keeps
// its server (and learns why) instead of restarting it.
process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack}`));
process.on('unhandledRejection', (reason) =>
  connection.console.error(`unhandled: ${String(reason)}`),
);
startServer(connection);
