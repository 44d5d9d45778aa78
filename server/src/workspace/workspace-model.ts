/**
 * The workspaces the server knows: each document belongs to the workspace the CLI would give it
 * (nearest folder holding `.lockstep/`, else the git root, else its folder), whose workflow
 * files are read from disk and overridden by open documents, so cross-file checks see exactly
 * what the user sees. Watched-file events keep the disk copies current.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FileChangeType, type FileEvent, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseConfigText, validationSettings } from '../../../core/src/validate/config.js';
import { isStoreUrl } from '../../../core/src/validate/store-setting.js';
import {
  WORKFLOW_FILE,
  findWorkflowFiles,
  locateWorkspaceRoot,
  storeDirFor,
  storeOptionFor,
} from '../../../core/src/node/workspace/workspace-files.js';
import { documentKey, keyToUri, uriToPath } from '../uris.js';
import { WorkspaceScope } from './workspace-scope.js';
import { errorText } from '../error-text.js';

/** A workflow file of a scope, with the text the server validates. */
export interface ScopeFile {
  /** The file's identity (see `documentKey`). */
  readonly key: string;
  readonly uri: string;
  readonly text: string;
  /** True when the text comes from an open document rather than the disk. */
  readonly open: boolean;
}

export interface WorkspaceModelOptions {
  /** A `.lockstep` folder that overrides every workspace's own (initialization option `store`). */
  readonly store?: string | undefined;
  readonly log: (message: string) => void;
}

/** Folders whose workflow files a workspace never includes (as `findWorkflowFiles` skips them). */
const SKIPPED = /(^|[\\/])(\.[^\\/]*|node_modules|dist|out)[\\/]/;

