import * as vscode from 'vscode';
import { VersionTextRequest } from '../../../core/src/service/protocol.js';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { versionTitle } from '../documents/version-uri.js';
import { reportFailure } from '../error-report.js';
import { pickVersion } from '../pickers/version-picker.js';
import { activeWorkflow } from './active-workflow.js';

/**
 * `Lockstep: Restore Version to Working Copy`: replaces the workflow file's content with a stored
 * version's, as an edit in the editor (Undo takes it back; nothing is written behind the
 * editor's back, and the file is saved only when the user saves it). From a stored version's tab
 * it restores that version into the file it was stored from; from the file, it asks which version.
 */
export function registerRestoreVersionCommand(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.restoreVersion, async (uri?: vscode.Uri) => {
      try {
        const target = await activeWorkflow(ctx, uri);
        if (!target) return;
        let version = target.version?.version;
        if (version === undefined) {
          const picked = await pickVersion(
            target.client,
            target.workflow,
            `Restore which version of ${target.workflow} into the working copy?`,
          );
          if (!picked) return;
          version = picked.seq ?? picked.id;
        }
        const stored = await target.client.request(VersionTextRequest, {
          workflow: target.workflow,
          version,
        });
        const fileUri =
          target.document?.uri ??
          (stored.version.sourcePath
            ? vscode.Uri.joinPath(vscode.Uri.parse(target.folder), stored.version.sourcePath)
            : undefined);
        if (!fileUri) {
          void vscode.window.showWarningMessage(
            `${versionTitle(target.workflow, version)} does not say which file it was stored from: open that file and restore from there.`,
          );
          return;
        }
        const document = await vscode.workspace.openTextDocument(fileUri);
        const whole = new vscode.Range(
          document.positionAt(0),
          document.positionAt(document.getText().length),
        );
        const edit = new vscode.WorkspaceEdit();
        edit.replace(fileUri, whole, stored.text);
        if (!(await vscode.workspace.applyEdit(edit))) {
          throw new Error(`${vscode.workspace.asRelativePath(fileUri)} could not be edited`);
        }
        await vscode.window.showTextDocument(document, { preview: false });
        vscode.window.setStatusBarMessage(
          `Restored ${versionTitle(target.workflow, version)}: save to keep it, Undo to take it back`,
          8_000,
        );
      } catch (error) {
        await reportFailure(ctx.output, 'Restoring the version', error);
      }
    }),
  );
}
