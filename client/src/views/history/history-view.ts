/**
 * The History view in the Lockstep view container: the tree, its description (the filter), and a
 * message above it while nothing has run yet. Welcome content (no workflow files) is the
 * manifest's `viewsWelcome`, shown when the tree is empty.
 */
import * as vscode from 'vscode';
import { VIEWS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { HistoryProvider, type HistoryNode } from './history-provider.js';
import { keepOpenedRowsOpen } from './keep-open.js';
import { describeFilter } from './run-filter.js';
import { SeenAutoAborts } from './seen-aborts.js';

export interface HistoryView {
  readonly provider: HistoryProvider;
  readonly view: vscode.TreeView<HistoryNode>;
}

export function registerHistoryView(ctx: Context): HistoryView {
  const provider = new HistoryProvider(ctx, new SeenAutoAborts(ctx.extension.workspaceState));
  const view = vscode.window.createTreeView(VIEWS.history, {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  // An automatic abort counts on the view until its channel is opened (or marked as seen).
  const badge = provider.onDidChangeUnseen((unseen) => {
    view.badge =
      unseen > 0
        ? {
            value: unseen,
            tooltip: `${unseen} canar${unseen === 1 ? 'y was' : 'ies were'} aborted automatically`,
          }
        : undefined;
  });
  // Shown again: read again. A change that arrived while the view was hidden (or while it showed
  // its welcome) could otherwise leave it with what it read first, e.g. a multi-root window's
  // folders before their services were up.
  const shown = view.onDidChangeVisibility(({ visible }) => {
    if (visible) provider.reload();
  });
  provider.onDidLoadWorkflows = (workflows) => {
    const anyRun = workflows.some((w) => w.workflow.lastRun !== undefined);
    view.message =
      workflows.length > 0 && !anyRun
        ? 'No runs yet. Run a workflow from a terminal (lockstep run <file>): it appears here as it runs.'
        : undefined;
    view.description = describeFilter(provider.filter);
  };
  provider.onDidFailToLoad = (message) => {
    view.message = `History could not be read: ${message}`;
  };
  const keepOpen = keepOpenedRowsOpen(
    view,
    (node) => provider.newest(node),
    (message) => ctx.output.warn(message),
  );
  ctx.subscribe(provider, view, badge, shown, keepOpen);
  return { provider, view };
}
