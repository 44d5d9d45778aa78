/**
 * The extension's entry point (bundled as dist/extension.js). `activate` is a table of contents:
 * each line registers one part and hands its disposables to `context.subscriptions`.
 *
 * Activation is lazy (package.json: a workflow file is opened, or the workspace contains one) and
 * cheap: nothing here waits for the language server, and the client imports nothing from core/
 * and only protocol.ts from server/, so the bundle stays small.
 */
import type * as vscode from 'vscode';
import { registerRestartServerCommand } from './commands/restart-server.js';
import { registerShowOutputCommand } from './commands/show-output.js';
import { registerLanguageServer } from './language-server.js';
import { registerOutputChannel } from './output-channel.js';

/** Called by VS Code on the first activation event. */
export function activate(context: vscode.ExtensionContext): void {
  const output = registerOutputChannel(context);
  const server = registerLanguageServer(context, output);
  registerShowOutputCommand(context, output);
  registerRestartServerCommand(context, server, output);
}
