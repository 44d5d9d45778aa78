/**
 * When documents are validated and when diagnostics are published.
 *
 * - A change is validated at once when the server is idle: no debounce.
 * - Changes that arrive while a validation pass is running (or already queued behind the change
 *   that started it) are coalesced: the next pass validates each document's latest text once.
 * - Stale results are dropped: diagnostics are published only for the version a document has
 *   when they are sent, so an older version's diagnostics never follow a newer one's.
 * - Each pass re-validates only the changed files (others come from the cache), then reruns the
 *   cheap workspace checks (names, calls, cycles) from cached summaries and republishes every
 *   open document of the workspace whose diagnostics changed.
 * - Closing a document clears its diagnostics.
 */
import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseConfigText } from '../../../core/src/validate/config.js';
import { compareDiagnostics } from '../../../core/src/model/diagnostics.js';
import {
  channelDiagnostics,
  workspaceDiagnostics,
} from '../../../core/src/validate/workspace-checks.js';
import type { ChannelSource } from '../store-channels.js';
import { errorText } from '../error-text.js';
import { ValidatedNotification, type ValidatedParams } from '../protocol.js';
import { documentKey, uriToPath } from '../uris.js';
import type { WorkspaceModel } from '../workspace/workspace-model.js';
import type { WorkspaceScope } from '../workspace/workspace-scope.js';
import { toLspDiagnostics } from './lsp-diagnostics.js';
import type { ValidationCache } from './validation-cache.js';

/** Event-loop turns a pass waits at most for a burst of queued changes to be read. */
const MAX_SETTLE_TURNS = 100;
/** Uncached files validated in a row before yielding to incoming messages (first load). */
const FILES_PER_TURN = 8;

export interface ValidationManagerOptions {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  readonly model: WorkspaceModel;
  readonly cache: ValidationCache;
  readonly log: (message: string) => void;
  /** The store's channels, for calls pinned to a channel. */
  readonly channels: ChannelSource;
}

/** Schedules validations and publishes their diagnostics (see the module comment). */
export class ValidationManager {
  private readonly dirty = new Set<string>();
  private readonly dirtyScopes = new Set<WorkspaceScope>();
  /** What was last published per open document, to republish only what changed. */
  private readonly published = new Map<string, string>();
  private running = false;
  /** Counts changes, so a pass can tell when a burst of queued changes has been read. */
  private changes = 0;

  constructor(private readonly options: ValidationManagerOptions) {}

  /** A document was opened or changed. */
  documentChanged(uri: string): void {
    this.dirty.add(uri);
    this.changes++;
    this.start();
  }

  /** A document was closed: its diagnostics are cleared, and its workspace re-checked. */
  documentClosed(uri: string): void {
    this.dirty.delete(uri);
    this.published.delete(uri);
    // A file's key keeps naming its disk copy; a closed untitled document is gone for good.
    if (uriToPath(uri) === undefined) this.options.cache.forget(documentKey(uri));
    void this.options.connection.sendDiagnostics({ uri, diagnostics: [] });
    const scope = this.options.model.closed(uri);
    if (scope) this.scopesChanged([scope]);
  }

  /** Files or settings of these workspaces changed on disk. */
  scopesChanged(scopes: Iterable<WorkspaceScope>): void {
    for (const scope of scopes) this.dirtyScopes.add(scope);
    this.start();
  }

