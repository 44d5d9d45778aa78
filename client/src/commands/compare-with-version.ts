import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { versionUri } from '../documents/version-documents.js';
import { versionTitle } from '../documents/version-uri.js';
import { reportFailure } from '../error-report.js';
import { pickVersion } from '../pickers/version-picker.js';
import { activeWorkflow } from './active-workflow.js';

/**
 * `Lockstep: Compare with Version…`: VS Code's diff editor between a stored version (left) and the
 * working copy, or, from an open stored version, between another version and that one. Opened as a
 * real tab, not a preview, so the next file opened does not replace it.
 */
export function registerCompareWithVersionCommand(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.compareWithVersion, async (uri?: vscode.Uri) => {
      try {
        const target = await activeWorkflow(ctx, uri);
        if (!target) return;
        const current = target.version;
        const picked = await pickVersion(
          target.client,
          target.workflow,
          current
            ? `Compare ${versionTitle(current.workflow, current.version)} with…`
            : `Compare the working copy of ${target.workflow} with…`,
          typeof current?.version === 'string' ? current.version : undefined,
        );
        if (!picked) return;
        const left = {
          folder: target.folder,
          workflow: target.workflow,
          version: picked.seq ?? picked.id,
        };
        const leftTitle = versionTitle(left.workflow, left.version);
        const right = current ? versionUri(current) : target.document!.uri;
        const rightTitle = current
          ? versionTitle(current.workflow, current.version)
          : 'working copy';
        await vscode.commands.executeCommand(
          'vscode.diff',
          versionUri(left),
          right,
          `${leftTitle} ↔ ${rightTitle}`,
          { preview: false },
        );
      } catch (error) {
        await reportFailure(ctx.output, 'Comparing with a version', error);
      }
    }),
  );
}
