/**
 * A workspace on disk: its root, its workflow files, its settings and its store. The root is the
 * nearest ancestor holding `.lockstep/`, else the git root, else the starting folder; it is also
 * the scope of the duplicate-name and cycle checks.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidDefinitionError, RefError } from '../../model/errors.js';
import { validationSettings, type LockstepConfig } from '../../validate/config-settings.js';
import type { BaselineStore } from '../../baselines/baseline-store.js';
import type { VersionDraft } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { FileValidation } from '../../validate/validate-workspace.js';
import { BaselineFiles } from '../store/baseline-files.js';
import { openFsStore } from '../store/fs-store.js';
import { openStoreAt } from '../store/open-store.js';
import { isUnreachable } from '../store/postgres/connection-errors.js';
import { describePostgresUrl } from '../store/postgres/store-url.js';
import { baselinesOf } from '../store/store-baselines.js';
import { TeamCacheStore } from '../store/team-cache-store.js';
import { displayPath } from './display-path.js';
import { readTextFile } from './read-text.js';
import { referencedFileReader } from './referenced-files.js';
import { currentAuthor, gitInfoFor } from './git.js';
import { chooseStore, type StoreLocation } from './store-location.js';
import {
  findWorkflowFiles,
  locateWorkspaceRoot,
  storeDirFor,
  storeOptionFor,
  type FoundWorkflowFiles,
} from './workspace-files.js';

export {
  findWorkflowFiles,
  isDirectory,
  locateWorkspaceRoot,
  MAX_SCANNED_ENTRIES,
  WORKFLOW_FILE,
  type FoundWorkflowFiles,
} from './workspace-files.js';

export interface WorkspaceOptions {
  /**
   * The store to use instead of the workspace's (`--store`, else `LOCKSTEP_STORE`): a `.lockstep`
   * folder or a PostgreSQL URL.
   */
  readonly store?: string | undefined;
}

export class Workspace {
  private configCache: LockstepConfig | undefined;
  /**
   * False when the last `validate` could not look at every folder under the root (too many
   * entries): workspace-wide checks then covered only the files found.
   */
  searchComplete = true;

  private constructor(
    /** The workspace root (absolute). */
    readonly root: string,
    /**
     * The `.lockstep` folder (absolute) holding the config and baselines, and the store's files
     * unless the store is in PostgreSQL (see `storeLocation`); it may not exist yet.
     */
    readonly storeDir: string,
    /** `--store`, else LOCKSTEP_STORE, when either is set: a folder or a URL. */
    private readonly storeOption: string | undefined,
  ) {}

  /** Finds the workspace holding `startDir` (a folder). */
  static async locate(startDir: string, options: WorkspaceOptions = {}): Promise<Workspace> {
    const root = await locateWorkspaceRoot(startDir);
    return new Workspace(root, storeDirFor(root, options.store), storeOptionFor(options.store));
  }

  /** Finds the workspace of a workflow file (searching from the file's folder). */
  static async forFile(file: string, options: WorkspaceOptions = {}): Promise<Workspace> {
    return Workspace.locate(path.dirname(path.resolve(file)), options);
  }

  /**
   * Settings from `<store>/config.yaml` (defaults when absent).
   * @throws InvalidDefinitionError naming the file and line when the settings are invalid.
   */
  async config(): Promise<LockstepConfig> {
    if (this.configCache) return this.configCache;
    const file = path.join(this.storeDir, 'config.yaml');
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    // The parser (YAML, the schema validator) is loaded only for a config file with something in
    // it: a command in a workspace without one, such as `lockstep runs`, starts without them.
    if (text.trim() === '') return (this.configCache = {});
    const { parseConfigText } = await import('../../validate/config.js');
    const parsed = parseConfigText(text);
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new InvalidDefinitionError(displayPath(file), errors);
    this.configCache = parsed.config;
    return parsed.config;
  }

  /** Every workflow file under the root, sorted (see `findWorkflowFiles`). */
  async workflowFiles(): Promise<FoundWorkflowFiles> {
    return findWorkflowFiles(this.root);
  }