  /** Re-validates every open document (after a reload of the workspaces). */
  revalidateAll(): void {
    for (const document of this.options.documents.all()) this.dirty.add(document.uri);
    this.scopesChanged(this.options.model.allScopes());
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.dirty.size > 0 || this.dirtyScopes.size > 0) {
        await this.settle();
        await this.pass();
      }
    } catch (error) {
      this.options.log(`validation failed: ${errorText(error)}`);
    } finally {
      this.running = false;
    }
  }

  /**
   * Lets changes already queued on the connection be read before validating, so a burst of
   * them costs one validation. The connection handles one queued message per event-loop turn,
   * scheduled behind this check, so the queue is known to be drained only after two turns
   * without a change: when idle, that is all the wait (well under a millisecond).
   */
  private async settle(): Promise<void> {
    for (let turn = 0; turn < MAX_SETTLE_TURNS; turn++) {
      const seen = this.changes;
      await nextTurn();
      await nextTurn();
      if (this.changes === seen) return;
    }
  }

  private async pass(): Promise<void> {
    const { documents, model, cache } = this.options;
    const uris = [...this.dirty];
    this.dirty.clear();
    const scopes = new Set(this.dirtyScopes);
    this.dirtyScopes.clear();
    const fresh = new Set<string>();
    for (const uri of uris) {
      try {
        const scope = await model.scopeFor(uri);
        // Whatever the document holds now: a version that went stale while waiting is skipped.
        const document = documents.get(uri);
        if (!document) continue;
        scopes.add(scope);
        if (model.isConfigDocument(uri)) {
          await model.refreshConfig(uri);
          this.publishConfig(document);
          continue;
        }
        if (!model.isWorkflowDocument(uri)) continue;
        cache.validate(documentKey(uri), document.getText(), scope.settings, scope.root);
        fresh.add(uri);
      } catch (error) {
        this.options.log(`validating ${uri} failed: ${errorText(error)}`);
      }
    }
    for (const scope of scopes) {
      try {
        await this.checkScope(scope, fresh);
      } catch (error) {
        this.options.log(`checking the workspace at ${scope.root} failed: ${errorText(error)}`);
      }
    }
  }

  /** Runs the workspace checks of one scope and publishes what changed. */
  private async checkScope(scope: WorkspaceScope, fresh: ReadonlySet<string>): Promise<void> {
    const { documents, model, cache } = this.options;
    const files = model.files(scope);
    const results = [];
    let uncached = 0;
    for (const file of files) {
      if (
        !cache.has(file.key, file.text, scope.settings, scope.root) &&
        ++uncached % FILES_PER_TURN === 0
      ) {
        await nextTurn(); // the first pass over a large workspace must not block typing
      }
      results.push({
        file,
        validated: cache.validate(file.key, file.text, scope.settings, scope.root),
      });
    }
    const entries = results.map((r) => ({ file: r.file.key, summary: r.validated.summary }));
    const extra = workspaceDiagnostics(entries, (key) => scope.describe(key));
    if (entries.some((e) => e.summary.calls.some((call) => call.channel))) {
      // A store in PostgreSQL is not read here: no warning rather than a wrong one.
      const channels = scope.storeInDatabase
        ? undefined
        : scope.storeDir === undefined
          ? []
          : await this.options.channels(scope.storeDir).then(
              (read) => read.names,
              (error: unknown) => {
                this.options.log(`reading the store's channels failed: ${String(error)}`);
                return undefined;
              },
            );
      // Unreadable: no warning rather than a wrong one.
      if (channels) {
        for (const [file, found] of channelDiagnostics(entries, channels)) {
          extra.set(file, [...(extra.get(file) ?? []), ...found]);
        }
      }
    }
    const uriOf = new Map(files.map((f) => [f.key, f.uri]));
    for (const { file, validated } of results) {
      if (!file.open) continue;
      const document = documents.get(file.uri);
      // Changed since this pass read it: the next pass publishes the newer version.
      if (!document || document.getText() !== file.text) continue;
      const diagnostics = [...validated.diagnostics, ...(extra.get(file.key) ?? [])].sort(
        compareDiagnostics,
      );
      const lsp = toLspDiagnostics(diagnostics, file.uri, (key) => uriOf.get(key) ?? key);
      const json = JSON.stringify(lsp);
      if (!fresh.has(file.uri) && this.published.get(file.uri) === json) continue;
      this.published.set(file.uri, json);
      void this.options.connection.sendDiagnostics({
        uri: file.uri,
        version: document.version,
        diagnostics: lsp,
      });
      const params: ValidatedParams = {
        uri: file.uri,
        version: document.version,
        ...(validated.summary.name === undefined ? {} : { name: validated.summary.name }),
        errors: diagnostics.filter((d) => d.severity === 'error').length,
        warnings: diagnostics.filter((d) => d.severity === 'warning').length,
      };
      void this.options.connection.sendNotification(ValidatedNotification, params);
    }
  }

  private publishConfig(document: TextDocument): void {
    const { diagnostics } = parseConfigText(document.getText());
    void this.options.connection.sendDiagnostics({
      uri: document.uri,
      version: document.version,
      diagnostics: toLspDiagnostics(diagnostics, document.uri, (key) => key),
    });
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
