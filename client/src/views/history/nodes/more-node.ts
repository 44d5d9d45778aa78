import * as vscode from 'vscode';
import { COMMANDS } from '../../../command-ids.js';
import type { VersionNode } from './version-node.js';

/** "Show more": the next page of a version's runs. */
export class MoreNode extends vscode.TreeItem {
  constructor(readonly parent: VersionNode) {
    super('Show more…', vscode.TreeItemCollapsibleState.None);
    this.id = `more|${parent.id ?? ''}`;
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.contextValue = 'more';
    this.command = {
      command: COMMANDS.showMoreRuns,
      title: 'Show More Runs',
      arguments: [parent],
    };
  }
}
