import * as vscode from 'vscode';
import type { AutoAbortItem, WorkflowItem } from '../../../../../core/src/service/protocol.js';
import type { ServiceClient } from '../../../service/service-client.js';
import { statusColor, statusIcon } from '../labels.js';

/**
 * A workflow: its icon is its newest run's status, its description its latest number; a canary
 * of it aborted automatically and not seen yet turns both into a warning.
 */
export class WorkflowNode extends vscode.TreeItem {
  private shown: { workflow: WorkflowItem; unseen: readonly AutoAbortItem[] };

  constructor(
    /** The workspace folder's URI (a string), whose store holds it. */
    readonly folder: string,
    readonly client: ServiceClient,
    workflow: WorkflowItem,
    /** Its automatic aborts not seen yet. */
    unseen: readonly AutoAbortItem[] = [],
  ) {
    super(workflow.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `workflow|${folder}|${workflow.name}`;
    this.shown = { workflow, unseen };
    this.present(workflow, unseen);
  }

  /** What the row shows: the workflow as last listed. */
  get workflow(): WorkflowItem {
    return this.shown.workflow;
  }

  /** Its automatic aborts not seen yet. */
  get unseen(): readonly AutoAbortItem[] {
    return this.shown.unseen;
  }

  /**
   * Shows the same workflow as listed again (its newest run, number and aborts), in this row:
   * History refreshes a row in place rather than listing the tree again (see HistoryProvider).
   */
  present(workflow: WorkflowItem, unseen: readonly AutoAbortItem[]): void {
    this.shown = { workflow, unseen };
    const latest = workflow.latestSeq === undefined ? 'not published' : `v${workflow.latestSeq}`;
    this.description =
      unseen.length === 0
        ? latest
        : `${latest} · canary aborted on ${unseen.map((a) => a.channel).join(', ')}`;
    const last = workflow.lastRun;
    this.iconPath =
      unseen.length > 0
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
        : last
          ? new vscode.ThemeIcon(statusIcon(last.status), colorOf(last.status))
          : new vscode.ThemeIcon('circle-large-outline');
    this.tooltip = [
      workflow.name,
      workflow.file ? vscode.workspace.asRelativePath(workflow.file) : 'no file in the workspace',
      last
        ? `last run ${last.status}, ${last.startedAt.replace('T', ' ').slice(0, 16)} UTC`
        : 'no runs yet',
      ...unseen.map((a) => `⚠ canary on ${a.channel} aborted automatically: ${a.trigger}`),
    ].join('\n');
    this.accessibilityInformation = { label: `Workflow ${workflow.name}, ${this.description}` };
    this.contextValue = workflow.file ? 'workflow hasFile' : 'workflow';
    this.resourceUri = workflow.file ? vscode.Uri.file(workflow.file) : undefined;
  }
}

function colorOf(
  status: NonNullable<WorkflowItem['lastRun']>['status'],
): vscode.ThemeColor | undefined {
  const color = statusColor(status);
  return color ? new vscode.ThemeColor(color) : undefined;
}
