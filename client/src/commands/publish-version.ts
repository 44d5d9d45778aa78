import * as vscode from 'vscode';
import { FileVersionRequest, PublishRequest } from '../../../core/src/service/protocol.js';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { reportFailure } from '../error-report.js';
import { activeWorkflow } from './active-workflow.js';

/**
 * `Lockstep: Publish Version…`: saves the active workflow file, asks what changed, and publishes
 * its content as the workflow's next number. Content already published says which number it is;
 * an error (invalid file, someone publishing at the same moment) is explained and changes nothing.
 */
export function registerPublishVersionCommand(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.publishVersion, async (uri?: vscode.Uri) => {
      try {
        const target = await activeWorkflow(ctx, uri);
        if (!target?.document) {
          if (target?.version) {
            void vscode.window.showInformationMessage(
              'A stored version is published from its file: restore it to the working copy first.',
            );
          }
          return;
        }
        const file = target.document.uri.fsPath;
        const state = await target.client.request(FileVersionRequest, { file });
        if (state.state === 'invalid') {
          void vscode.window.showWarningMessage(
            `${target.workflow} has ${state.errors} error${state.errors === 1 ? '' : 's'} (see the Problems panel): fix them to publish.`,
          );
          return;
        }
        if (state.seq !== undefined) {
          void vscode.window.showInformationMessage(
            `This content is already published as ${target.workflow} v${state.seq}.`,
          );
          return;
        }
        const next = (state.latestSeq ?? 0) + 1;
        const message = await vscode.window.showInputBox({
          title: `Publish ${target.workflow} v${next}`,
          prompt: 'What changed, and why? (recorded in the audit trail)',
          ignoreFocusOut: true,
          validateInput: (text) => (text.trim() === '' ? 'A message is needed' : undefined),
        });
        if (message === undefined) return;
        const result = await target.client.request(PublishRequest, { file, message });
        const label = `${result.version.workflow} v${result.version.seq}`;
        if (result.created && result.version.seq !== next) {
          // Someone published while the message was being written: the number moved on.
          void vscode.window.showInformationMessage(
            `Published as ${label}, not v${next}: another version was published meanwhile (Show History lists it).`,
          );
        }
        ctx.output.info(
          result.created
            ? `published ${label} (${result.version.id})`
            : `${label} already had this content`,
        );
        vscode.window.setStatusBarMessage(
          result.created ? `$(check) Published ${label}` : `${label} already has this content`,
          5_000,
        );
        ctx.snapshotHandled(target.document.uri);
      } catch (error) {
        await reportFailure(ctx.output, 'Publishing the version', error);
      }
    }),
  );
}
