/**
 * What a channel node holds: each version it routes to with its figures over the last hour and
 * day, and its changes (newest first), as `lockstep channels` shows them.
 */
import * as vscode from 'vscode';
import type {
  ChannelChangeItem,
  ChannelVersionHealth,
} from '../../../../../core/src/service/protocol.js';
import {
  changeDescription,
  changeIcon,
  changeLabel,
  changeTooltip,
  channelVersionLabel,
  figuresDescription,
  figuresTooltip,
} from '../channel-labels.js';
import type { ChannelNode } from './channel-node.js';

/** A version the channel routes to: `v2 · candidate 10%`, its last hour's figures beside it. */
export class ChannelVersionNode extends vscode.TreeItem {
  constructor(
    readonly parent: ChannelNode,
    readonly health: ChannelVersionHealth,
  ) {
    super(channelVersionLabel(health), vscode.TreeItemCollapsibleState.Expanded);
    this.id = `${parent.id}|version|${health.id}`;
    this.description = figuresDescription('last hour', health.lastHour);
    this.tooltip = figuresTooltip(health);
    this.iconPath = new vscode.ThemeIcon(health.target === 'candidate' ? 'beaker' : 'tag');
    this.contextValue = 'channelVersion';
  }
}

/** One window of a version's figures: `last hour: 12 runs · 8.3% failed · p95 812 ms`. */
export class ChannelFiguresNode extends vscode.TreeItem {
  constructor(
    readonly parent: ChannelVersionNode,
    window: 'last hour' | 'last day',
  ) {
    const figures = window === 'last hour' ? parent.health.lastHour : parent.health.lastDay;
    super(window === 'last hour' ? 'Last hour' : 'Last day', vscode.TreeItemCollapsibleState.None);
    this.id = `${parent.id}|${window}`;
    this.description = figuresDescription(window, figures).slice(window.length + 2);
    this.tooltip = figures.text;
    this.iconPath = new vscode.ThemeIcon('pulse');
    this.contextValue = 'channelFigures';
  }
}

/** "Changes": the channel's history. */
export class ChannelChangesNode extends vscode.TreeItem {
  constructor(
    readonly parent: ChannelNode,
    readonly changes: readonly ChannelChangeItem[],
  ) {
    super('Changes', vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${parent.id}|changes`;
    this.description = `${changes.length}`;
    this.iconPath = new vscode.ThemeIcon('history');
    this.contextValue = 'channelChanges';
  }
}

/** A change: `r3 auto-abort`, `v1 50% · v2 50% → v1 100% · 5 min ago · lockstep`. */
export class ChannelChangeNode extends vscode.TreeItem {
  constructor(
    readonly parent: ChannelChangesNode,
    readonly change: ChannelChangeItem,
    now: Date,
  ) {
    super(changeLabel(change), vscode.TreeItemCollapsibleState.None);
    this.id = `${parent.id}|${change.revision}`;
    this.description = changeDescription(change, now);
    this.tooltip = changeTooltip(change);
    this.iconPath = new vscode.ThemeIcon(
      changeIcon(change.action),
      change.action === 'auto-abort' ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    this.contextValue = 'channelChange';
  }
}
