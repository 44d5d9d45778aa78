/**
 * The History view: workflow → versions → runs, from each folder's workspace service. It follows
 * the stores (what the CLI writes appears by itself, a running run updates in place) and a filter;
 * a version lists its newest runs a page at a time.
 */
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import {
  type AutoAbortItem,
  type WorkflowItem,
  ChannelHealthRequest,
  ChannelsRequest,
  RunDetailsRequest,
  RunsRequest,
  VersionsRequest,
  WorkflowsRequest,
} from '../../../../core/src/service/protocol.js';
import { CONTEXT_KEYS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { runTooltip } from './labels.js';
import { ListedRows } from './listed-rows.js';
import {
  ChannelChangeNode,
  ChannelChangesNode,
  ChannelFiguresNode,
  ChannelVersionNode,
} from './nodes/channel-detail-nodes.js';
import { ChannelNode } from './nodes/channel-node.js';
import { FolderNode } from './nodes/folder-node.js';
import { MoreNode } from './nodes/more-node.js';
import { RunNode } from './nodes/run-node.js';
import { VersionNode } from './nodes/version-node.js';
import { WorkflowNode } from './nodes/workflow-node.js';
import { NO_FILTER, isFiltered, runsQuery, type RunFilter } from './run-filter.js';
import { onlyBaselines } from '../../service/services.js';
import type { SeenAutoAborts } from './seen-aborts.js';

/** Runs per page under a version. */
export const PAGE_SIZE = 20;

export type HistoryNode =
  | FolderNode
  | WorkflowNode
  | ChannelNode
  | ChannelVersionNode
  | ChannelFiguresNode
  | ChannelChangesNode
  | ChannelChangeNode
  | VersionNode
  | RunNode
  | MoreNode;

export class HistoryProvider implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HistoryNode | HistoryNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private filterValue: RunFilter = NO_FILTER;
  /** How many runs each version shows (by node id): pages opened with "Show more". */
  private readonly pages = new Map<string, number>();
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Whether the refresh waiting in `refreshTimer` must list the whole tree again. */
  private refreshAll = false;
  /** Listings of the top level asked for so far (see `getChildren`). */
  private topListings = 0;
  /** The nodes last listed, by id (see `newest`). */
  private readonly listedRows = new ListedRows<HistoryNode>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Set by the view's owner, to say "no runs yet" above the tree. */
  onDidLoadWorkflows?: (workflows: readonly WorkflowNode[]) => void;
  /** Called when the workflows could not be read (a team store refusing the login, say). */
  onDidFailToLoad?: (message: string) => void;
  /** Automatic aborts not seen yet, per folder (from the workflows last listed). */
  private readonly unseenByFolder = new Map<string, number>();
  private readonly unseenEmitter = new vscode.EventEmitter<number>();
  /** Fires with the number of automatic aborts not seen yet, whenever workflows are listed. */
  readonly onDidChangeUnseen = this.unseenEmitter.event;

  constructor(
    private readonly ctx: Context,
    readonly seen: SeenAutoAborts,
  ) {
    this.subscriptions.push(
      ctx.services.onDidChangeStore((change) => {
        if (!onlyBaselines(change.changes)) this.refreshSoon('rows');
      }),
      ctx.services.onDidChangeState(() => this.refreshSoon('all')),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
    );
  }

  get filter(): RunFilter {
    return this.filterValue;
  }

  set filter(filter: RunFilter) {
    this.filterValue = filter;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.filtered, isFiltered(filter));
    this.pages.clear();
    this.refresh();
  }

  /** Lists the whole tree again now. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Reads everything again now, keeping the top rows when they are the same (`refreshRows`). */
  reload(): void {
    this.refreshRows().catch((error: unknown) => {
      this.ctx.output.warn(`History: ${error instanceof Error ? error.message : String(error)}`);
      this.refresh();
    });
  }

  /** Shows one more page of `version`'s runs. */
  showMore(version: VersionNode): void {
    const key = version.id ?? '';
    this.pages.set(key, (this.pages.get(key) ?? PAGE_SIZE) + PAGE_SIZE);
    this.changed.fire(version);
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    return node;
  }

  getParent(node: HistoryNode): HistoryNode | undefined {
    if (node instanceof FolderNode || node instanceof WorkflowNode) return undefined;
    return node.parent;
  }

  async getChildren(node?: HistoryNode): Promise<HistoryNode[]> {
    const listing = node ? 0 : ++this.topListings;
    const children = await this.listChildren(node);
    // Only the newest listing of the top level counts: VS Code drops one it asked for before a
    // newer one.
    if (!node && listing !== this.topListings) return children;
    this.listedRows.listed(node, children);
    return children;
  }

  /** The newest node listed with `node`'s id: a refresh replaces the objects, not the ids. */
  newest(node: HistoryNode): HistoryNode {
    return this.listedRows.newest(node);
  }

  private async listChildren(node?: HistoryNode): Promise<HistoryNode[]> {
    try {
      if (!node) return await this.roots();
      if (node instanceof FolderNode)
        return await this.workflows(node.folder.uri.toString(), node.client);
      if (node instanceof WorkflowNode) {
        const [channels, versions] = await Promise.all([this.channels(node), this.versions(node)]);
        return [...channels, ...versions];
      }
      if (node instanceof ChannelNode) return await this.channelDetails(node);
      if (node instanceof ChannelVersionNode) {
        return [
          new ChannelFiguresNode(node, 'last hour'),
          new ChannelFiguresNode(node, 'last day'),
        ];
      }
      if (node instanceof ChannelChangesNode) {
        const now = new Date();
        return node.changes.map((change) => new ChannelChangeNode(node, change, now));
      }
      if (node instanceof VersionNode) return await this.runs(node);
      return [];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.output.warn(`History: ${message}`);
      // What the view cannot list is said above it, not left as an empty tree.
      if (!node || node instanceof FolderNode) this.onDidFailToLoad?.(message);
      return [];
    }
  }

  /** A run's tooltip gains its input when the pointer rests on it. */
  async resolveTreeItem(item: vscode.TreeItem, node: HistoryNode): Promise<vscode.TreeItem> {
    if (node instanceof RunNode) {
      const details = await node.parent.client
        .request(RunDetailsRequest, { id: node.run.id })
        .catch(() => undefined);
      if (details) item.tooltip = runTooltip(node.run, details.input);
    }
    return item;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
    this.unseenEmitter.dispose();
  }

  /** Marks a channel's automatic abort as seen; its workflow and channel lose the warning. */
  async markSeen(node: ChannelNode): Promise<void> {
    if (!node.unseen) return;
    await this.seen.markSeen(node.folder, node.workflow, node.unseen);
    this.refresh();
  }

  /**
   * Coalesces the bursts of changes a run makes (one per event it writes). `rows`: the store
   * changed (see `refreshRows`); `all`: a service started or stopped, the whole tree is read again.
   */
  private refreshSoon(scope: 'rows' | 'all'): void {
    if (scope === 'all') this.refreshAll = true;
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      const all = this.refreshAll;
      this.refreshAll = false;
      if (all) this.refresh();
      else this.reload();
    }, 200);
  }

  /**
   * Shows a change of the stores by refreshing the top rows in place (each with what is open
   * below it), not by listing the tree again. VS Code answers a refresh of the whole tree by
   * forgetting every row it had, and a row someone opens as that happens, or an open row whose
   * children are read meanwhile, can be drawn closed (seen while runs kept arriving). The top
   * level is listed again only when it changed: a workflow appeared or went, or a folder.
   */
  private async refreshRows(): Promise<void> {
    const rows = this.listedRows.childrenOf(undefined);
    const served = this.ctx.services.all();
    const folders = rows.filter((row) => row instanceof FolderNode);
    if (rows.length > 0 && folders.length === rows.length) {
      // Several folders: when they are the same, each folder's row lists its workflows again.
      const same = isDeepStrictEqual(
        folders.map((row) => row.folder.uri.toString()),
        served.map((one) => one.folder.uri.toString()),
      );
      return same ? this.changed.fire(folders) : this.refresh();
    }
    const workflows = rows.filter((row) => row instanceof WorkflowNode);
    const [only] = served;
    if (!only || served.length > 1 || rows.length === 0 || workflows.length !== rows.length) {
      return this.refresh();
    }
    const folder = only.folder.uri.toString();
    const listing = this.topListings;
    const { workflows: listed } = await only.client.request(WorkflowsRequest);
    if (listing !== this.topListings) return; // listed again meanwhile: that shows the change
    const same = isDeepStrictEqual(
      workflows.map((row) => [row.folder, row.workflow.name]),
      listed.map((item) => [folder, item.name]),
    );
    if (!same) return this.refresh();
    listed.forEach((item, i) => workflows[i]!.present(item, this.unseenOf(folder, item)));
    this.countUnseen(folder, workflows);
    this.onDidLoadWorkflows?.(workflows);
    this.changed.fire(workflows);
  }

  private async roots(): Promise<HistoryNode[]> {
    const served = this.ctx.services.all();
    let nodes: HistoryNode[];
    if (served.length > 1) {
      nodes = served.map(({ client, folder }) => new FolderNode(folder, client));
    } else {
      const [only] = served;
      nodes = only ? await this.workflows(only.folder.uri.toString(), only.client) : [];
    }
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.noWorkflows, nodes.length === 0);
    if (served.length <= 1) this.onDidLoadWorkflows?.(nodes as WorkflowNode[]);
    return nodes;
  }

  private async workflows(folder: string, client: WorkflowNode['client']): Promise<WorkflowNode[]> {
    const { workflows } = await client.request(WorkflowsRequest);
    const nodes = workflows.map(
      (workflow) => new WorkflowNode(folder, client, workflow, this.unseenOf(folder, workflow)),
    );
    this.countUnseen(folder, nodes);
    return nodes;
  }

  /** A workflow's automatic aborts not seen yet. */
  private unseenOf(folder: string, workflow: WorkflowItem): AutoAbortItem[] {
    return (workflow.autoAborted ?? []).filter(
      (abort) => !this.seen.isSeen(folder, workflow.name, abort),
    );
  }

  /** Counts a folder's automatic aborts not seen yet, for the view's badge. */
  private countUnseen(folder: string, nodes: readonly WorkflowNode[]): void {
    this.unseenByFolder.set(
      folder,
      nodes.reduce((sum, node) => sum + node.unseen.length, 0),
    );
    this.unseenEmitter.fire([...this.unseenByFolder.values()].reduce((a, b) => a + b, 0));
  }

  private async channels(node: WorkflowNode): Promise<ChannelNode[]> {
    if (node.workflow.latestSeq === undefined) return [];
    const { channels } = await node.client.request(ChannelsRequest, {
      workflow: node.workflow.name,
    });
    const now = new Date();
    return channels.map(
      (channel) =>
        new ChannelNode(
          node,
          channel,
          node.unseen.find((abort) => abort.channel === channel.channel),
          now,
        ),
    );
  }

  private async channelDetails(node: ChannelNode): Promise<HistoryNode[]> {
    // Its details are asked for when the row is opened: the abort is seen. (Here rather than on
    // the view's expand event, which is lost when a refresh replaces the row as it is clicked.)
    if (node.unseen) {
      this.markSeen(node).catch((error: unknown) =>
        this.ctx.output.warn(`History: the abort could not be marked as seen: ${String(error)}`),
      );
    }
    const health = await node.client.request(ChannelHealthRequest, {
      workflow: node.workflow,
      channel: node.channel.channel,
    });
    return [
      ...health.versions.map((version) => new ChannelVersionNode(node, version)),
      new ChannelChangesNode(node, health.history),
    ];
  }

  private async versions(node: WorkflowNode): Promise<VersionNode[]> {
    if (node.workflow.latestSeq === undefined && !node.workflow.lastRun && !node.workflow.file) {
      return [];
    }
    const { versions } = await node.client.request(VersionsRequest, {
      workflow: node.workflow.name,
    });
    const now = new Date();
    return versions
      .filter((version) => !this.filterValue.publishedOnly || version.seq !== undefined)
      .map((version) => new VersionNode(node, version, now));
  }

  private async runs(node: VersionNode): Promise<HistoryNode[]> {
    const limit = this.pages.get(node.id ?? '') ?? PAGE_SIZE;
    const { runs, more } = await node.client.request(
      RunsRequest,
      runsQuery(this.filterValue, node.version.workflow, node.version.id, limit),
    );
    const now = new Date();
    const nodes: HistoryNode[] = runs.map((run) => new RunNode(node, run, now));
    if (more) nodes.push(new MoreNode(node));
    return nodes;
  }
}
