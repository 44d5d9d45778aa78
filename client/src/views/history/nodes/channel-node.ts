import * as vscode from 'vscode';
import type { AutoAbortItem, ChannelItem } from '../../../../../core/src/service/protocol.js';
import type { ServiceClient } from '../../../service/service-client.js';
import { channelDescription, channelTooltip } from '../channel-labels.js';
import type { WorkflowNode } from './workflow-node.js';

/**
 * A channel of a workflow: where it points now (`v1 90% · v2 10%`); below it, each version's
 * health figures and the channel's changes. A canary aborted automatically shows as a warning
 * until seen (`unseen`).
 */
export class ChannelNode extends vscode.TreeItem {
  constructor(
    readonly parent: WorkflowNode,
    readonly channel: ChannelItem,
    /** The automatic abort not seen yet, if its latest change is one. */
    readonly unseen: AutoAbortItem | undefined,
    now: Date,
  ) {
    super(channel.channel, vscode.TreeItemCollapsibleState.Collapsed);
    const id = `channel|${parent.folder}|${parent.workflow.name}|${channel.channel}`;
    // An automatic abort makes the channel a node of its own, collapsed even when the channel
    // was left open: opening it is how the person sees the abort (and takes the warning off),
    // and it stays open then, until the channel changes again.
    const last = channel.lastChange;
    this.id = last?.action === 'auto-abort' ? `${id}|aborted r${last.revision}` : id;
    this.description = channelDescription(channel, unseen);
    this.tooltip = channelTooltip(channel, unseen, now);
    this.iconPath = unseen
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon('radio-tower');
    this.accessibilityInformation = {
      label: `Channel ${channel.channel} of ${parent.workflow.name}, ${this.description}`,
    };
    this.contextValue = [
      'channel',
      ...(channel.candidate ? ['canary'] : []),
      ...(channel.canRollBack ? ['canRollBack'] : []),
      ...(unseen ? ['unseen'] : []),
    ].join(' ');
  }

  get folder(): string {
    return this.parent.folder;
  }

  get client(): ServiceClient {
    return this.parent.client;
  }

  get workflow(): string {
    return this.parent.workflow.name;
  }
}
