/**
 * What the extension's parts share, with its two lifetimes: the extension's (output channel,
 * language client, the services) and each service's (restarted on its own, see ServiceClient).
 * `activate()` builds it and hands it to each `register…(ctx)`.
 */
import * as vscode from 'vscode';
import { WORKFLOW_LANGUAGE_ID } from './command-ids.js';
import type { LanguageServer } from './language-server.js';
import { EditorSecrets } from './secrets/editor-secrets.js';
import type { TeamStorePasswords } from './secrets/team-store-passwords.js';
import type { Services } from './service/services.js';

export class Context implements vscode.Disposable {
  private readonly snapshotEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires when saving a workflow file was handled: snapshotted, unchanged, or refused. */
  readonly onDidSnapshot = this.snapshotEmitter.event;
  /** Secret values kept in VS Code's secret storage. */
  readonly secrets: EditorSecrets;

  constructor(
    readonly extension: vscode.ExtensionContext,
    /** The "Lockstep" log. */
    readonly output: vscode.LogOutputChannel,
    readonly languageServer: LanguageServer,
    /** One workspace service per workspace folder. */
    readonly services: Services,
    /** Team store passwords kept in VS Code's secret storage. */
    readonly storePasswords: TeamStorePasswords,
  ) {
    this.secrets = new EditorSecrets(extension.secrets);
  }

  /** Adds disposables to the extension's lifetime. */
  subscribe(...disposables: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...disposables);
  }

  /** The active editor's document when it is a workflow file on disk. */
  activeWorkflowFile(): vscode.TextDocument | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document && isWorkflowFile(document) ? document : undefined;
  }

  /** Says that saving `uri` was handled (see onDidSnapshot). */
  snapshotHandled(uri: vscode.Uri): void {
    this.snapshotEmitter.fire(uri);
  }

  dispose(): void {
    this.services.dispose();
    this.snapshotEmitter.dispose();
  }
}

/** Whether a document is a workflow file on disk (not a stored version, not unsaved). */
export function isWorkflowFile(document: vscode.TextDocument): boolean {
  return document.languageId === WORKFLOW_LANGUAGE_ID && document.uri.scheme === 'file';
}
