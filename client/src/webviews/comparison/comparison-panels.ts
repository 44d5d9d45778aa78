/**
 * Comparison tabs: two runs step by step (a recorded run and its replay, or any two runs), one
 * webview panel per pair, reused. Renders the pure view model (view-model.ts) in a locked-down
 * page (media/comparison.js) and answers its messages (messages.ts): long values and the two
 * definitions open in VS Code's diff editor as read-only documents.
 */
import * as vscode from 'vscode';
import {
  CompareRequest,
  RunDetailsRequest,
  type RunComparison,
  type RunDetails,
} from '../../../../core/src/service/protocol.js';
import { COMMANDS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { runValueUri } from '../../documents/run-values.js';
import { versionUri } from '../../documents/version-documents.js';
import { reportFailure } from '../../error-report.js';
import { pageHtml } from '../page-html.js';
import { isFromComparison, type FromComparison, type ToComparison } from './messages.js';
import { comparisonViewModel } from './view-model.js';

/** The panels' view type. */
export const COMPARISON_VIEW_TYPE = 'lockstep.comparison';

/** What the two sides are called above their columns. */
export interface SideRoles {
  readonly left: string;
  readonly right: string;
  /** The right side is an exact replay of the left: identical means verified. */
  readonly exact?: boolean;
}

/** What each message's failure is reported as. */
const ACTIONS: Record<FromComparison['type'], string> = {
  ready: 'Showing the comparison',
  openDiff: 'Opening the diff of the step’s values',
  openOutputDiff: 'Opening the diff of the outputs',
  openDefinitionDiff: 'Opening the diff of the definitions',
  openRun: 'Opening the run details',
};

/** The comparison tabs of the window, one per pair of runs. */
export class ComparisonPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ComparisonPanel>();

  constructor(private readonly ctx: Context) {}

  /**
   * Shows run `right` compared with run `left` (both in `folder`'s store): reveals the pair's tab
   * if it is open, else opens one.
   * @throws when no service serves `folder`, or a run cannot be read.
   */
  async show(folder: string, left: string, right: string, roles: SideRoles): Promise<void> {
    const key = `${folder}\n${left}\n${right}`;
    const open = this.panels.get(key);
    if (open) return open.reveal();
    const client = this.ctx.services.forFolder(folder);
    if (!client) throw new Error(`no workspace folder ${folder} is open`);
    const [comparison, leftDetails, rightDetails] = await Promise.all([
      client.request(CompareRequest, { a: left, b: right }),
      client.request(RunDetailsRequest, { id: left }),
      client.request(RunDetailsRequest, { id: right }),
    ]);
    this.panels.set(
      key,
      new ComparisonPanel(
        this.ctx,
        folder,
        { comparison, left: leftDetails, right: rightDetails, roles },
        () => this.panels.delete(key),
      ),
    );
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}

interface Compared {
  readonly comparison: RunComparison;
  readonly left: RunDetails;
  readonly right: RunDetails;
  readonly roles: SideRoles;
}

/** One pair's tab. */
class ComparisonPanel {
  private readonly panel: vscode.WebviewPanel;

  constructor(
    private readonly ctx: Context,
    private readonly folder: string,
    private readonly compared: Compared,
    onDidDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media');
    // No retainContextWhenHidden: the page keeps its toggles and scroll with setState and asks
    // for the view again when shown ('ready').
    this.panel = vscode.window.createWebviewPanel(
      COMPARISON_VIEW_TYPE,
      this.view().title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { enableScripts: true, localResourceRoots: [media] },
    );
    this.panel.iconPath = vscode.Uri.joinPath(media, 'lockstep.svg');
    this.panel.webview.html = pageHtml(this.panel.webview, media, {
      name: 'comparison',
      title: 'Comparison',
      placeholder: '<p class="muted">Comparing the runs…</p>',
    });
    const received = this.panel.webview.onDidReceiveMessage(
      (message: unknown) => void this.receive(message),
    );
    this.panel.onDidDispose(() => {
      received.dispose();
      onDidDispose();
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    this.panel.dispose();
  }

  private view() {
    const { comparison, left, right, roles } = this.compared;
    return comparisonViewModel(comparison, left, right, roles);
  }

  private async receive(message: unknown): Promise<void> {
    if (!isFromComparison(message)) {
      this.ctx.output.warn(`comparison: ignored a malformed message ${JSON.stringify(message)}`);
      return;
    }
    const { left, right } = this.compared;
    try {
      switch (message.type) {
        case 'ready': {
          const render: ToComparison = { type: 'render', view: this.view() };
          await this.panel.webview.postMessage(render);
          return;
        }
        case 'openDiff':
          return await this.openValuesDiff(message.path, message.part);
        case 'openOutputDiff':
          return await this.openValuesDiff('', 'output');
        case 'openDefinitionDiff': {
          const workflow = left.run.workflow;
          const uri = (details: RunDetails) =>
            versionUri({
              folder: this.folder,
              workflow,
              version: details.run.version.seq ?? details.run.version.id,
            });
          await vscode.commands.executeCommand(
            'vscode.diff',
            uri(left),
            uri(right),
            `${workflow}: ${this.view().left.version} ↔ ${this.view().right.version}`,
            { preview: false },
          );
          return;
        }
        case 'openRun': {
          const run = message.side === 'left' ? left.run.id : right.run.id;
          await vscode.commands.executeCommand(
            COMMANDS.openRunDetails,
            this.folder,
            run,
            message.path,
          );
          return;
        }
      }
    } catch (error) {
      await reportFailure(this.ctx.output, ACTIONS[message.type], error);
    }
  }

  /** A step's (or, with path '', the run's) two values side by side, read-only. */
  private async openValuesDiff(path: string, part: 'input' | 'output'): Promise<void> {
    const { left, right } = this.compared;
    const uri = (details: RunDetails) =>
      runValueUri({ folder: this.folder, run: details.run.id, path, part });
    const what = path === '' ? `the run’s ${part}` : `${path} ${part}`;
    await vscode.commands.executeCommand(
      'vscode.diff',
      uri(left),
      uri(right),
      `${what}: ${this.view().left.role} ↔ ${this.view().right.role}`,
      { preview: false },
    );
  }
}
