/**
 * What a version command acts on: the active editor's workflow file (its working copy), or the
 * stored version open in it. Commands run from the palette without either say so and do nothing.
 */
import * as vscode from 'vscode';
import { FileVersionRequest } from '../../../core/src/service/protocol.js';
import { isWorkflowFile, type Context } from '../ctx.js';
import { versionRefOf } from '../documents/version-documents.js';
import type { VersionRef } from '../documents/version-uri.js';
import type { ServiceClient } from '../service/service-client.js';

export interface ActiveWorkflow {
  readonly client: ServiceClient;
  readonly folder: string;
  readonly workflow: string;
  /** The working copy, when the active editor shows the file. */
  readonly document?: vscode.TextDocument;
  /** The stored version, when the active editor shows one. */
  readonly version?: VersionRef;
}

/**
 * The workflow of the active editor (or of `uri`, when a menu passed one); undefined, after
 * telling the user why, when there is none.
 */
export async function activeWorkflow(
  ctx: Context,
  uri?: vscode.Uri,
): Promise<ActiveWorkflow | undefined> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  const version = target && versionRefOf(target);
  if (version) {
    const client = ctx.services.forFolder(version.folder);
    if (client) return { client, folder: version.folder, workflow: version.workflow, version };
  }
  const document =
    target && vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  const served =
    document && isWorkflowFile(document) ? ctx.services.forUri(document.uri) : undefined;
  if (!document || !served) {
    void vscode.window.showInformationMessage(
      'Open a workflow file (*.workflow.yaml) of a workspace folder, or one of its stored versions, first.',
    );
    return undefined;
  }
  if (document.isDirty) await document.save();
  const state = await served.client.request(FileVersionRequest, { file: document.uri.fsPath });
  const workflow = state.workflow;
  if (workflow === undefined) {
    void vscode.window.showWarningMessage(
      `${vscode.workspace.asRelativePath(document.uri)} has no valid name yet: fix its errors first.`,
    );
    return undefined;
  }
  return { client: served.client, folder: served.folder.uri.toString(), workflow, document };
}
