/**
 * Secrets in the editor: kept in VS Code's secret storage under their names (the names the
 * workspace's `.lockstep/config.yaml` lists), handed to the workspace service only when a run
 * starts. In the editor a secret resolves from secret storage first, then from the environment;
 * the CLI sees only the environment.
 */
import * as vscode from 'vscode';
import { SecretsRequest } from '../../../core/src/service/protocol.js';
import type { ServiceClient } from '../service/service-client.js';

/** Secret storage keys are namespaced, so the extension's other keys never collide with a name. */
const key = (name: string): string => `lockstep.secret.${name}`;

export class EditorSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  /** The values the storage holds for the secrets the folder's config lists, by name. */
  async forRun(client: ServiceClient): Promise<Record<string, string>> {
    const { secrets } = await client.request(SecretsRequest);
    const values: Record<string, string> = {};
    for (const { name } of secrets) {
      const value = await this.storage.get(key(name));
      if (value !== undefined && value !== '') values[name] = value;
    }
    return values;
  }

  /** Whether the storage holds a value for `name`. */
  async has(name: string): Promise<boolean> {
    return (await this.storage.get(key(name))) !== undefined;
  }

  async set(name: string, value: string): Promise<void> {
    await this.storage.store(key(name), value);
  }

  async clear(name: string): Promise<void> {
    await this.storage.delete(key(name));
  }

  /**
   * Asks for a secret's value (a password box: never shown, never logged) and stores it.
   * @returns false when the user cancelled.
   */
  async ask(name: string): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: `Set secrets.${name}`,
      prompt: `The value of ${name}, kept in VS Code's secret storage (never in the store, never logged)`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text === '' ? 'A value is needed' : undefined),
    });
    if (value === undefined) return false;
    await this.set(name, value);
    return true;
  }
}
