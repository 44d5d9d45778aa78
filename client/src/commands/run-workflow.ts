import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../command-ids.js';
import { isWorkflowFile, type Context } from '../ctx.js';
import { reportFailure } from '../error-report.js';
import type { Runner } from '../runner/runner.js';
import type { RunNode } from '../views/history/nodes/run-node.js';

/**
 * The run commands: `Lockstep: Run Workflow` and `Run with Last Input` (the lenses above `name:`
 * and the palette), `Cancel Run` and History's `Run Again with This Input`. Each shows the runner, where the run's steps appear as they happen. Runs need a trusted
 * workspace.
 */
export function registerRunCommands(ctx: Context, runner: Runner): void {
  const showRunner = () => vscode.commands.executeCommand(`${VIEWS.runner}.focus`);
  const runFrom = async (uri: unknown, lastInput: boolean): Promise<void> => {
    try {
      if (!(await trusted())) return;
      const target = workflowUri(uri);
      if (!target) {
        void vscode.window.showInformationMessage(
          'Open a workflow file (*.workflow.yaml) of a workspace folder to run it.',
        );
        return;
      }
      await showRunner();
      await runner.runFile(target.toString(), { lastInput });
    } catch (error) {
      await reportFailure(ctx.output, 'Starting the run', error);
    }
  };
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.runWorkflow, (uri?: unknown) => runFrom(uri, false)),
    vscode.commands.registerCommand(COMMANDS.runWithLastInput, (uri?: unknown) =>
      runFrom(uri, true),
    ),
    vscode.commands.registerCommand(COMMANDS.cancelRun, async () => {
      try {
        await runner.cancel();
      } catch (error) {
        await reportFailure(ctx.output, 'Cancelling the run', error);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.runAgain, async (node: RunNode) => {
      try {
        await showRunner();
        await runner.fillFrom(node.parent.folder, node.run.id);
      } catch (error) {
        await reportFailure(ctx.output, 'Filling the runner with the run’s input', error);
      }
    }),
  );
}

/** Runs need a trusted workspace: says so (with the way to trust it) when it is not. */
export async function trusted(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    'Runs are disabled in Restricted Mode: a workflow file may come from someone else. Trust this workspace to run it.',
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** The file a command acts on: its argument (a lens, a menu), else the active workflow editor. */
function workflowUri(argument: unknown): vscode.Uri | undefined {
  if (argument instanceof vscode.Uri) return argument;
  const document = vscode.window.activeTextEditor?.document;
  return document && isWorkflowFile(document) ? document.uri : undefined;
}
