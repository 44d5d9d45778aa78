/**
 * The "Lockstep" output channel: one log for everything the extension says, the language client's
 * messages and the server's LSP trace alike, so a user reporting a problem has one place to look.
 */
import * as vscode from 'vscode';

/** Creates the channel and disposes it with the extension. */
export function registerOutputChannel(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  const output = vscode.window.createOutputChannel('Lockstep', { log: true });
  context.subscriptions.push(output);
  return output;
}
