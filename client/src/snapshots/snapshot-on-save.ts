/**
 * Saving a valid workflow file snapshots it (`lockstep.snapshotOnSave`, default on): the workspace
 * service stores its content as a version when that content is new, and applies the snapshot
 * retention rule. An invalid file is not snapshotted; the status bar says why. Nothing here
 * notifies: saving is frequent, and the status bar shows the result.
 */
import * as vscode from 'vscode';
import { SnapshotRequest } from '../../../core/src/service/protocol.js';
import { SETTINGS } from '../command-ids.js';
import { isWorkflowFile, type Context } from '../ctx.js';
import { lockstepCode } from '../error-report.js';

export function registerSnapshotOnSave(ctx: Context): void {
  ctx.subscribe(vscode.workspace.onDidSaveTextDocument((document) => void snapshot(ctx, document)));
}

async function snapshot(ctx: Context, document: vscode.TextDocument): Promise<void> {
  if (!isWorkflowFile(document)) return;
  const enabled = vscode.workspace
    .getConfiguration(undefined, document.uri)
    .get<boolean>(SETTINGS.snapshotOnSave, true);
  const served = ctx.services.forUri(document.uri);
  if (!enabled || !served) return;
  const file = document.uri.fsPath;
  try {
    const result = await served.client.request(SnapshotRequest, { file });
    const short = result.version.id.slice(7, 19);
    if (result.created) {
      ctx.output.info(
        `snapshot ${short} of ${result.version.workflow} (${vscode.workspace.asRelativePath(document.uri)})`,
      );
    } else {
      ctx.output.info(
        `saved ${vscode.workspace.asRelativePath(document.uri)}: same content as before, no new version`,
      );
    }
    if (result.pruned.length > 0) {
      ctx.output.info(
        `removed ${result.pruned.length} older snapshot(s) of ${result.version.workflow} (retention.snapshots)`,
      );
    }
  } catch (error) {
    // An invalid file is expected while editing: the log says why, the status bar shows it.
    const code = lockstepCode(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'invalid-definition') ctx.output.info(`not snapshotted: ${message}`);
    else ctx.output.warn(`snapshot of ${file} failed${code ? ` (${code})` : ''}: ${message}`);
  } finally {
    ctx.snapshotHandled(document.uri);
  }
}
