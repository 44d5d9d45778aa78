/** One workspace as the language server sees it: a root, its workflow files on disk, its settings. */
import path from 'node:path';
import { storeLayout } from '../../../core/src/node/store/files/layout.js';
import type { ValidationSettings } from '../../../core/src/validate/config-settings.js';

/** A workspace root, its disk files and its env allow-list; files are keyed by path. */
export class WorkspaceScope {
  /** Workflow files found on disk under the root: path → text. Open documents override these. */
  readonly disk = new Map<string, string>();
  /**
   * What validation reads from the settings: `env.allow` and the secrets' names (both empty when
   * there are none, as the CLI reads them).
   */
  settings: ValidationSettings = { envAllowList: [], secretNames: [] };
  /**
   * True when the store is in PostgreSQL (`store:` in the config, or a URL in `--store` /
   * LOCKSTEP_STORE): the server then knows no channels (it reads only files) and checks none.
   */
  storeInDatabase = false;
  /** Settles once the files and settings have been read. */
  loaded: Promise<void> | undefined;

  constructor(
    /** An absolute folder; for documents that are not files, their URI (a scope of one). */
    readonly root: string,
    /** The `.lockstep` folder; undefined for non-file scopes. */
    readonly storeDir: string | undefined,
  ) {}

  /** The settings file, whose `env.allow` expressions may read. */
  get configFile(): string | undefined {
    return this.storeDir === undefined ? undefined : path.join(this.storeDir, 'config.yaml');
  }

  /** The store's control log, whose channel changes calls pinned to a channel are checked against. */
  get controlLog(): string | undefined {
    return this.storeDir === undefined ? undefined : storeLayout(this.storeDir).controlLog;
  }

  /** Whether `file` (absolute) lies under the root. */
  contains(file: string): boolean {
    if (this.storeDir === undefined) return false;
    const relative = path.relative(this.root, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  }

  /** How messages name a file of this scope: relative to the root, with forward slashes. */
  describe(key: string): string {
    return path.isAbsolute(key) && this.contains(key)
      ? path.relative(this.root, key).split(path.sep).join('/')
      : key;
  }
}
