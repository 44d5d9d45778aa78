/**
 * Stored versions as read-only documents: a content provider for `lockstep-version:` URIs (their
 * text exactly as first stored, from the folder's workspace service), opened with the language of
 * workflow files so diagnostics, hover and navigation work in them too.
 */
import * as vscode from 'vscode';
import { VersionTextRequest } from '../../../core/src/service/protocol.js';
import type { Context } from '../ctx.js';
import {
  parseVersionQuery,
  VERSION_SCHEME,
  versionUriParts,
  type VersionRef,
} from './version-uri.js';
import { WORKFLOW_LANGUAGE_ID } from '../command-ids.js';

/** The URI of a stored version. */
export function versionUri(ref: VersionRef): vscode.Uri {
  const { path, query } = versionUriParts(ref);
  return vscode.Uri.from({ scheme: VERSION_SCHEME, path, query });
}

/** What a version URI names; undefined for any other URI. */
export function versionRefOf(uri: vscode.Uri): VersionRef | undefined {
  return uri.scheme === VERSION_SCHEME ? parseVersionQuery(uri.query) : undefined;
}

/** Registers the provider, and gives version documents the workflow language. */
export function registerVersionDocuments(ctx: Context): void {
  const provider: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      const ref = versionRefOf(uri);
      if (!ref) throw new Error(`${uri.toString()} does not name a stored version`);
      const client = ctx.services.forFolder(ref.folder);
      if (!client) throw new Error(`no workspace folder ${ref.folder} is open`);
      const { text } = await client.request(VersionTextRequest, {
        workflow: ref.workflow,
        version: ref.version,
      });
      return text;
    },
  };
  const asWorkflow = (document: vscode.TextDocument): void => {
    if (document.uri.scheme === VERSION_SCHEME && document.languageId !== WORKFLOW_LANGUAGE_ID) {
      void vscode.languages.setTextDocumentLanguage(document, WORKFLOW_LANGUAGE_ID);
    }
  };
  ctx.extension.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(VERSION_SCHEME, provider),
    vscode.workspace.onDidOpenTextDocument(asWorkflow),
  );
  vscode.workspace.textDocuments.forEach(asWorkflow);
}

/** Opens a stored version in an editor (not a preview, so it is not replaced by the next one). */
export async function showVersion(ref: VersionRef): Promise<void> {
  const document = await vscode.workspace.openTextDocument(versionUri(ref));
  await vscode.languages.setTextDocumentLanguage(document, WORKFLOW_LANGUAGE_ID);
  await vscode.window.showTextDocument(document, { preview: false });
}