/** Every workspace the server has seen, and which one each open document belongs to. */
export class WorkspaceModel {
  private readonly scopes = new Map<string, WorkspaceScope>();
  private readonly rootOfFolder = new Map<string, Promise<string>>();
  private readonly scopeOfDocument = new Map<string, WorkspaceScope>();

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly options: WorkspaceModelOptions,
  ) {}

  /** The scope of a document: located once per folder, read from disk on first use. */
  async scopeFor(uri: string): Promise<WorkspaceScope> {
    let scope = this.scopeOfDocument.get(uri);
    if (!scope) {
      const file = uriToPath(uri);
      scope =
        file === undefined
          ? this.scope(uri, undefined)
          : this.scope(
              ...(await this.rootAndStore(
                path.basename(path.dirname(file)) === '.lockstep'
                  ? path.dirname(path.dirname(file))
                  : path.dirname(file),
              )),
            );
      this.scopeOfDocument.set(uri, scope);
    }
    await this.load(scope);
    return scope;
  }

  /** The scope a document was last placed in, without waiting (undefined before `scopeFor`). */
  knownScopeFor(uri: string): WorkspaceScope | undefined {
    return this.scopeOfDocument.get(uri);
  }

  /** Reads a workspace folder's scope ahead of any document, so the first validation is fast. */
  async addFolder(folder: string): Promise<WorkspaceScope> {
    const scope = this.scope(...(await this.rootAndStore(folder)));
    await this.load(scope);
    return scope;
  }

  /** Every scope read so far. */
  allScopes(): WorkspaceScope[] {
    return [...this.scopes.values()];
  }

  /** The workflow files of a scope: the disk's, overridden and completed by open documents. */
  files(scope: WorkspaceScope): ScopeFile[] {
    const out = new Map<string, ScopeFile>();
    for (const [file, text] of scope.disk) {
      out.set(file, { key: file, uri: keyToUri(file), text, open: false });
    }
    for (const document of this.openWorkflowDocuments(scope)) {
      const key = documentKey(document.uri);
      out.set(key, { key, uri: document.uri, text: document.getText(), open: true });
    }
    return [...out.values()];
  }

  /** The open workflow documents of a scope (settings documents excluded). */
  openWorkflowDocuments(scope: WorkspaceScope): TextDocument[] {
    const out: TextDocument[] = [];
    for (const [uri, owner] of this.scopeOfDocument) {
      const document = this.documents.get(uri);
      if (owner === scope && document && this.isWorkflowDocument(uri)) out.push(document);
    }
    return out;
  }

  /**
   * Whether a document is a workflow: a `*.workflow.yaml`/`.yml` file, or a document that is not
   * a file (an untitled buffer the client chose to send). Other YAML files a client sends (its
   * selector may be every YAML file) are left alone.
   */
  isWorkflowDocument(uri: string): boolean {
    const file = uriToPath(uri);
    return file === undefined || WORKFLOW_FILE.test(file);
  }

  /** Whether a document is a workspace's `.lockstep/config.yaml` rather than a workflow. */
  isConfigDocument(uri: string): boolean {
    const file = uriToPath(uri);
    return (
      file !== undefined &&
      path.basename(file) === 'config.yaml' &&
      path.basename(path.dirname(file)) === '.lockstep'
    );
  }

  /** Forgets a closed document's placement; returns the scope it was in. */
  closed(uri: string): WorkspaceScope | undefined {
    const scope = this.scopeOfDocument.get(uri);
    this.scopeOfDocument.delete(uri);
    return scope;
  }

  /**
   * Re-reads the settings of the scope whose settings file `uri` is, from the open document when
   * it is open, else from disk. Returns that scope, if one is known.
   */
  async refreshConfig(uri: string): Promise<WorkspaceScope | undefined> {
    const file = uriToPath(uri);
    const scope = this.allScopes().find((s) => s.configFile === file);
    if (scope) await this.readConfig(scope);
    return scope;
  }

  /**
   * Applies watched-file events to the disk copies; returns the scopes that changed (a changed
   * control log changes its scope too: its channels are what pinned calls are checked against).
   */
  async applyFileEvents(events: readonly FileEvent[]): Promise<Set<WorkspaceScope>> {
    const changed = new Set<WorkspaceScope>();
    for (const event of events) {
      const file = uriToPath(event.uri);
      if (file === undefined) continue;
      for (const scope of this.allScopes()) {
        if (file === scope.configFile) {
          await this.readConfig(scope);
          changed.add(scope);
        } else if (file === scope.controlLog) {
          // Channels changed (a promote from the CLI, say): the check reads them again itself.
          changed.add(scope);
        } else if (
          WORKFLOW_FILE.test(file) &&
          scope.contains(file) &&
          !SKIPPED.test(path.relative(scope.root, file))
        ) {
          if (event.type === FileChangeType.Deleted) scope.disk.delete(file);
          else {
            const text = await readText(file);
            if (text === undefined) scope.disk.delete(file);
            else scope.disk.set(file, text);
          }
          changed.add(scope);
        }
      }
    }
    return changed;
  }

  /** Re-reads every scope from disk (files and settings). */
  async reloadAll(): Promise<WorkspaceScope[]> {
    const scopes = this.allScopes();
    for (const scope of scopes) scope.loaded = undefined;
    await Promise.all(scopes.map((scope) => this.load(scope)));
    return scopes;
  }

  private scope(root: string, storeDir: string | undefined): WorkspaceScope {
    let scope = this.scopes.get(root);
    if (!scope) {
      scope = new WorkspaceScope(root, storeDir);
      this.scopes.set(root, scope);
    }
    return scope;
  }

  private async rootAndStore(folder: string): Promise<[string, string]> {
    let root = this.rootOfFolder.get(folder);
    if (!root) {
      root = locateWorkspaceRoot(folder);
      this.rootOfFolder.set(folder, root);
    }
    const resolved = await root;
    return [resolved, storeDirFor(resolved, this.options.store)];
  }

  private load(scope: WorkspaceScope): Promise<void> {
    scope.loaded ??= this.read(scope).catch((error: unknown) => {
      this.options.log(`could not read the workspace at ${scope.root}: ${errorText(error)}`);
    });
    return scope.loaded;
  }

  private async read(scope: WorkspaceScope): Promise<void> {
    if (scope.storeDir === undefined) return;
    const { files, complete } = await findWorkflowFiles(scope.root);
    if (!complete) {
      this.options.log(
        `${scope.root} has too many entries to search completely: workspace checks cover the workflow files found`,
      );
    }
    const texts = await Promise.all(files.map(readText));
    scope.disk.clear();
    files.forEach((file, index) => {
      const text = texts[index];
      if (text !== undefined) scope.disk.set(file, text);
    });
    await this.readConfig(scope);
  }

  private async readConfig(scope: WorkspaceScope): Promise<void> {
    const file = scope.configFile;
    if (file === undefined) return;
    const open = this.documents.all().find((d) => uriToPath(d.uri) === file);
    const text = open ? open.getText() : ((await readText(file)) ?? '');
    // As the CLI reads it: no settings means an empty allow-list. Invalid settings are reported
    // on the settings document itself; validation meanwhile uses the defaults.
    const { config } = parseConfigText(text);
    scope.settings = validationSettings(config);
    // The language server only reads files: a store in PostgreSQL is not read here.
    const option = storeOptionFor(this.options.store);
    scope.storeInDatabase = option === undefined ? config.store !== undefined : isStoreUrl(option);
  }
}

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}
