/**
 * Regression baselines in VS Code's Testing view: one test per baseline, under its workflow (and
 * its workspace folder, in a multi-root window), run against the working copy or a stored
 * version (see baseline-run.ts). Only workflows with at least one baseline appear. The items
 * follow the stores: adding, accepting or removing a baseline anywhere (this window, the CLI,
 * git) reloads them.
 */
import * as vscode from 'vscode';
import {
  BaselinesRequest,
  WorkflowsRequest,
  type BaselineItem,
} from '../../../core/src/service/protocol.js';
import type { Context } from '../ctx.js';
import type { ServiceClient } from '../service/service-client.js';
import { baselineDescription, baselineLabel } from './baseline-labels.js';
import { runBaselineTests } from './baseline-run.js';
import { subjectOfTestId, testIdOf } from './test-ids.js';

/** The controller's id (package.json's menus name it). */
export const TEST_CONTROLLER_ID = 'lockstep';

/** A failed verdict whose replay succeeded: what "Accept as New Baseline" needs. */
export interface AcceptableVerdict {
  readonly folder: string;
  readonly workflow: string;
  /** The baseline's run, which the replay replaces. */
  readonly baseline: string;
  /** The replay's run. */
  readonly replay: string;
}

/** A workflow item's source, for the run handler. */
interface WorkflowEntry {
  readonly folder: string;
  readonly workflow: string;
  /** The workflow file (absolute path), if the folder has one. */
  readonly file?: string;
}

