/**
 * The History view in the Lockstep view container: the tree, its description (the filter), and a
 * message above it while nothing has run yet. Welcome content (no workflow files) is the
 * manifest's `viewsWelcome`, shown when the tree is empty.
 */
import * as vscode from 'vscode';
import { VIEWS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { HistoryProvider, type HistoryNode } from './history-provider.js';
import { describeFilter } from './run-filter.js';

export interface HistoryView {
  readonly provider: HistoryProvider;
  readonly view: vscode.TreeView<HistoryNode>;
}

export function registerHistoryView(ctx: Context): HistoryView {
  const provider = new HistoryProvider(ctx);
  const view = vscode.window.createTreeView(VIEWS.history, {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  provider.onDidLoadWorkflows = (workflows) => {
    const anyRun = workflows.some((w) => w.workflow.lastRun !== undefined);
    view.message =
      workflows.length > 0 && !anyRun
        ? 'No runs yet. Run a workflow from a terminal (lockstep run <file>): it appears here as it runs.'
        : undefined;
    view.description = describeFilter(provider.filter);
  };
  ctx.subscribe(provider, view);
  return { provider, view };
}
