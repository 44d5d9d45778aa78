/**
 * Channel changes from History: on a published version, Promote to Channel…, Start Canary…,
 * Change Weight…, Abort Canary… and Roll Back Channel… (each picks among the channels it
 * applies to); on a channel, Change Weight…, Abort Canary… and Roll Back Channel… of that
 * channel, and Mark as Seen for an automatic abort. Each asks what it needs, then shows
 * in words what changes (`production: v1 100% → v1 90% · v2 10%`) and appends the change only
 * when confirmed, and only if nobody changed the channel since the words were decided (else it
 * says so and changes nothing). The workspace service does the work (see ChannelChangeRequest).
 */
import * as vscode from 'vscode';
import {
  ChannelChangeRequest,
  ChannelsRequest,
  type ChannelChangeParams,
  type ChannelItem,
} from '../../../../core/src/service/protocol.js';
import { COMMANDS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { lockstepCode, reportFailure } from '../../error-report.js';
import type { HistoryProvider } from '../../views/history/history-provider.js';
import { ChannelNode } from '../../views/history/nodes/channel-node.js';
import type { VersionNode } from '../../views/history/nodes/version-node.js';

/** A channel name as the store takes it (and not `v<digits>`, which names a version). */
const CHANNEL_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

type Change = Omit<ChannelChangeParams, 'workflow' | 'preview' | 'expectedRevision'>;

/** What a command was invoked on: a published version, or a channel. */
type Subject = VersionNode | ChannelNode;

/** The client and workflow of either subject. */
interface Target {
  readonly client: VersionNode['client'];
  readonly workflow: string;
}

export function registerChannelActions(ctx: Context, history: HistoryProvider): void {
  const command = (
    id: string,
    action: string,
    decide: (node: Subject, channels: readonly ChannelItem[]) => Promise<Change | undefined>,
    wording?: Wording,
  ) =>
    vscode.commands.registerCommand(id, async (node: Subject) => {
      try {
        const target = targetOf(node);
        if (!target) {
          // A History refresh can replace the row between the menu opening and the click.
          void vscode.window.showInformationMessage(
            'Choose the published version or the channel in the History view (its context menu), then try again.',
          );
          return;
        }
        const { channels } = await target.client.request(ChannelsRequest, {
          workflow: target.workflow,
        });
        const change = await decide(node, channels);
        if (change) await confirmAndApply(target, change, wording ?? change.action);
      } catch (error) {
        await reportFailure(ctx.output, action, error);
      }
    });
  /** The channel node's own channel, or one picked among those `applies` to the version. */
  const channelOf = (
    node: Subject,
    channels: readonly ChannelItem[],
    applies: (channel: ChannelItem, version: VersionNode) => boolean,
    title: (version: VersionNode) => string,
  ): Promise<ChannelItem | undefined> => {
    if (node instanceof ChannelNode) {
      return Promise.resolve(channels.find((c) => c.channel === node.channel.channel));
    }
    return pickChannel(
      channels.filter((c) => applies(c, node)),
      title(node),
      false,
    ).then((name) => channels.find((c) => c.channel === name));
  };

  ctx.subscribe(
    command(COMMANDS.promoteToChannel, 'Promoting to the channel', async (node, channels) => {
      if (node instanceof ChannelNode) return undefined;
      const channel = await pickChannel(channels, `Promote ${label(node)} to…`, true);
      return channel ? { channel, action: 'promote', version: node.version.seq! } : undefined;
    }),
    command(COMMANDS.startCanary, 'Starting the canary', async (node, channels) => {
      if (node instanceof ChannelNode) return undefined;
      const candidates = channels.filter((c) => c.stable && c.stable.id !== node.version.id);
      if (candidates.length === 0) {
        void vscode.window.showInformationMessage(
          `No channel of ${node.version.workflow} has another stable version to canary ${label(node)} beside: promote a version to a channel first.`,
        );
        return undefined;
      }
      const channel = await pickChannel(candidates, `Canary ${label(node)} on…`, false);
      if (!channel) return undefined;
      const current = candidates.find((c) => c.channel === channel)?.candidate;
      const weight = await vscode.window.showInputBox({
        title: `${label(node)} on ${channel}: its share of the traffic`,
        prompt: 'Percent of the runs routed to it (100 completes the rollout)',
        value: String(current?.id === node.version.id ? current.weight : 10),
        validateInput: (text) =>
          validWeight(text) === undefined ? 'A percentage above 0, at most 100' : undefined,
      });
      if (weight === undefined) return undefined;
      const sticky = await vscode.window.showInputBox({
        title: `${label(node)} on ${channel}: sticky key (optional)`,
        prompt: 'An expression over the inputs that keeps each key on one version; empty for none',
        placeHolder: 'inputs.customer_id',
      });
      if (sticky === undefined) return undefined;
      const existing = candidates.find((c) => c.channel === channel);
      const canary = (abortIf: string[]): Change => ({
        channel,
        action: 'canary',
        version: node.version.seq!,
        weight: validWeight(weight)!,
        ...(sticky.trim() === '' ? {} : { sticky: sticky.trim() }),
        abortIf,
      });
      const abortIf = await vscode.window.showInputBox({
        title: `${label(node)} on ${channel}: abort automatically if… (optional)`,
        prompt:
          'Thresholds over at least 20 of its runs, separated by commas: failure_rate > 5%, p95_latency > 2s, cost_per_run > 0.02. Empty for none.',
        placeHolder: 'failure_rate > 5%',
        value: (existing?.candidate?.id === node.version.id ? (existing.abortIf ?? []) : [])
          .map((rule) => rule.replace(/ \(at least \d+ runs\)$/, ''))
          .join(', '),
        // The service's own parser judges them (a preview decides the change, appends nothing).
        validateInput: (text) =>
          refusal(
            node.client.request(ChannelChangeRequest, {
              workflow: node.version.workflow,
              ...canary(thresholds(text)),
              preview: true,
            }),
          ),
      });
      if (abortIf === undefined) return undefined;
      return canary(thresholds(abortIf));
    }),
    command(
      COMMANDS.changeWeight,
      'Changing the canary’s weight',
      async (node, channels) => {
        const channel = await channelOf(
          node,
          channels,
          (c, version) => c.candidate?.id === version.version.id,
          (version) => `Change the share of ${label(version)} on…`,
        );
        const candidate = channel?.candidate;
        if (!channel || !candidate) return undefined;
        const weight = await vscode.window.showInputBox({
          title: `${channel.channel}: the share of v${candidate.seq} (now ${candidate.weight}%)`,
          prompt: 'Percent of the runs routed to the candidate (100 completes the rollout)',
          value: String(candidate.weight),
          validateInput: (text) =>
            validWeight(text) === undefined ? 'A percentage above 0, at most 100' : undefined,
        });
        if (weight === undefined) return undefined;
        return {
          channel: channel.channel,
          action: 'canary',
          version: candidate.seq,
          weight: validWeight(weight)!,
        };
      },
      'weight',
    ),
    command(COMMANDS.abortCanary, 'Aborting the canary', async (node, channels) => {
      const channel = await channelOf(
        node,
        channels,
        (c, version) => c.candidate?.id === version.version.id,
        (version) => `Abort the canary of ${label(version)} on…`,
      );
      return channel?.candidate ? { channel: channel.channel, action: 'abort' } : undefined;
    }),
    command(COMMANDS.rollbackChannel, 'Rolling back the channel', async (node, channels) => {
      const channel = await channelOf(
        node,
        channels,
        (c, version) =>
          c.canRollBack &&
          (c.stable?.id === version.version.id || c.candidate?.id === version.version.id),
        (version) => `Roll back a channel of ${label(version)}`,
      );
      return channel?.canRollBack ? { channel: channel.channel, action: 'rollback' } : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.markAbortSeen, (node: ChannelNode) =>
      node instanceof ChannelNode ? history.markSeen(node) : undefined,
    ),
  );
}

/** The client and workflow of a published version or a channel; undefined for anything else. */
function targetOf(node: Subject | undefined): Target | undefined {
  if (node instanceof ChannelNode) return { client: node.client, workflow: node.workflow };
  if (node?.version?.seq === undefined) return undefined;
  return { client: node.client, workflow: node.version.workflow };
}

/** Previews the change, asks for a reason and confirmation, then appends it. */
async function confirmAndApply(target: Target, change: Change, wording: Wording): Promise<void> {
  const params: ChannelChangeParams = { workflow: target.workflow, ...change };
  const preview = await target.client.request(ChannelChangeRequest, { ...params, preview: true });
  const rules = preview.abortIf?.length ? `, abort if ${preview.abortIf.join(' or ')}` : '';
  const words = `${change.channel}: ${preview.from} → ${preview.to}${rules}`;
  const message = await vscode.window.showInputBox({
    title: words,
    prompt: 'Why (recorded in the audit trail with your name); Escape cancels',
    placeHolder: 'e.g. v8 passed its baselines',
  });
  if (message === undefined) return;
  const verb = VERBS[wording];
  const subject =
    change.version === undefined ? target.workflow : `${target.workflow} v${change.version}`;
  const choice = await vscode.window.showWarningMessage(
    QUESTIONS[wording](subject, change.channel),
    { modal: true, detail: words },
    verb,
  );
  if (choice !== verb) return;
  try {
    await target.client.request(ChannelChangeRequest, {
      ...params,
      ...(message.trim() === '' ? {} : { message: message.trim() }),
      expectedRevision: preview.decidedOn,
    });
    vscode.window.setStatusBarMessage(`${target.workflow} ${words}`, 5_000);
  } catch (error) {
    if (lockstepCode(error) !== 'conflict') throw error;
    void vscode.window.showWarningMessage(
      `${change.channel} changed while you were deciding (nothing was changed): look at History again, then retry.`,
    );
  }
}

/** How a confirmation words a change: by its action, or as a change of a canary's weight. */
type Wording = Change['action'] | 'weight';

const VERBS: Record<Wording, string> = {
  promote: 'Promote',
  canary: 'Start Canary',
  weight: 'Change Weight',
  abort: 'Abort Canary',
  rollback: 'Roll Back',
};

/** What the confirmation asks, of a version (`hello v2`) and a channel. */
const QUESTIONS: Record<Wording, (version: string, channel: string) => string> = {
  promote: (version, channel) => `Promote ${version} to ${channel}?`,
  canary: (version, channel) => `Route a share of ${channel} to ${version}?`,
  weight: (version, channel) => `Change the share of ${channel} routed to ${version}?`,
  abort: (_version, channel) => `Abort the canary on ${channel}?`,
  rollback: (_version, channel) => `Roll back ${channel} to its previous state?`,
};

/** A channel among `channels`, or (when `allowNew`) a new name typed in. */
async function pickChannel(
  channels: readonly ChannelItem[],
  title: string,
  allowNew: boolean,
): Promise<string | undefined> {
  const NEW = 'New channel…';
  const items = [
    ...channels.map((c) => ({ label: c.channel, description: c.summary })),
    ...(allowNew ? [{ label: NEW, description: 'a name like production or staging' }] : []),
  ];
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`${title}: no channel applies.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'A channel' });
  if (!picked) return undefined;
  if (picked.label !== NEW) return picked.label;
  return vscode.window.showInputBox({
    title,
    prompt: 'The channel’s name',
    placeHolder: 'production',
    validateInput: (text) =>
      CHANNEL_NAME.test(text) && !/^v\d+$/.test(text)
        ? undefined
        : 'A lowercase letter, then lowercase letters, digits, _ or - (and not v<number>, which names a version)',
  });
}

/** The thresholds typed in, one per comma-separated part; none for an empty text. */
function thresholds(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** The message of a `usage` refusal (what the person typed is wrong), else undefined. */
async function refusal(request: Promise<unknown>): Promise<string | undefined> {
  try {
    await request;
    return undefined;
  } catch (error) {
    return lockstepCode(error) === 'usage' && error instanceof Error
      ? error.message.replace(/^--abort-if /, '')
      : undefined;
  }
}

function validWeight(text: string): number | undefined {
  const weight = Number(text.trim().replace(/%$/, ''));
  return Number.isFinite(weight) && weight > 0 && weight <= 100 ? weight : undefined;
}

function label(node: VersionNode): string {
  return `${node.version.workflow} v${node.version.seq}`;
}
