import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';

/** `Lockstep: Show Output`: reveals the log without taking the focus from the editor. */
export function registerShowOutputCommand(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showOutput, () => output.show(true)),
  );
}
