/**
 * The workspace services of the window: one per workspace folder, started when the folder is
 * opened (without waiting) and stopped when it is removed. A file is served by the service of the
 * folder that holds it.
 */
import * as vscode from 'vscode';
import type {
  BaselineTestProgressParams,
  RunProgressParams,
  StoreChange,
} from '../../../core/src/service/protocol.js';
import { ServiceClient, type ServiceState } from './service-client.js';

/** A store change, with the folder whose store changed. */
export interface FolderStoreChange {
  readonly folder: vscode.WorkspaceFolder;
  readonly changes: readonly StoreChange[];
}

/** A run's progress, with the URI of the folder whose service runs it. */
export interface FolderRunProgress extends RunProgressParams {
  readonly folder: string;
}

/** Whether a change touched only baselines (views of versions and runs need no refresh). */
export function onlyBaselines(changes: readonly StoreChange[]): boolean {
  return changes.every((change) => change === 'baselines');
}

export class Services implements vscode.Disposable {
  private readonly clients = new Map<string, ServiceClient>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<FolderStoreChange>();
  private readonly stateEmitter = new vscode.EventEmitter<ServiceClient>();
  private readonly progressEmitter = new vscode.EventEmitter<FolderRunProgress>();
  private readonly testEmitter = new vscode.EventEmitter<BaselineTestProgressParams>();
  /** Fires when any folder's store changed (whoever wrote it). */
  readonly onDidChangeStore = this.changeEmitter.event;
  /** Fires when any service starts, dies, restarts or gives up. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires as the runs this window started move, in any folder. */
  readonly onDidRunProgress = this.progressEmitter.event;
  /** Fires as the baseline tests this window started move (sessions are unique to the window). */
  readonly onDidTestProgress = this.testEmitter.event;

  constructor(
    private readonly module: string,
    private readonly output: vscode.LogOutputChannel,
    /** Team store passwords, handed to a service that opens a PostgreSQL store. */
    private readonly storePassword: (store: string) => Promise<string | undefined> = async () =>
      undefined,
  ) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.add(folder);
    this.subscriptions.push(
      // Trusted now: the services start again without --restricted (a team store connects).
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.restartAll()),
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const folder of event.removed) this.remove(folder);
        for (const folder of event.added) this.add(folder);
      }),
    );
  }

  /** The service of the folder holding `uri`; undefined for a file outside every folder. */
  forUri(uri: vscode.Uri): { client: ServiceClient; folder: vscode.WorkspaceFolder } | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const client = folder && this.clients.get(folder.uri.toString());
    return folder && client ? { client, folder } : undefined;
  }

  /** The service of a folder given by its URI (as version URIs carry it). */
  forFolder(folderUri: string): ServiceClient | undefined {
    return this.clients.get(folderUri);
  }

  /** Every service, with its folder. */
  all(): { client: ServiceClient; folder: vscode.WorkspaceFolder }[] {
    return (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => {
      const client = this.clients.get(folder.uri.toString());
      return client ? [{ client, folder }] : [];
    });
  }

  /** The worst state among the services (what the status bar shows). */
  get state(): ServiceState {
    const states = [...this.clients.values()].map((c) => c.state);
    for (const state of ['stopped', 'restarting', 'starting'] as const) {
      if (states.includes(state)) return state;
    }
    return 'ready';
  }

  restartAll(): void {
    for (const client of this.clients.values()) client.restart();
  }

  dispose(): void {
    for (const client of this.clients.values()) client.dispose();
    this.clients.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
    this.stateEmitter.dispose();
    this.progressEmitter.dispose();
    this.testEmitter.dispose();
  }

  private add(folder: vscode.WorkspaceFolder): void {
    // Only folders on disk have a store; a virtual folder gets language features only.
    if (folder.uri.scheme !== 'file') return;
    const client = new ServiceClient(
      this.module,
      folder.uri.fsPath,
      this.output,
      this.storePassword,
    );
    client.onDidChangeStore((params) =>
      this.changeEmitter.fire({ folder, changes: params.changes }),
    );
    client.onDidChangeState(() => this.stateEmitter.fire(client));
    client.onDidRunProgress((params) =>
      this.progressEmitter.fire({ folder: folder.uri.toString(), ...params }),
    );
    client.onDidTestProgress((params) => this.testEmitter.fire(params));
    this.clients.set(folder.uri.toString(), client);
  }

  private remove(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    this.clients.get(key)?.dispose();
    this.clients.delete(key);
  }
}
