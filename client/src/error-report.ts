/**
 * The one place where the extension turns a failure into what the user sees. A Lockstep error
 * arrives from another process as a JSON-RPC error whose `data.code` is its stable code (see
 * docs/cli.md, "Error codes"): its message is written for users and is shown as it is. Anything
 * else is unexpected: the log keeps the details and the notification offers to open it.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './command-ids.js';

/** The stable code of a Lockstep error that crossed a process boundary, if `error` is one. */
export function lockstepCode(error: unknown): string | undefined {
  const data = (error as { data?: unknown } | undefined)?.data;
  const code = (data as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Logs `error` and tells the user that `action` (e.g. "Restarting the language server") failed.
 * Resolves when the notification is dismissed or its button used.
 */
export async function reportFailure(
  output: vscode.LogOutputChannel,
  action: string,
  error: unknown,
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const code = lockstepCode(error);
  if (code === undefined) output.error(`${action} failed`, error);
  else output.warn(`${action} failed (${code}): ${message}`);
  const showOutput = 'Show Output';
  const choice = await vscode.window.showErrorMessage(`${action} failed: ${message}`, showOutput);
  if (choice === showOutput) await vscode.commands.executeCommand(COMMANDS.showOutput);
}
