/**
 * Team store passwords in the editor: kept in VS Code's secret storage under the store's URL
 * (without its password), handed to a workspace service when it opens that PostgreSQL store —
 * never written to the config, the settings or a log.
 */
import * as vscode from 'vscode';

const key = (store: string): string => `lockstep.storePassword.${store}`;

export class TeamStorePasswords {
  constructor(private readonly storage: vscode.SecretStorage) {}

  /** The password kept for `store`, if any. */
  async get(store: string): Promise<string | undefined> {
    const value = await this.storage.get(key(store));
    return value === '' ? undefined : value;
  }

  async has(store: string): Promise<boolean> {
    return (await this.get(store)) !== undefined;
  }

  async clear(store: string): Promise<void> {
    await this.storage.delete(key(store));
  }

  /**
   * Asks for the password of `store` (a password box) and keeps it.
   * @returns false when the user cancelled.
   */
  async ask(store: string): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: 'Team store password',
      prompt: `The password for ${store}, kept in VS Code's secret storage (never in the config, never logged)`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text === '' ? 'A password is needed' : undefined),
    });
    if (value === undefined) return false;
    await this.storage.store(key(store), value);
    return true;
  }
}
