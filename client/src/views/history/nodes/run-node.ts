import * as vscode from 'vscode';
import type { RunItem } from '../../../../../core/src/service/protocol.js';
import { COMMANDS } from '../../../command-ids.js';
import {
  runDescription,
  runLabel,
  runTooltip,
  statusColor,
  statusIcon,
  versionLabel,
} from '../labels.js';
import type { VersionNode } from './version-node.js';

/** A run of a version: when it started; its status, duration, tokens and mode. */
export class RunNode extends vscode.TreeItem {
  constructor(
    readonly parent: VersionNode,
    readonly run: RunItem,
    now: Date,
  ) {
    super(runLabel(run, now), vscode.TreeItemCollapsibleState.None);
    // Stable across refreshes: a finished run updates in place, selection and focus stay.
    this.id = `run|${parent.folder}|${run.id}`;
    this.description = runDescription(run, now);
    const color = statusColor(run.status);
    this.iconPath = new vscode.ThemeIcon(
      statusIcon(run.status),
      color ? new vscode.ThemeColor(color) : undefined,
    );
    this.tooltip = runTooltip(run, undefined);
    this.contextValue = `run ${run.status} ${run.mode}`;
    this.accessibilityInformation = {
      label: `${run.workflow} ${versionLabel(run.version)} run ${runLabel(run, now)}, ${runDescription(run, now)}`,
    };
    this.command = {
      command: COMMANDS.openRunDetails,
      title: 'Open Run Details',
      arguments: [parent.folder, run.id],
    };
  }
}
