import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';

/** The status bar item's click: what can be done with the active workflow file's versions. */
export function registerStatusMenuCommand(ctx: Context): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.statusMenu, async () => {
      if (ctx.services.state === 'stopped') {
        await vscode.commands.executeCommand(COMMANDS.restartService);
        return;
      }
      const items: (vscode.QuickPickItem & { command: string })[] = [
        { label: '$(cloud-upload) Publish Version…', command: COMMANDS.publishVersion },
        { label: '$(diff) Compare with Version…', command: COMMANDS.compareWithVersion },
        { label: '$(history) Show History', command: COMMANDS.showHistory },
      ];
      const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Lockstep' });
      if (picked) await vscode.commands.executeCommand(picked.command);
    }),
  );
}
