import * as vscode from 'vscode';
import { COMMANDS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { reportFailure } from '../../error-report.js';
import { workflowTemplate } from './workflow-template.js';

/**
 * `Lockstep: Create a Workflow` (History's welcome): asks for a name, writes
 * `<name>.workflow.yaml` from a template that validates into the first workspace folder (never
 * over an existing file) and opens it.
 */
export function registerCreateWorkflowCommand(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.createWorkflow, async () => {
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
      if (!folder) {
        void vscode.window.showInformationMessage('Open a folder first: workflows live in it.');
        return;
      }
      const name = await vscode.window.showInputBox({
        title: 'Create a Workflow',
        prompt: 'Its name: lowercase letters, digits, ".", "_" or "-"',
        value: 'hello',
        validateInput: (text) =>
          /^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?$/.test(text)
            ? undefined
            : 'Lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
      });
      if (name === undefined) return;
      const file = vscode.Uri.joinPath(folder.uri, `${name}.workflow.yaml`);
      try {
        await vscode.workspace.fs.stat(file);
        void vscode.window.showWarningMessage(
          `${name}.workflow.yaml exists already: pick another name.`,
        );
        return;
      } catch {
        // Not there yet: create it.
      }
      try {
        await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(workflowTemplate(name)));
        await vscode.window.showTextDocument(file, { preview: false });
      } catch (error) {
        await reportFailure(ctx.output, 'Creating the workflow', error);
      }
    }),
  );
}
