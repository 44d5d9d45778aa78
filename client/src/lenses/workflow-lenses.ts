/**
 * The lenses of workflow files (setting `lockstep.codeLens`: all | workflow | off). Above `name:`:
 * `▶ Run`, `▶ Run with Last Input`, the version state and the run count; above each step, its
 * last result (stale once the step was edited since). Where things are comes from the language
 * server's document symbols; what they say comes from the workspace service, once per document
 * version and store change, only when VS Code resolves a lens (lenses out of view cost nothing).
 * While the service cannot read the store (a team store that refused the login), one lens says so
 * in place of the others, until a read succeeds.
 */
import * as vscode from 'vscode';
import { StepResultsRequest, type StepResultsResult } from '../../../core/src/service/protocol.js';
import { COMMANDS, SETTINGS, WORKFLOW_LANGUAGE_ID } from '../command-ids.js';
import type { Context } from '../ctx.js';
import type { Runner } from '../runner/runner.js';
import {
  runCountLabel,
  stepResultLabel,
  stepResultTooltip,
  versionStateLabel,
} from './lens-labels.js';
import { onlyBaselines } from '../service/services.js';

type LensSetting = 'all' | 'workflow' | 'off';

/** What a lens is, until it is resolved. */
type LensKind =
  | { readonly kind: 'run' }
  | { readonly kind: 'runLast' }
  | { readonly kind: 'version' }
  | { readonly kind: 'runs' }
  | { readonly kind: 'step'; readonly step: string }
  /** In place of the others while the service cannot read the store (says why on hover). */
  | { readonly kind: 'unavailable' };

class WorkflowLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly document: vscode.TextDocument,
    readonly what: LensKind,
  ) {
    super(range);
  }
}

class WorkflowLensProvider implements vscode.CodeLensProvider<WorkflowLens> {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  /** One request per document version; dropped when the store changes. */
  private readonly results = new Map<string, Promise<StepResultsResult | undefined>>();
  /** Why the results of a document (by URI) could not be read, while they cannot. */
  private readonly unavailable = new Map<string, string>();

  constructor(private readonly ctx: Context) {}

  /** Everything is read again (the store changed, a run finished, a setting changed). */
  refresh(): void {
    this.results.clear();
    this.changeEmitter.fire();
  }

  async provideCodeLenses(
    document: vscode.TextDocument,
    token: vscode.CancellationToken,
  ): Promise<WorkflowLens[]> {
    const setting = vscode.workspace.getConfiguration().get<LensSetting>(SETTINGS.codeLens, 'all');
    if (setting === 'off' || document.uri.scheme !== 'file') return [];
    if (!this.ctx.services.forUri(document.uri)) return [];
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>(
      'vscode.executeDocumentSymbolProvider',
      document.uri,
    );
    if (token.isCancellationRequested || !symbols) return [];
    const name = symbols.find((s) => s.kind === vscode.SymbolKind.File && s.detail === 'workflow');
    const lenses: WorkflowLens[] = [];
    if (name && this.unavailable.has(document.uri.toString())) {
      // One lens saying why, rather than a row of empty ones.
      const at = new vscode.Range(name.range.start, name.range.start);
      for (const what of [{ kind: 'run' }, { kind: 'unavailable' }] as const) {
        lenses.push(new WorkflowLens(at, document, what));
      }
      return lenses;
    }
    if (name) {
      const at = new vscode.Range(name.range.start, name.range.start);
      const kinds: LensKind[] = vscode.workspace.isTrusted
        ? [{ kind: 'run' }, { kind: 'runLast' }, { kind: 'version' }, { kind: 'runs' }]
        : [{ kind: 'run' }, { kind: 'version' }, { kind: 'runs' }];
      for (const what of kinds) lenses.push(new WorkflowLens(at, document, what));
    }
    if (setting === 'all') {
      const steps = symbols.find((s) => s.kind === vscode.SymbolKind.Array && s.name === 'steps');
      for (const step of steps?.children ?? []) {
        // A step without a usable id (`steps[2]`) has no results to show.
        if (step.name.startsWith('steps[')) continue;
        const at = new vscode.Range(step.range.start, step.range.start);
        lenses.push(new WorkflowLens(at, document, { kind: 'step', step: step.name }));
      }
    }
    return lenses;
  }

