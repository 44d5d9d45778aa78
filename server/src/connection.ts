/**
 * Wires the language server onto a connection: capabilities, document sync, the workspace model,
 * validation, and one guarded handler per feature. Transport-agnostic: the entry (server.ts)
 * passes a stdio/ipc connection, tests pass one over in-memory streams.
 */
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LOCKSTEP_VERSION } from '../../core/src/version.js';
import { FeatureContexts, type FeatureContext } from './analysis/feature-context.js';
import { codeActions } from './features/code-actions.js';
import { completion } from './features/completion.js';
import { documentSymbols, flatSymbols } from './features/document-symbols.js';
import { foldingRanges } from './features/folding.js';
import { hover } from './features/hover.js';
import { definition, references } from './features/navigation.js';
import { prepareRename, rename } from './features/rename.js';
import { SEMANTIC_TOKENS_LEGEND, semanticTokens } from './features/semantic-tokens.js';
import { createGuard, type FaultInjector } from './guard.js';
import { SERVER_COMMANDS, SERVER_NAME, type LockstepInitializationOptions } from './protocol.js';
import { storeChannels, type ChannelSource } from './store-channels.js';
import { documentKey, uriToPath } from './uris.js';
import { ValidationCache } from './validation/validation-cache.js';
import { ValidationManager } from './validation/validation-manager.js';
import { WorkspaceModel } from './workspace/workspace-model.js';

/** The files watched as possible prompt and schema files (others are re-read on the next edit). */
const REFERENCED_FILE_GLOB = '**/*.{md,txt,prompt,tmpl,j2,jinja,json,yaml,yml}';

/** Options of `startServer`; production passes none. */
export interface ServerOptions {
  /** Where channels come from (default: the store's control log, see store-channels.ts). */
  readonly channels?: ChannelSource;
  /** Test-only: see `FaultInjector`. */
  readonly faultInjector?: FaultInjector;
  /** Test-only: observes every real (uncached) file validation, by file key. */
  readonly onValidate?: (key: string) => void;
}

