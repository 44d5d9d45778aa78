import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { reportFailure } from '../error-report.js';

/** `Lockstep: Restart Language Server`: stops the server process and starts a new one. */
export function registerRestartServerCommand(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.restartServer, () =>
      ctx.languageServer
        .restart()
        .catch((error: unknown) =>
          reportFailure(ctx.output, 'Restarting the Lockstep language server', error),
        ),
    ),
  );
}
