/**
 * What a feature handler receives: the analysis of the document it was asked about, and a view
 * of the rest of its workspace (other files' validations, the store's channels).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ValidatedWorkflow } from '../../../core/src/validate/validate-workflow.js';
import { NO_CHANNELS, type ChannelSource, type StoreChannels } from '../store-channels.js';
import { documentKey } from '../uris.js';
import type { ValidationCache } from '../validation/validation-cache.js';
import type { WorkspaceModel } from '../workspace/workspace-model.js';
import type { WorkspaceScope } from '../workspace/workspace-scope.js';
import { DocumentAnalysis } from './document-analysis.js';

/** A workflow file of the workspace with its validation. */
export interface WorkspaceFile {
  readonly key: string;
  readonly uri: string;
  readonly text: string;
  readonly validated: ValidatedWorkflow;
}

export interface FeatureContext {
  readonly uri: string;
  readonly analysis: DocumentAnalysis;
  readonly scope: WorkspaceScope;
  /** Every workflow file of the workspace (this one included), validated (cached). */
  files(): WorkspaceFile[];
  /** The channels of the workspace's store (none without a store). */
  channels(): Promise<StoreChannels>;
  /**
   * The workspace's `.lockstep/config.yaml` as the editor has it (the open document's text, else
   * the file's); undefined for a file that does not exist, or a workspace without a store.
   */
  configText(): string | undefined;
}

/** Builds feature contexts, keeping the latest analysis of each open document. */
export class FeatureContexts {
  private readonly latest = new Map<string, DocumentAnalysis>();

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly model: WorkspaceModel,
    private readonly cache: ValidationCache,
    private readonly channels: ChannelSource,
  ) {}

  /** The context for a request about `uri`; undefined when the document is not open. */
  async forDocument(uri: string): Promise<FeatureContext | undefined> {
    if (!this.documents.get(uri)) return undefined;
    const scope = await this.model.scopeFor(uri);
    const document = this.documents.get(uri);
    if (!document || !this.model.isWorkflowDocument(uri)) return undefined;
    const validated = this.cache.validate(
      documentKey(uri),
      document.getText(),
      scope.settings,
      scope.root,
    );
    let analysis = this.latest.get(uri);
    if (analysis?.validated !== validated || analysis.document.version !== document.version) {
      analysis = new DocumentAnalysis(document, validated);
      this.latest.set(uri, analysis);
    }
    const { model, cache, channels } = this;
    return {
      uri,
      analysis,
      scope,
      files: () =>
        model.files(scope).map((file) => ({
          ...file,
          validated: cache.validate(file.key, file.text, scope.settings, scope.root),
        })),
      channels: () =>
        scope.storeDir === undefined || scope.storeInDatabase
          ? Promise.resolve(NO_CHANNELS)
          : channels(scope.storeDir),
      configText: () => {
        const file = scope.configFile;
        if (file === undefined) return undefined;
        const open = this.documents.get(pathToFileURL(file).href);
        if (open) return open.getText();
        try {
          return readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      },
    };
  }

  /** Forgets a closed document's analysis. */
  forget(uri: string): void {
    this.latest.delete(uri);
  }
}