/** Registers every handler on `connection` and starts listening. */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const log = (message: string): void => connection.console.error(message);
  const guard = createGuard(log, options.faultInjector);
  const documents = new TextDocuments(TextDocument);
  const workspaceOptions: { store?: string; log: typeof log } = { log };
  const model = new WorkspaceModel(documents, workspaceOptions);
  const cache = new ValidationCache(options.onValidate);
  const channels = options.channels ?? storeChannels;
  const validation = new ValidationManager({ connection, documents, model, cache, log, channels });
  const contexts = new FeatureContexts(documents, model, cache, channels);
  const client = {
    hierarchicalSymbols: false,
    watchFilesDynamically: false,
    workspaceFolders: false,
    folders: [] as string[],
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const capabilities = params.capabilities;
    const initOptions = (params.initializationOptions ?? {}) as LockstepInitializationOptions;
    if (typeof initOptions.store === 'string') workspaceOptions.store = initOptions.store;
    client.hierarchicalSymbols =
      capabilities.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true;
    client.watchFilesDynamically =
      capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    client.workspaceFolders = capabilities.workspace?.workspaceFolders === true;
    const folders =
      params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    client.folders = folders.flatMap((uri) => uriToPath(uri) ?? []);
    return {
      serverInfo: { name: SERVER_NAME, version: LOCKSTEP_VERSION },
      capabilities: {
        positionEncoding: 'utf-16',
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['.', ' '] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: capabilities.textDocument?.rename?.prepareSupport
          ? { prepareProvider: true }
          : true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
    };
  });

  connection.onInitialized(
    guard('initialized', undefined, async () => {
      // Listen first: a folder change may arrive while the registration below is in flight.
      if (client.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          guard('didChangeWorkspaceFolders', undefined, async (event) => {
            await addFolders(event.added.flatMap((folder) => uriToPath(folder.uri) ?? []));
          }),
        );
      }
      if (client.watchFilesDynamically) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: '**/*.workflow.{yaml,yml}' },
            { globPattern: '**/.lockstep/config.yaml' },
            { globPattern: '**/.lockstep/control.jsonl' },
            // Prompt and schema files workflows reference: a change re-checks those workflows.
            { globPattern: REFERENCED_FILE_GLOB },
          ],
        });
      }
      await addFolders(client.folders);
    }),
  );

  /** Reads workspace folders ahead of any document and validates their files in the background. */
  async function addFolders(folders: readonly string[]): Promise<void> {
    const scopes = await Promise.all(folders.map((folder) => model.addFolder(folder)));
    validation.scopesChanged(scopes);
  }

  documents.onDidChangeContent((change) => validation.documentChanged(change.document.uri));
  documents.onDidClose((event) => {
    contexts.forget(event.document.uri);
    validation.documentClosed(event.document.uri);
  });

  connection.onDidChangeWatchedFiles(
    guard('didChangeWatchedFiles', undefined, async (params) => {
      for (const change of params.changes) {
        if (change.type === FileChangeType.Deleted) cache.forget(documentKey(change.uri));
      }
      const changed = await model.applyFileEvents(params.changes);
      for (const change of params.changes) {
        const file = uriToPath(change.uri);
        if (file === undefined || !cache.references(file)) continue;
        for (const scope of model.allScopes()) if (scope.contains(file)) changed.add(scope);
      }
      validation.scopesChanged(changed);
    }),
  );

  connection.onExecuteCommand(
    guard('executeCommand', null, async (params) => {
      if (params.command === SERVER_COMMANDS.revalidateAll) {
        await model.reloadAll();
        validation.revalidateAll();
      }
      return null;
    }),
  );

  /** A request about a position in a document: the feature gets its context and the offset. */
  const atPosition =
    <R>(feature: (context: FeatureContext, offset: number) => R | Promise<R>, fallback: R) =>
    async (params: {
      textDocument: { uri: string };
      position: { line: number; character: number };
    }) => {
      const context = await contexts.forDocument(params.textDocument.uri);
      if (!context) return fallback;
      return feature(context, context.analysis.document.offsetAt(params.position));
    };
  const inDocument =
    <R>(feature: (context: FeatureContext) => R, fallback: R) =>
    async (params: { textDocument: { uri: string } }) => {
      const context = await contexts.forDocument(params.textDocument.uri);
      return context ? feature(context) : fallback;
    };

  connection.onCompletion(
    guard('completion', [], async (params) => {
      const context = await contexts.forDocument(params.textDocument.uri);
      if (!context) return [];
      return completion(context, {
        offset: context.analysis.document.offsetAt(params.position),
        triggerCharacter: params.context?.triggerCharacter,
      });
    }),
  );
  connection.onHover(guard('hover', null, atPosition(hover, null)));
  connection.onDefinition(guard('definition', [], atPosition(definition, [])));
  connection.onReferences(
    guard('references', [], async (params) => {
      const context = await contexts.forDocument(params.textDocument.uri);
      if (!context) return [];
      const offset = context.analysis.document.offsetAt(params.position);
      return references(context, offset, params.context.includeDeclaration);
    }),
  );
  connection.onPrepareRename(guard('prepareRename', null, atPosition(prepareRename, null)));
  connection.onRenameRequest(
    guard('rename', null, async (params) => {
      const context = await contexts.forDocument(params.textDocument.uri);
      if (!context) return null;
      return rename(context, context.analysis.document.offsetAt(params.position), params.newName);
    }),
  );
  connection.onDocumentSymbol(
    guard(
      'documentSymbol',
      [],
      inDocument((context) => {
        const symbols = documentSymbols(context.analysis);
        return client.hierarchicalSymbols ? symbols : flatSymbols(context.uri, symbols);
      }, []),
    ),
  );
  connection.onFoldingRanges(
    guard(
      'foldingRange',
      [],
      inDocument((c) => foldingRanges(c.analysis), []),
    ),
  );
  connection.languages.semanticTokens.on(
    guard(
      'semanticTokens',
      { data: [] },
      inDocument((c) => semanticTokens(c.analysis), { data: [] }),
    ),
  );
  connection.onCodeAction(
    guard('codeAction', [], async (params) => {
      const context = await contexts.forDocument(params.textDocument.uri);
      return context ? codeActions(context, params.context.diagnostics) : [];
    }),
  );

  documents.listen(connection);
  connection.listen();
}
