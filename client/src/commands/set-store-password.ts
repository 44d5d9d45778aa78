import * as vscode from 'vscode';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { reportFailure } from '../error-report.js';
import type { ServiceClient } from '../service/service-client.js';

/**
 * `Lockstep: Set Team Store Password…` and `Lockstep: Clear Team Store Password…`: the password
 * of a PostgreSQL store that a workspace folder names (`store:` in `.lockstep/config.yaml`, which
 * must not hold it), kept in VS Code's secret storage under the store's URL. Setting it restarts
 * the folders' services that use that store, so History shows the team's versions and runs.
 */
export function registerStorePasswordCommands(ctx: Context): void {
  /** The team stores the folders use, with the services using each. */
  const teamStores = async (): Promise<Map<string, ServiceClient[]>> => {
    const stores = new Map<string, ServiceClient[]>();
    for (const { client } of ctx.services.all()) {
      const { teamStore } = await client.readyInfo();
      if (teamStore) stores.set(teamStore, [...(stores.get(teamStore) ?? []), client]);
    }
    return stores;
  };
  const pickStore = async (
    placeHolder: string,
  ): Promise<{ store: string; clients: ServiceClient[] } | undefined> => {
    const stores = await teamStores();
    if (stores.size === 0) {
      void vscode.window.showInformationMessage(
        'No workspace folder uses a team store: name one with `store: postgres://user@host/database` in .lockstep/config.yaml (without the password).',
      );
      return undefined;
    }
    const items = await Promise.all(
      [...stores.keys()].map(async (store) => ({
        label: store,
        description: (await ctx.storePasswords.has(store)) ? 'password set' : undefined,
      })),
    );
    const chosen =
      items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder });
    return chosen ? { store: chosen.label, clients: stores.get(chosen.label)! } : undefined;
  };
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.setStorePassword, async () => {
      try {
        const chosen = await pickStore('Which team store?');
        if (!chosen || !(await ctx.storePasswords.ask(chosen.store))) return false;
        for (const client of chosen.clients) client.restart();
        vscode.window.setStatusBarMessage(`Password for ${chosen.store} set`, 4_000);
        return true;
      } catch (error) {
        await reportFailure(ctx.output, 'Setting the team store password', error);
        return false;
      }
    }),
    vscode.commands.registerCommand(COMMANDS.clearStorePassword, async () => {
      try {
        const chosen = await pickStore('Which team store’s password to remove?');
        if (!chosen) return;
        await ctx.storePasswords.clear(chosen.store);
        for (const client of chosen.clients) client.restart();
        vscode.window.setStatusBarMessage(`Password for ${chosen.store} removed`, 4_000);
      } catch (error) {
        await reportFailure(ctx.output, 'Clearing the team store password', error);
      }
    }),
  );
}