export class BaselineTests implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly workflows = new Map<string, WorkflowEntry>();
  private readonly acceptable = new Map<string, AcceptableVerdict>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private loading: Promise<void> | undefined;
  private reloadAgain = false;

  constructor(private readonly ctx: Context) {
    this.controller = vscode.tests.createTestController(TEST_CONTROLLER_ID, 'Lockstep');
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.reload();
    };
    this.controller.refreshHandler = () => this.reload();
    this.controller.createRunProfile(
      'Against Working Copy',
      vscode.TestRunProfileKind.Run,
      (request, token) => runBaselineTests(ctx, this, request, token, 'working-copy'),
      true,
    );
    this.controller.createRunProfile(
      'Against a Version…',
      vscode.TestRunProfileKind.Run,
      (request, token) => runBaselineTests(ctx, this, request, token, 'version'),
      false,
    );
    this.subscriptions.push(
      ctx.services.onDidChangeStore(({ changes }) => {
        if (changes.includes('baselines')) void this.reload();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reload()),
      // A saved workflow file makes its verdicts outdated (the working copy changed).
      vscode.workspace.onDidSaveTextDocument((document) => {
        const item = this.itemOfFile(document.uri);
        if (item) this.controller.invalidateTestResults(item);
      }),
    );
  }

  /** The workflow an item (or its ancestor) stands for. */
  workflowOf(item: vscode.TestItem): WorkflowEntry | undefined {
    const subject = subjectOfTestId(item.id);
    if (!subject || subject.kind === 'folder') return undefined;
    return this.workflows.get(testIdOf({ ...subject, kind: 'workflow' }));
  }

  /** Remembers a verdict that can be accepted (see AcceptableVerdict). */
  rememberAcceptable(item: vscode.TestItem, verdict: AcceptableVerdict): void {
    this.acceptable.set(item.id, verdict);
  }

  /** The verdict "Accept as New Baseline" acts on, by its test item's id. */
  acceptableOf(testId: string): AcceptableVerdict | undefined {
    return this.acceptable.get(testId);
  }

  /** Reads every folder's baselines again; a reload asked for meanwhile runs after this one. */
  reload(): Promise<void> {
    if (this.loading) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.reloadAgain = false;
        await this.load();
      } while (this.reloadAgain);
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.controller.dispose();
  }

  private async load(): Promise<void> {
    const services = this.ctx.services.all();
    const multiRoot = services.length > 1;
    const roots: vscode.TestItem[] = [];
    for (const { client, folder } of services) {
      const key = folder.uri.toString();
      let items: vscode.TestItem[];
      try {
        items = await this.workflowItems(client, key);
      } catch (error) {
        // Keep what the view shows: a service restarting must not empty it.
        this.ctx.output.warn(
          `Testing: could not read the baselines of ${folder.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
        items = this.currentWorkflowItems(key);
      }
      if (items.length === 0) continue;
      if (!multiRoot) {
        roots.push(...items);
        continue;
      }
      const folderItem = this.itemFor(
        testIdOf({ kind: 'folder', folder: key }),
        folder.name,
        folder.uri,
      );
      folderItem.children.replace(items);
      roots.push(folderItem);
    }
    this.controller.items.replace(roots);
  }

  /** The folder's workflows that have baselines, each with its baselines as children. */
  private async workflowItems(client: ServiceClient, folder: string): Promise<vscode.TestItem[]> {
    const { workflows } = await client.request(WorkflowsRequest);
    const listed = await Promise.all(
      workflows.map(async (workflow) => ({
        workflow,
        baselines: (await client.request(BaselinesRequest, { workflow: workflow.name })).baselines,
      })),
    );
    for (const id of [...this.workflows.keys()]) {
      if (this.workflows.get(id)?.folder === folder) this.workflows.delete(id);
    }
    const now = new Date();
    return listed
      .filter(({ baselines }) => baselines.length > 0)
      .map(({ workflow, baselines }) => {
        const entry: WorkflowEntry = {
          folder,
          workflow: workflow.name,
          ...(workflow.file === undefined ? {} : { file: workflow.file }),
        };
        const id = testIdOf({ kind: 'workflow', folder, workflow: workflow.name });
        this.workflows.set(id, entry);
        const item = this.itemFor(
          id,
          workflow.name,
          workflow.file === undefined ? undefined : vscode.Uri.file(workflow.file),
        );
        item.description = workflow.file === undefined ? 'no workflow file' : undefined;
        item.children.replace(baselines.map((b) => this.baselineItem(folder, b, now)));
        return item;
      });
  }

  private baselineItem(folder: string, baseline: BaselineItem, now: Date): vscode.TestItem {
    const item = this.itemFor(
      testIdOf({ kind: 'baseline', folder, workflow: baseline.workflow, run: baseline.run }),
      baselineLabel(baseline),
      // A team store's baseline has no file to open.
      baseline.file === undefined ? undefined : vscode.Uri.file(baseline.file),
    );
    item.description = baselineDescription(baseline, now);
    item.sortText = baseline.startedAt;
    return item;
  }

  /**
   * The item shown for `id`, updated; a new one when there is none (or its file moved). Reusing
   * items keeps what the view shows of them (expanded rows, results) across reloads.
   */
  private itemFor(id: string, label: string, uri: vscode.Uri | undefined): vscode.TestItem {
    const shown = this.findItem(id);
    if (shown && shown.uri?.toString() === uri?.toString()) {
      shown.label = label;
      return shown;
    }
    return this.controller.createTestItem(id, label, uri);
  }

  private currentWorkflowItems(folder: string): vscode.TestItem[] {
    const items: vscode.TestItem[] = [];
    const collect = (collection: vscode.TestItemCollection): void =>
      collection.forEach((item) => {
        const subject = subjectOfTestId(item.id);
        if (subject?.kind === 'workflow' && subject.folder === folder) items.push(item);
        else if (subject?.kind === 'folder') collect(item.children);
      });
    collect(this.controller.items);
    return items;
  }

  private itemOfFile(uri: vscode.Uri): vscode.TestItem | undefined {
    for (const [id, entry] of this.workflows) {
      if (entry.file === uri.fsPath) return this.findItem(id);
    }
    return undefined;
  }

  /** An item by its id, anywhere in the tree. */
  findItem(id: string): vscode.TestItem | undefined {
    const search = (collection: vscode.TestItemCollection): vscode.TestItem | undefined => {
      let found: vscode.TestItem | undefined;
      collection.forEach((item) => {
        found ??= item.id === id ? item : search(item.children);
      });
      return found;
    };
    return search(this.controller.items);
  }
}
