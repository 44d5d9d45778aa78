/**
 * Run details in editor tabs: one webview panel per run, reused (showing a run whose tab is open
 * reveals that tab where it is, microsoft/vscode-restclient#1316), rendering the pure view model
 * (view-model.ts) in a locked-down page (media/run-details.js) and answering its messages
 * (messages.ts). A running run's tab follows the store until the run ends.
 */
import * as vscode from 'vscode';
import {
  RunDetailsRequest,
  WorkflowsRequest,
  type RunDetails,
} from '../../../../core/src/service/protocol.js';
import { COMMANDS, WORKFLOW_LANGUAGE_ID } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { registerRunValues, showRunValue } from '../../documents/run-values.js';
import { showVersion, versionUri } from '../../documents/version-documents.js';
import type { VersionRef } from '../../documents/version-uri.js';
import { reportFailure } from '../../error-report.js';
import type { RunSubject } from '../../run-subject.js';
import type { ServiceClient } from '../../service/service-client.js';
import { pageHtml } from '../page-html.js';
import { isFromWebview, type FromWebview, type ToWebview } from './messages.js';
import { runDetailsViewModel } from './view-model.js';

/** The panels' view type (what VS Code keys their state and serializers by). */
export const RUN_DETAILS_VIEW_TYPE = 'lockstep.runDetails';

/** The run details tabs of the window, one per run. */
export class RunDetailsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, RunPanel>();
  /** Panels being opened: a second show() of the same run waits for the first. */
  private readonly opening = new Map<string, Promise<void>>();

  constructor(private readonly ctx: Context) {}

  /**
   * Shows a run's details: reveals its tab if one is open, else opens one (not a preview) in the
   * active column; with `step` (a step's path), that step's row opened and in view.
   * @param folder the URI (as a string) of the workspace folder whose store holds the run.
   * @throws when no service serves `folder`, or the service cannot read the run.
   */
  async show(folder: string, runId: string, step?: string): Promise<void> {
    const key = `${folder}\n${runId}`;
    const open = this.panels.get(key);
    if (open) return open.reveal(step);
    const pending = this.opening.get(key);
    if (pending) return pending.then(() => this.panels.get(key)?.reveal(step));
    const opening = (async () => {
      const details = await serviceOf(this.ctx, folder).request(RunDetailsRequest, { id: runId });
      const panel = new RunPanel(this.ctx, folder, details, () => this.panels.delete(key));
      this.panels.set(key, panel);
      if (step !== undefined) panel.revealStep(step);
    })().finally(() => this.opening.delete(key));
    this.opening.set(key, opening);
    return opening;
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}

/**
 * Creates the run details tabs, the `lockstep-run:` documents their large values open as, and the
 * command that shows a run: `lockstep.run.openDetails(folder, runId)`.
 */
export function registerRunDetails(ctx: Context): RunDetailsPanels {
  const panels = new RunDetailsPanels(ctx);
  ctx.subscribe(
    panels,
    registerRunValues(ctx),
    vscode.commands.registerCommand(
      COMMANDS.openRunDetails,
      async (folder: unknown, runId: unknown, step: unknown) => {
        try {
          if (typeof folder !== 'string' || typeof runId !== 'string') {
            throw new Error(
              'a run is opened from the History view (it needs a folder and a run id)',
            );
          }
          await panels.show(folder, runId, typeof step === 'string' ? step : undefined);
        } catch (error) {
          await reportFailure(ctx.output, 'Opening the run details', error);
        }
      },
    ),
  );
  return panels;
}

/** What each message's failure is reported as. */
const ACTIONS: Record<FromWebview['type'], string> = {
  ready: 'Showing the run details',
  openVersion: 'Opening the run’s version',
  openDefinition: 'Opening the definition at the run’s version',
  copyRunId: 'Copying the run id',
  replay: 'Replaying the run',
  addBaseline: 'Adding the baseline',
  openValue: 'Opening the recorded value',
};

