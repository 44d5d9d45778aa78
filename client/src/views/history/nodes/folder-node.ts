import * as vscode from 'vscode';
import type { ServiceClient } from '../../../service/service-client.js';

/** A workspace folder, when the window has more than one: its store's workflows below it. */
export class FolderNode extends vscode.TreeItem {
  constructor(
    readonly folder: vscode.WorkspaceFolder,
    readonly client: ServiceClient,
  ) {
    super(folder.name, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `folder|${folder.uri.toString()}`;
    this.iconPath = vscode.ThemeIcon.Folder;
    this.resourceUri = folder.uri;
    this.accessibilityInformation = { label: `Folder ${folder.name}` };
    this.contextValue = 'folder';
  }
}
