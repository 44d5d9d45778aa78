/**
 * One status bar item for the active workflow file: the version of its content, or why it has
 * none (unsaved changes, errors), or the workspace service's state while it is not ready. It
 * follows the active editor, saves, edits and the store (what the CLI writes shows too); it is
 * hidden without a workflow editor. Click: Publish…, Compare with Version…, Show History.
 */
import * as vscode from 'vscode';
import { FileVersionRequest } from '../../../core/src/service/protocol.js';
import { COMMANDS, SETTINGS } from '../command-ids.js';
import { isWorkflowFile, type Context } from '../ctx.js';
import { statusLabel, type StatusInput } from './status-label.js';
import { onlyBaselines } from '../service/services.js';

export function registerVersionStatus(ctx: Context): void {
  const item = vscode.window.createStatusBarItem(
    'lockstep.version',
    vscode.StatusBarAlignment.Right,
    100,
  );
  item.name = 'Lockstep Version';
  item.command = COMMANDS.statusMenu;
  let generation = 0;

  const show = (input: StatusInput): void => {
    const label = statusLabel(input);
    item.text = label.text;
    item.tooltip = label.tooltip;
    item.accessibilityInformation = {
      label: `Lockstep: ${label.text.replace(/\$\([^)]*\)\s*/, '')}`,
    };
    item.show();
  };

  const update = async (): Promise<void> => {
    const mine = ++generation;
    const editor = vscode.window.activeTextEditor;
    const document = editor?.document;
    if (!document || !isWorkflowFile(document)) {
      item.hide();
      return;
    }
    const served = ctx.services.forUri(document.uri);
    if (!served) {
      item.hide();
      return;
    }
    if (served.client.state !== 'ready') {
      show({ kind: 'service', state: served.client.state });
      return;
    }
    if (document.isDirty) {
      show({ kind: 'unsaved' });
      return;
    }
    try {
      const version = await served.client.request(FileVersionRequest, {
        file: document.uri.fsPath,
      });
      if (mine !== generation) return; // a newer update is on its way
      const snapshotOnSave = vscode.workspace
        .getConfiguration(undefined, document.uri)
        .get<boolean>(SETTINGS.snapshotOnSave, true);
      show({ kind: 'file', version, snapshotOnSave });
    } catch (error) {
      if (mine !== generation) return;
      show({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };
  const refresh = (): void => void update();

  ctx.subscribe(
    item,
    vscode.window.onDidChangeActiveTextEditor(refresh),
    vscode.workspace.onDidSaveTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((event) => {
      // Only when the dirty state flips: not on every keystroke.
      if (event.document === vscode.window.activeTextEditor?.document)
        refreshIfDirtyChanged(event.document);
    }),
    ctx.services.onDidChangeStore((change) => {
      if (!onlyBaselines(change.changes)) refresh();
    }),
    ctx.services.onDidChangeState(refresh),
    ctx.onDidSnapshot(refresh),
  );
  let lastDirty: boolean | undefined;
  const refreshIfDirtyChanged = (document: vscode.TextDocument): void => {
    if (document.isDirty !== lastDirty) {
      lastDirty = document.isDirty;
      refresh();
    }
  };
  refresh();
}