  async resolveCodeLens(lens: WorkflowLens): Promise<WorkflowLens> {
    const uri = lens.document.uri;
    const what = lens.what;
    if (what.kind === 'run') {
      lens.command = vscode.workspace.isTrusted
        ? { title: '▶ Run', command: COMMANDS.runWorkflow, arguments: [uri] }
        : {
            title: '$(shield) Runs need a trusted workspace',
            tooltip:
              'Restricted Mode: a workflow file may come from someone else. Click to manage workspace trust.',
            command: 'workbench.trust.manage',
          };
      return lens;
    }
    const results = await this.resultsFor(lens.document);
    lens.command =
      what.kind === 'unavailable'
        ? {
            title: '$(warning) history unavailable',
            tooltip: this.unavailable.get(uri.toString()) ?? 'History could not be read',
            command: COMMANDS.showHistory,
            arguments: [uri],
          }
        : resolved(what, lens.document, results);
    return lens;
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }

  private resultsFor(document: vscode.TextDocument): Promise<StepResultsResult | undefined> {
    const key = `${document.uri.toString()}#${document.version}`;
    let pending = this.results.get(key);
    if (!pending) {
      const served = this.ctx.services.forUri(document.uri);
      pending = served
        ? served.client
            .request(StepResultsRequest, {
              file: document.uri.fsPath,
              ...(document.isDirty ? { text: document.getText() } : {}),
            })
            .then((results) => {
              if (this.unavailable.delete(document.uri.toString())) this.changeEmitter.fire();
              return results;
            })
            .catch((error: unknown) => {
              this.ctx.output.warn(`lenses of ${document.uri.fsPath}: ${String(error)}`);
              const first = !this.unavailable.has(document.uri.toString());
              this.unavailable.set(
                document.uri.toString(),
                `History could not be read: ${error instanceof Error ? error.message : String(error)}`,
              );
              if (first) this.changeEmitter.fire();
              return undefined;
            })
        : Promise.resolve(undefined);
      // Only the newest version of each document is kept.
      for (const old of this.results.keys()) {
        if (old.startsWith(`${document.uri.toString()}#`)) this.results.delete(old);
      }
      this.results.set(key, pending);
    }
    return pending;
  }
}

/** A resolved lens's command (a lens without one shows as plain text). */
function resolved(
  what: LensKind,
  document: vscode.TextDocument,
  results: StepResultsResult | undefined,
): vscode.Command {
  const uri = document.uri;
  if (!results) return { title: '', command: '' };
  switch (what.kind) {
    case 'run':
      return { title: '▶ Run', command: COMMANDS.runWorkflow, arguments: [uri] };
    case 'runLast':
      return results.lastInput === undefined
        ? { title: 'no input to reuse yet', command: '' }
        : {
            title: '▶ Run with Last Input',
            tooltip: `Run with ${JSON.stringify(results.lastInput).slice(0, 200)}`,
            command: COMMANDS.runWithLastInput,
            arguments: [uri],
          };
    case 'version':
      return {
        title: versionStateLabel(results.version, document.isDirty),
        tooltip: 'Publish, compare or open versions',
        command: COMMANDS.statusMenu,
      };
    case 'runs':
      return {
        title: runCountLabel(results.runs),
        tooltip: 'Show the runs in History',
        command: COMMANDS.showHistory,
        arguments: [uri],
      };
    case 'unavailable': // resolved by the provider, which knows why
      return { title: '', command: '' };
    case 'step': {
      const result = results.steps[what.step];
      if (!result) return { title: 'not run yet', command: '' };
      const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.toString();
      return {
        title: stepResultLabel(result),
        tooltip: stepResultTooltip(what.step, result),
        command: COMMANDS.openRunDetails,
        arguments: [folder, result.run, what.step],
      };
    }
  }
}

/**
 * Registers the lenses; they follow the store, the runner's runs, the language server's start,
 * the setting and trust.
 */
export function registerWorkflowLenses(ctx: Context, runner: Runner): void {
  const provider = new WorkflowLensProvider(ctx);
  ctx.subscribe(
    provider,
    vscode.languages.registerCodeLensProvider({ language: WORKFLOW_LANGUAGE_ID }, provider),
    ctx.services.onDidChangeStore((change) => {
      if (!onlyBaselines(change.changes)) provider.refresh();
    }),
    runner.onDidFinishRun(() => provider.refresh()),
    // Lenses asked for before the language server ran found no symbols, hence no lenses.
    ctx.languageServer.onDidStart(() => provider.refresh()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => provider.refresh()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SETTINGS.codeLens)) provider.refresh();
    }),
  );
}
