import * as vscode from 'vscode';
import { COMMANDS, CONTEXT_KEYS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { showVersion, versionUri } from '../../documents/version-documents.js';
import { versionTitle } from '../../documents/version-uri.js';
import { reportFailure } from '../../error-report.js';
import type { VersionNode } from '../../views/history/nodes/version-node.js';

/**
 * A version's actions in History: Open, Compare with Working Copy, Select for Compare and
 * Compare with Selected (as the Explorer compares files), Copy Version Hash.
 */
export function registerVersionActions(ctx: Context): void {
  let selected: VersionNode | undefined;
  const diff = async (left: VersionNode, right: vscode.Uri, rightTitle: string) =>
    vscode.commands.executeCommand(
      'vscode.diff',
      versionUri(left.ref),
      right,
      `${versionTitle(left.ref.workflow, left.ref.version)} ↔ ${rightTitle}`,
      { preview: false },
    );
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.openHistoryVersion, async (node: VersionNode) => {
      await showVersion(node.ref).catch((error: unknown) =>
        reportFailure(ctx.output, 'Opening the version', error),
      );
    }),
    vscode.commands.registerCommand(COMMANDS.compareWithWorkingCopy, async (node: VersionNode) => {
      const file = node.parent.workflow.file;
      if (!file) {
        void vscode.window.showInformationMessage(
          `${node.version.workflow} has no file in this workspace to compare with.`,
        );
        return;
      }
      await diff(node, vscode.Uri.file(file), 'working copy').then(undefined, (error: unknown) =>
        reportFailure(ctx.output, 'Comparing with the working copy', error),
      );
    }),
    vscode.commands.registerCommand(COMMANDS.selectForCompare, (node: VersionNode) => {
      selected = node;
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.versionSelected, true);
    }),
    vscode.commands.registerCommand(COMMANDS.compareWithSelected, async (node: VersionNode) => {
      if (!selected) return;
      await diff(
        selected,
        versionUri(node.ref),
        versionTitle(node.ref.workflow, node.ref.version),
      ).then(undefined, (error: unknown) => reportFailure(ctx.output, 'Comparing versions', error));
    }),
    vscode.commands.registerCommand(COMMANDS.copyVersionHash, async (node: VersionNode) => {
      await vscode.env.clipboard.writeText(node.version.id);
      vscode.window.setStatusBarMessage(`Copied ${node.version.id}`, 3_000);
    }),
  );
}
