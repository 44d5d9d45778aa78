import * as vscode from 'vscode';
import { SecretsRequest } from '../../../core/src/service/protocol.js';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { reportFailure } from '../error-report.js';

/**
 * `Lockstep: Set Secret…` and `Lockstep: Clear Secret…`: a value in VS Code's secret storage
 * under a secret's name, the names offered from the workspace's `.lockstep/config.yaml`. Set
 * Secret takes a name as an argument when a run asked for it.
 */
export function registerSecretCommands(ctx: Context): void {
  const pickName = async (placeHolder: string): Promise<string | undefined> => {
    const served = ctx.services.all();
    const listed = new Map<string, { inEnvironment: boolean; hosts?: readonly string[] }>();
    for (const { client } of served) {
      for (const secret of (await client.request(SecretsRequest)).secrets)
        listed.set(secret.name, secret);
    }
    if (listed.size === 0) {
      void vscode.window.showInformationMessage(
        'No secrets are listed in .lockstep/config.yaml: list a name under `secrets` first (a reviewer sees it there).',
      );
      return undefined;
    }
    const items = await Promise.all(
      [...listed].map(async ([name, secret]) => ({
        label: name,
        description: [
          (await ctx.secrets.has(name)) ? 'set in the editor' : undefined,
          secret.inEnvironment ? 'in the environment' : undefined,
          secret.hosts ? `only to ${secret.hosts.join(', ')}` : undefined,
        ]
          .filter(Boolean)
          .join(' · '),
      })),
    );
    return (await vscode.window.showQuickPick(items, { placeHolder }))?.label;
  };
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.setSecret, async (name?: string) => {
      try {
        const chosen =
          name ?? (await pickName('Which secret? (its value stays in VS Code’s secret storage)'));
        if (chosen && (await ctx.secrets.ask(chosen))) {
          vscode.window.setStatusBarMessage(`secrets.${chosen} set`, 4_000);
          return true;
        }
        return false;
      } catch (error) {
        await reportFailure(ctx.output, 'Setting the secret', error);
        return false;
      }
    }),
    vscode.commands.registerCommand(COMMANDS.clearSecret, async () => {
      try {
        const chosen = await pickName('Which secret to remove from VS Code’s secret storage?');
        if (!chosen) return;
        await ctx.secrets.clear(chosen);
        vscode.window.setStatusBarMessage(`secrets.${chosen} removed from the editor`, 4_000);
      } catch (error) {
        await reportFailure(ctx.output, 'Clearing the secret', error);
      }
    }),
  );
}
