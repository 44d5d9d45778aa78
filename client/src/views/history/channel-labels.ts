/**
 * What the History view says about channels, as pure functions (unit-tested without an editor):
 * a channel's description and tooltip, its versions' figures, and its changes.
 */
import type {
  AutoAbortItem,
  ChannelChangeItem,
  ChannelFiguresItem,
  ChannelItem,
  ChannelVersionHealth,
} from '../../../../core/src/service/protocol.js';
import { relativeAge } from '../../status/relative-age.js';

/** `v1 90% · v2 10%, sticky inputs.customer`, led by the warning while it is unseen. */
export function channelDescription(
  channel: ChannelItem,
  unseen: AutoAbortItem | undefined,
): string {
  return unseen ? `canary aborted automatically · ${channel.summary}` : channel.summary;
}

/** Where it points, its thresholds and its latest change (markdown-free lines). */
export function channelTooltip(
  channel: ChannelItem,
  unseen: AutoAbortItem | undefined,
  now: Date,
): string {
  const last = channel.lastChange;
  return [
    `${channel.channel} → ${channel.summary} (revision ${channel.revision})`,
    ...(unseen
      ? [
          `⚠ The canary was aborted automatically ${relativeAge(new Date(unseen.at), now)}: ${unseen.trigger}`,
        ]
      : []),
    ...(channel.abortIf ?? []).map((rule) => `abort if ${rule}`),
    ...(last ? [`last change: ${changeLabel(last)} ${changeDescription(last, now)}`] : []),
    ...(last?.message ? [`“${last.message}”`] : []),
  ].join('\n');
}

/** `v2 · candidate 10%`. */
export function channelVersionLabel(version: ChannelVersionHealth): string {
  return `v${version.seq} · ${version.target} ${version.share}%`;
}

/** `last hour: 12 runs · 8.3% failed · p95 812 ms · $0.0031/run`, or `last hour: no runs`. */
export function figuresDescription(window: string, figures: ChannelFiguresItem): string {
  if (figures.runs === 0) return `${window}: no runs`;
  const parts = [
    `${figures.runs} run${figures.runs === 1 ? '' : 's'}`,
    `${+(figures.failureRate * 100).toFixed(1)}% failed`,
    ...(figures.p95LatencyMs === undefined ? [] : [`p95 ${Math.round(figures.p95LatencyMs)} ms`]),
    // A workflow that calls no priced model costs nothing: `$0.0000/run` would only be noise.
    ...(figures.costPerRun === undefined || figures.costPerRun === 0
      ? []
      : [`$${figures.costPerRun.toFixed(4)}/run`]),
  ];
  return `${window}: ${parts.join(' · ')}`;
}

/** Both windows in full, as `lockstep channels` prints them. */
export function figuresTooltip(version: ChannelVersionHealth): string {
  return [
    `${channelVersionLabel(version)} (${version.id})`,
    `last hour: ${version.lastHour.text}`,
    `last day: ${version.lastDay.text}`,
  ].join('\n');
}

/** `r3 auto-abort`. */
export function changeLabel(change: ChannelChangeItem): string {
  return `r${change.revision} ${change.action}`;
}

/** `v1 90% · v2 10% → v1 100% · 5 min ago · Ada Lovelace`, `(rolled back)` when undone. */
export function changeDescription(change: ChannelChangeItem, now: Date): string {
  return [
    `${change.from} → ${change.to}`,
    relativeAge(new Date(change.at), now),
    change.actor.replace(/\s*<[^>]*>$/, '') || change.actor,
    ...(change.rolledBack ? ['(rolled back)'] : []),
  ].join(' · ');
}

/** The change in full: why (or what crossed the threshold), who, when. */
export function changeTooltip(change: ChannelChangeItem): string {
  return [
    `${changeLabel(change)}${change.rolledBack ? ' (rolled back since)' : ''}`,
    `${change.from} → ${change.to}`,
    ...(change.trigger ? [`automatic: ${change.trigger}`] : []),
    ...(change.message ? [`“${change.message}”`] : []),
    `${change.actor}, ${change.at.replace('T', ' ').slice(0, 19)} UTC`,
  ].join('\n');
}

/** The codicon of a change. */
export function changeIcon(action: ChannelChangeItem['action']): string {
  switch (action) {
    case 'promote':
      return 'arrow-up';
    case 'canary':
      return 'beaker';
    case 'abort':
      return 'debug-stop';
    case 'auto-abort':
      return 'warning';
    case 'rollback':
      return 'discard';
  }
}
