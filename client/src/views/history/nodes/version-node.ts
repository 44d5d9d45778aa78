import * as vscode from 'vscode';
import type { VersionItem } from '../../../../../core/src/service/protocol.js';
import type { ServiceClient } from '../../../service/service-client.js';
import { versionDescription, versionLabel, versionTooltip } from '../labels.js';
import type { WorkflowNode } from './workflow-node.js';

/** A stored version of a workflow: `v7`, or `@ab12cd34` for a snapshot; its runs below it. */
export class VersionNode extends vscode.TreeItem {
  constructor(
    readonly parent: WorkflowNode,
    readonly version: VersionItem,
    now: Date,
  ) {
    super(
      versionLabel(version),
      (version.runs ?? 0) > 0
        ? vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None,
    );
    this.id = `version|${parent.folder}|${version.workflow}|${version.id}`;
    this.description = versionDescription(version, now);
    this.tooltip = versionTooltip(version);
    this.iconPath = new vscode.ThemeIcon(version.seq !== undefined ? 'tag' : 'git-commit');
    // Screen readers (and tests) hear whose version it is, not only `v1`.
    this.accessibilityInformation = {
      label: `${version.workflow} ${versionLabel(version)}, ${this.description}`,
    };
    const candidate = version.channels?.some((c) => c.candidate) ? ' candidate' : '';
    this.contextValue = `version ${version.seq !== undefined ? 'published' : 'snapshot'}${parent.workflow.file ? ' hasFile' : ''}${candidate}`;
  }

  get folder(): string {
    return this.parent.folder;
  }

  get client(): ServiceClient {
    return this.parent.client;
  }

  /** What a `lockstep-version:` URI needs. */
  get ref(): { folder: string; workflow: string; version: number | string } {
    return {
      folder: this.folder,
      workflow: this.version.workflow,
      version: this.version.seq ?? this.version.id,
    };
  }
}
