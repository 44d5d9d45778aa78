import * as vscode from 'vscode';
import { COMMANDS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import type { HistoryView } from '../../views/history/history-view.js';
import type { VersionNode } from '../../views/history/nodes/version-node.js';

/** History's "Show more" under a version, and its Refresh button. */
export function registerHistoryPagingCommands(ctx: Context, history: HistoryView): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.showMoreRuns, (version: VersionNode) =>
      history.provider.showMore(version),
    ),
    vscode.commands.registerCommand(COMMANDS.refreshHistory, () => history.provider.reload()),
  );
}
