/**
 * The Lockstep language server's extensions to LSP: each custom message declared once, as a typed
 * constant both ends use (so changing a parameter fails to compile on both sides), and the command
 * ids the server executes. Documented in docs/protocol.md. The VS Code client imports this file
 * and nothing else from the server, so its one runtime import is vscode-jsonrpc, which the
 * client's bundle carries anyway.
 */
import { NotificationType } from 'vscode-jsonrpc';

/** The server's name in `initialize`'s `serverInfo`. */
export const SERVER_NAME = 'lockstep-language-server';

/** The diagnostic `source` of everything the server reports. */
export const DIAGNOSTIC_SOURCE = 'lockstep';

/**
 * Sent by the server after it published diagnostics for a version of a workflow document: the
 * extension snapshots a saved file only when the version it saved was validated without errors.
 */
export const ValidatedNotification = new NotificationType<ValidatedParams>('lockstep/validated');

/** The params of `lockstep/validated`. */
export interface ValidatedParams {
  readonly uri: string;
  /** The document version the diagnostics are for. */
  readonly version: number;
  /** The workflow's `name`, when the file has one. */
  readonly name?: string;
  readonly errors: number;
  readonly warnings: number;
}

/** Commands the server executes through `workspace/executeCommand`. */
export const SERVER_COMMANDS = {
  /**
   * Re-reads every workspace's workflow files and settings from disk and re-validates every open
   * document (for clients that do not watch files). No arguments.
   */
  revalidateAll: 'lockstep.server.revalidateAll',
} as const;

/** `initializationOptions` the server understands; every field is optional. */
export interface LockstepInitializationOptions {
  /**
   * A `.lockstep` folder to use instead of each workspace's own (the `--store` of the CLI); its
   * `config.yaml` supplies the env allow-list.
   */
  readonly store?: string;
}
