import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';

/** `Lockstep: Show Output`: reveals the log without taking the focus from the editor. */
export function registerShowOutputCommand(ctx: Context): void {
  ctx.subscribe(vscode.commands.registerCommand(COMMANDS.showOutput, () => ctx.output.show(true)));
}
