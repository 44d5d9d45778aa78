import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';
import { reportFailure } from '../error-report.js';
import type { LanguageServer } from '../language-server.js';

/** `Lockstep: Restart Language Server`: stops the server process and starts a new one. */
export function registerRestartServerCommand(
  context: vscode.ExtensionContext,
  server: LanguageServer,
  output: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.restartServer, () =>
      server
        .restart()
        .catch((error: unknown) =>
          reportFailure(output, 'Restarting the Lockstep language server', error),
        ),
    ),
  );
}