/** One run's tab: its webview, the run's details as last read, and what it listens to. */
class RunPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private refreshing: Promise<void> | undefined;
  /** A step to reveal once the page has rendered (it asks with 'ready'). */
  private pendingStep: string | undefined;
  private pageReady = false;
  private refreshAgain = false;
  /** Set while reading the run keeps failing: the user hears of it once, not at every change. */
  private failing = false;

  constructor(
    private readonly ctx: Context,
    private readonly folder: string,
    private details: RunDetails,
    onDidDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media');
    // No retainContextWhenHidden: a hidden tab costs nothing; the page keeps its expanded rows
    // and scroll position with setState and asks for the view again when shown ('ready').
    this.panel = vscode.window.createWebviewPanel(
      RUN_DETAILS_VIEW_TYPE,
      runDetailsViewModel(details, new Date()).title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { enableScripts: true, localResourceRoots: [media] },
    );
    this.panel.iconPath = vscode.Uri.joinPath(media, 'lockstep.svg');
    this.panel.webview.html = pageHtml(this.panel.webview, media, {
      name: 'run-details',
      title: 'Run details',
      placeholder: '<p class="muted">Loading the run…</p>',
    });
    this.subscriptions.push(
      this.panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      // A hidden tab's page is dropped: the next one says 'ready' before it can reveal a step.
      this.panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) this.pageReady = false;
      }),
      ctx.services.onDidChangeStore((change) => {
        if (
          this.details.run.status === 'running' &&
          change.changes.includes('runs') &&
          change.folder.uri.toString() === folder &&
          // A hidden page cannot take the view; it asks for it when shown again.
          this.panel.visible
        ) {
          void this.refresh();
        }
      }),
    );
    this.panel.onDidDispose(() => {
      for (const subscription of this.subscriptions) subscription.dispose();
      onDidDispose();
    });
  }

  reveal(step?: string): void {
    this.panel.reveal();
    if (step !== undefined) this.revealStep(step);
  }

  /** Opens a step's row in the page, now or once the page is ready. */
  revealStep(step: string): void {
    if (!this.pageReady) {
      this.pendingStep = step;
      return;
    }
    const message: ToWebview = { type: 'reveal', path: step };
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel.dispose();
  }

  private async receive(message: unknown): Promise<void> {
    if (!isFromWebview(message)) {
      this.ctx.output.warn(`run details: ignored a malformed message ${JSON.stringify(message)}`);
      return;
    }
    const run = this.details.run;
    try {
      switch (message.type) {
        case 'ready':
          // A finished run's record is final: what was read is what there is.
          this.render();
          this.pageReady = true;
          if (this.pendingStep !== undefined) {
            this.revealStep(this.pendingStep);
            this.pendingStep = undefined;
          }
          if (run.status === 'running') await this.refresh();
          return;
        case 'openVersion':
          return await showVersion(this.versionRef());
        case 'openDefinition':
          return await this.openDefinition(message.step);
        case 'copyRunId':
          await vscode.env.clipboard.writeText(run.id);
          vscode.window.setStatusBarMessage('Copied run id', 3_000);
          return;
        case 'replay':
          await vscode.commands.executeCommand(COMMANDS.replayChoose, await this.subject());
          return;
        case 'addBaseline':
          await vscode.commands.executeCommand(COMMANDS.addBaseline, await this.subject());
          return;
        case 'openValue':
          return await showRunValue({
            folder: this.folder,
            run: run.id,
            path: message.path,
            part: message.part,
            ...(message.index === undefined ? {} : { index: message.index }),
          });
      }
    } catch (error) {
      await reportFailure(this.ctx.output, ACTIONS[message.type], error);
    }
  }

  /** Reads the run again and renders it; calls during a read make one more read after it. */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          const client = serviceOf(this.ctx, this.folder);
          this.details = await client.request(RunDetailsRequest, { id: this.details.run.id });
          this.failing = false;
          this.render();
        } catch (error) {
          if (this.failing) this.ctx.output.warn(`reading run ${this.details.run.id} failed again`);
          else {
            this.failing = true;
            void reportFailure(this.ctx.output, 'Reading the run', error);
          }
        }
      } while (this.refreshAgain);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private render(): void {
    const view = runDetailsViewModel(this.details, new Date());
    this.panel.title = view.title;
    const message: ToWebview = { type: 'render', view };
    void this.panel.webview.postMessage(message);
  }

  /** The run as the replay and baseline commands take it, with its workflow's file if any. */
  private async subject(): Promise<RunSubject> {
    const { id, workflow, version } = this.details.run;
    const client = serviceOf(this.ctx, this.folder);
    const { workflows } = await client.request(WorkflowsRequest);
    const file = workflows.find((w) => w.name === workflow)?.file;
    return { folder: this.folder, run: { id, workflow, version }, ...(file ? { file } : {}) };
  }

  private versionRef(): VersionRef {
    const { workflow, version } = this.details.run;
    return { folder: this.folder, workflow, version: version.seq ?? version.id };
  }

  /** The definition at the run's version, beside the details, on the step's lines if known. */
  private async openDefinition(step: string | undefined): Promise<void> {
    const document = await vscode.languages.setTextDocumentLanguage(
      await vscode.workspace.openTextDocument(versionUri(this.versionRef())),
      WORKFLOW_LANGUAGE_ID,
    );
    const lines = step === undefined ? undefined : this.details.stepLines[step];
    const selection = lines && linesRange(document, lines.line, lines.endLine);
    const editor = await vscode.window.showTextDocument(document, {
      preview: false,
      viewColumn: vscode.ViewColumn.Beside,
    });
    if (selection) {
      // The step's lines selected, the cursor on its first line (where `- id:` is).
      editor.selection = new vscode.Selection(selection.end, selection.start);
      editor.revealRange(selection, vscode.TextEditorRevealType.InCenter);
    }
  }
}

/**
 * The workspace service of a folder.
 * @throws when the folder is not open (or not on disk).
 */
function serviceOf(ctx: Context, folder: string): ServiceClient {
  const client = ctx.services.forFolder(folder);
  if (!client) throw new Error(`no workspace folder ${folder} is open`);
  return client;
}

/** 1-based lines `line`…`endLine`, whole, as a range (clamped to the document). */
function linesRange(document: vscode.TextDocument, line: number, endLine: number): vscode.Range {
  const last = Math.max(0, Math.min(endLine, document.lineCount) - 1);
  const first = Math.min(Math.max(0, line - 1), last);
  return new vscode.Range(first, 0, last, document.lineAt(last).text.length);
}
