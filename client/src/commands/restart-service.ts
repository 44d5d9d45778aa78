import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';

/** `Lockstep: Restart Workspace Service`: stops every workspace service and starts them again. */
export function registerRestartServiceCommand(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.restartService, () => ctx.services.restartAll()),
  );
}
