import * as vscode from 'vscode';
import { COMMANDS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import type { HistoryView } from '../../views/history/history-view.js';
import {
  ALL_MODES,
  ALL_STATUSES,
  NO_FILTER,
  describeFilter,
} from '../../views/history/run-filter.js';

type FilterPick = vscode.QuickPickItem &
  (
    | { status: (typeof ALL_STATUSES)[number] }
    | { mode: (typeof ALL_MODES)[number] }
    | { publishedOnly: true }
  );

/** `Filter Runs…` (History's title bar): statuses, modes, and published versions only. */
export function registerFilterRunsCommand(ctx: Context, history: HistoryView): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.filterRuns, async () => {
      const current = history.provider.filter;
      const items: FilterPick[] = [
        { label: 'Status', kind: vscode.QuickPickItemKind.Separator } as FilterPick,
        ...ALL_STATUSES.map((status) => ({
          label: status,
          status,
          picked: current.statuses.includes(status),
        })),
        { label: 'Mode', kind: vscode.QuickPickItemKind.Separator } as FilterPick,
        ...ALL_MODES.map((mode) => ({ label: mode, mode, picked: current.modes.includes(mode) })),
        { label: 'Versions', kind: vscode.QuickPickItemKind.Separator } as FilterPick,
        {
          label: 'Published versions only',
          description: 'hide snapshots',
          publishedOnly: true,
          picked: current.publishedOnly,
        },
      ];
      const picked = await vscode.window.showQuickPick(items, {
        canPickMany: true,
        title: 'Filter History',
        placeHolder: 'Pick what to show (nothing picked in a group: all of it)',
      });
      if (!picked) return;
      history.provider.filter = {
        statuses: picked.flatMap((p) => ('status' in p ? [p.status] : [])),
        modes: picked.flatMap((p) => ('mode' in p ? [p.mode] : [])),
        publishedOnly: picked.some((p) => 'publishedOnly' in p),
      };
      history.view.description = describeFilter(history.provider.filter);
    }),
    vscode.commands.registerCommand(COMMANDS.clearFilter, () => {
      history.provider.filter = NO_FILTER;
      history.view.description = undefined;
    }),
  );
}
