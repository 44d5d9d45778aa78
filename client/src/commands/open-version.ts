import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { showVersion } from '../documents/version-documents.js';
import { reportFailure } from '../error-report.js';
import { pickVersion } from '../pickers/version-picker.js';
import { activeWorkflow } from './active-workflow.js';

/**
 * `Lockstep: Open Version…` and `Lockstep: Show History`: the active workflow's versions, newest
 * first, published ones first; the one picked opens read-only.
 */
export function registerOpenVersionCommands(ctx: Context): void {
  const open = async (uri?: vscode.Uri): Promise<void> => {
    try {
      const target = await activeWorkflow(ctx, uri);
      if (!target) return;
      const picked = await pickVersion(
        target.client,
        target.workflow,
        `Versions of ${target.workflow}`,
      );
      if (!picked) return;
      await showVersion({
        folder: target.folder,
        workflow: target.workflow,
        version: picked.seq ?? picked.id,
      });
    } catch (error) {
      await reportFailure(ctx.output, 'Opening the version', error);
    }
  };
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.openVersion, open),
    vscode.commands.registerCommand(COMMANDS.showHistory, open),
  );
}