  /**
   * Validates `files` (default: every workflow file) together with the rest of the workspace, so
   * names, calls and cycles are checked across files. Results are for `files` only, in order.
   */
  async validate(files?: readonly string[]): Promise<FileValidation[]> {
    const { files: all, complete } = await this.workflowFiles();
    this.searchComplete = complete;
    const wanted = (files ?? all).map((f) => path.resolve(f));
    const union = [...new Set([...all, ...wanted])];
    const texts = await Promise.all(
      union.map(async (file) => ({ file, text: await readTextFile(file) })),
    );
    const config = await this.config();
    // Loaded when first needed (the parser, the schema validator, expressions): commands that
    // only read the store start without them.
    const { validateWorkspaceFiles } = await import('../../validate/validate-workspace.js');
    const results = validateWorkspaceFiles(texts, {
      ...validationSettings(config),
      describeFile: (other) => path.relative(this.root, other).split(path.sep).join('/'),
      readReferencedFile: referencedFileReader(this.root),
    });
    const byFile = new Map(results.map((r) => [r.file, r]));
    return wanted.map((file) => byFile.get(file)!);
  }

  /**
   * A version draft for a workflow file: its validated definition, its exact text and who/when/
   * which commit.
   * @throws InvalidDefinitionError when the file (or the workspace around it) has errors.
   * @throws RefError (`unknown-file`) when the file is outside this workspace.
   */
  async draft(file: string, now: Date = new Date()): Promise<VersionDraft> {
    const absolute = path.resolve(file);
    const relative = path.relative(this.root, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new RefError(
        'unknown-file',
        `${displayPath(absolute)} is outside the workspace at ${displayPath(this.root)}: run it from its own workspace`,
      );
    }
    const [result] = await this.validate([absolute]);
    if (!result?.definition) {
      const errors = (result?.diagnostics ?? []).filter((d) => d.severity === 'error');
      throw new InvalidDefinitionError(displayPath(absolute), errors);
    }
    const [author, git] = await Promise.all([currentAuthor(this.root), gitInfoFor(absolute)]);
    return {
      definition: result.definition,
      source: result.validated.parsed.text,
      sourcePath: path.relative(this.root, absolute).split(path.sep).join('/'),
      createdAt: now.toISOString(),
      author,
      git,
    };
  }

  /**
   * Where the store is: `--store` or LOCKSTEP_STORE, else the config's `store:`, else the files
   * under `storeDir`.
   * @throws InvalidDefinitionError when the config is invalid (a `store:` URL holding a
   *   password is); StoreError when the configured store cannot be used.
   */
  async storeLocation(): Promise<StoreLocation> {
    // An option chooses without the config: a broken config must not hide the store it names.
    const configured = this.storeOption ? undefined : (await this.config()).store;
    return chooseStore({
      option: this.storeOption,
      storeDir: this.storeDir,
      configured,
      configFile: displayPath(path.join(this.storeDir, 'config.yaml')),
    });
  }

  /**
   * Opens the workspace's store (see `storeLocation`); `create` makes it when missing (commands
   * that write): the folder, or the schema in an empty PostgreSQL database. A PostgreSQL store
   * comes with its local cache (see TeamCacheStore); `password` logs in to one whose URL has none.
   */
  async openStore(options: { create?: boolean; password?: string } = {}): Promise<Store> {
    const location = await this.storeLocation();
    if (location.kind === 'files') return openStoreAt(location.folder, options);
    const cache = (): Promise<Store> =>
      openFsStore(path.join(this.storeDir, 'local', 'team-cache'), { create: true });
    try {
      const team = await openStoreAt(withPassword(location.url, options.password), options);
      // Replays read runs and versions through a local cache, and are recorded there.
      return new TeamCacheStore(team, cache);
    } catch (error) {
      // Unreachable (offline, server down): what the cache holds can still be replayed.
      if (!isUnreachable(error)) throw error;
      return new TeamCacheStore(
        { location: describePostgresUrl(location.url), error: error as Error },
        cache,
      );
    }
  }

  /**
   * The workspace's baselines (see baselinesOf): the files under `.lockstep/baselines/` without
   * opening any store, or the baselines a team store keeps (the store is opened for them).
   * @throws what `openStore` throws, for a team store.
   */
  async openBaselines(options: { password?: string } = {}): Promise<OpenBaselines> {
    const location = await this.storeLocation();
    if (location.kind === 'files') {
      return { baselines: new BaselineFiles(this.storeDir), close: () => Promise.resolve() };
    }
    const store = await this.openStore(options);
    try {
      return { baselines: baselinesOf(this.storeDir, store), close: () => store.close() };
    } catch (error) {
      await store.close();
      throw error;
    }
  }
}

/** A workspace's baselines, and how to let go of the store opened for them. */
export interface OpenBaselines {
  readonly baselines: BaselineStore;
  close(): Promise<void>;
}

/**
 * The URL with `password` set when it has none (a password from the editor's secret storage,
 * held in memory only); unchanged otherwise.
 */
function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const parsed = new URL(url);
  if (parsed.password !== '') return url;
  parsed.password = password;
  return parsed.toString();
}
