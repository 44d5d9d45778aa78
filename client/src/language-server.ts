/**
 * Runs the Lockstep language server and connects it to the editor. The server is the bundle
 * dist/server.js shipped beside this extension's bundle, started as a Node child process and
 * spoken to over Node IPC; diagnostics, completion, hover and navigation all come from it.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ValidatedNotification, type ValidatedParams } from '../../server/src/protocol.js';
import { WORKFLOW_LANGUAGE_ID } from './command-ids.js';

/** What the rest of the extension may do with the running server. */
export interface LanguageServer {
  /** Stops the server process and starts a new one; resolves when the new one is ready. */
  restart(): Promise<void>;
  /**
   * Fires each time the server is running (first start and every restart): what asked it before
   * then (document symbols, for the lenses) got nothing and should ask again.
   */
  readonly onDidStart: vscode.Event<void>;
  /** Fires after the server published the diagnostics of a version of a workflow document. */
  readonly onDidValidate: vscode.Event<ValidatedParams>;
  /** The last validation of the document `uri` (a URI string), if any. */
  lastValidation(uri: string): ValidatedParams | undefined;
}

/**
 * The documents the server answers for: workflow files (in any scheme, so unsaved `untitled:`
 * workflows are checked too) and the workspace settings file, which is plain YAML to VS Code.
 */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { language: WORKFLOW_LANGUAGE_ID },
  { scheme: 'file', pattern: '**/.lockstep/config.yaml' },
];

/**
 * Starts the language client (without waiting for the server: activation stays fast) and
 * registers it for disposal, which stops the server. Failures to start are logged to `output`,
 * which the client also uses for its own messages and, at log level Trace, for the LSP trace
 * (verbosity: the `lockstep.trace.server` setting, read by the client under its id `lockstep`).
 */
export function registerLanguageServer(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
): LanguageServer {
  const serverModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    // F5 from a development host: attach a debugger to the server on port 6009.
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    traceOutputChannel: output,
    // No `synchronize.fileEvents` on purpose: the server registers watchers for workflow files,
    // `.lockstep/config.yaml` and the control log itself (dynamic registration, see
    // server/src/connection.ts), and the client would send every change twice if it watched them.
  };
  const client = new LanguageClient(
    'lockstep',
    'Lockstep Language Server',
    serverOptions,
    clientOptions,
  );
  const validated = new vscode.EventEmitter<ValidatedParams>();
  const last = new Map<string, ValidatedParams>();
  client.onNotification(ValidatedNotification, (params) => {
    output.debug(
      `validated ${params.uri} (version ${params.version}): ${params.errors} errors, ${params.warnings} warnings`,
    );
    last.set(params.uri, params);
    validated.fire(params);
  });
  const started = new vscode.EventEmitter<void>();
  client.onDidChangeState((change) => {
    if (change.newState === State.Running) started.fire();
  });
  context.subscriptions.push(
    client,
    validated,
    started,
    vscode.workspace.onDidCloseTextDocument((document) => last.delete(document.uri.toString())),
  );
  void start(client, output);
  return {
    restart: () => client.restart(),
    onDidStart: started.event,
    onDidValidate: validated.event,
    lastValidation: (uri) => last.get(uri),
  };
}

async function start(client: LanguageClient, output: vscode.LogOutputChannel): Promise<void> {
  const started = Date.now();
  try {
    await client.start();
    output.info(`language server ready in ${Date.now() - started} ms`);
  } catch (error) {
    // The client has already shown the failure; the log keeps the details.
    output.error(`the language server did not start: ${String(error)}`);
  }
}
