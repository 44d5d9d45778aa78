/**
 * Channels for the editor: a workflow's channels as History shows them, each published version's
 * shares, and the changes a person asks for from the tree (previewed in words, then appended with
 * a compare-and-swap on the revision the preview was decided on).
 */
import {
  abortChange,
  canaryChange,
  DEFAULT_MIN_RUNS,
  parseAbortIf,
  promoteChange,
  rollbackChange,
} from '../channels/changes.js';
import { admittingGate } from '../gate/admission.js';
import {
  describeFigures,
  describeRule,
  describeTargets,
  describeTrigger,
  wasRolledBack,
} from '../channels/describe.js';
import { channelFigures } from '../channels/figures.js';
import type { RunFigures } from '../channels/health.js';
import { checkSticky } from '../channels/sticky.js';
import { LockstepError, UsageError } from '../model/errors.js';
import { checkWorkflowName } from '../model/names.js';
import { changeChannel, publishedVersion } from '../node/services/channel-service.js';
import type { Workspace } from '../node/workspace/workspace.js';
import type { Prices } from '../replay/compare.js';
import type { ChannelHistoryEntry, ChannelState } from '../store/channel-records.js';
import type { Store } from '../store/store.js';
import type {
  AutoAbortItem,
  ChannelChangeItem,
  ChannelChangeParams,
  ChannelChangeResult,
  ChannelFiguresItem,
  ChannelHealthResult,
  ChannelItem,
  ChannelShareItem,
} from './protocol.js';

/** See ChannelsRequest. */
export async function listChannels(store: Store, workflow: string): Promise<ChannelItem[]> {
  checkWorkflowName(workflow);
  return (await store.listChannels(workflow)).map(channelItem);
}

/**
 * See ChannelHealthRequest: the channel, the figures of each version it routes to over the last
 * hour and day, and its history.
 * @throws LockstepError `unknown-channel` when the workflow has no such channel.
 */
export async function channelHealth(
  store: Store,
  workflow: string,
  channel: string,
  prices: Prices,
  now: number,
): Promise<ChannelHealthResult> {
  checkWorkflowName(workflow);
  const state = await store.getChannel(workflow, channel);
  if (!state) {
    throw new LockstepError(
      'unknown-channel',
      `${workflow} has no channel '${channel}' (\`lockstep channels ${workflow}\` lists its channels)`,
    );
  }
  const weight = state.targets?.candidate?.weight ?? 0;
  const figures = await channelFigures(store, state, prices, now);
  return {
    channel: channelItem(state),
    versions: figures.map((f) => {
      const candidate = state.targets?.candidate?.version === f.version;
      return {
        id: f.version,
        seq: f.seq,
        target: candidate ? 'candidate' : 'stable',
        share: candidate ? weight : +(100 - weight).toFixed(2),
        lastHour: figuresItem(f.lastHour),
        lastDay: figuresItem(f.lastDay),
      };
    }),
    history: [...state.history].reverse().map((change) => changeItem(state, change)),
  };
}

/** The workflow's channels whose latest change is an automatic abort. */
export async function autoAborts(store: Store, workflow: string): Promise<AutoAbortItem[]> {
  return (await store.listChannels(workflow)).flatMap((state) => {
    const last = state.history.at(-1);
    return last?.action === 'auto-abort' && last.trigger
      ? [
          {
            channel: state.channel,
            revision: last.revision,
            at: last.at,
            trigger: describeTrigger(last.trigger),
          },
        ]
      : [];
  });
}

/** Each published version's channel shares, by version id. */
export async function channelShares(
  store: Store,
  workflow: string,
): Promise<Map<string, ChannelShareItem[]>> {
  const shares = new Map<string, ChannelShareItem[]>();
  const add = (id: string, share: ChannelShareItem): void => {
    shares.set(id, [...(shares.get(id) ?? []), share]);
  };
  for (const state of await store.listChannels(workflow)) {
    const targets = state.targets;
    if (!targets) continue;
    const weight = targets.candidate?.weight ?? 0;
    add(targets.stable.version, { channel: state.channel, share: +(100 - weight).toFixed(2) });
    if (targets.candidate) {
      add(targets.candidate.version, { channel: state.channel, share: weight, candidate: true });
    }
  }
  return shares;
}

/**
 * See ChannelChangeRequest.
 * @throws LockstepError `invalid-change`, `conflict`, `usage`, `unknown-version`.
 */
export async function changeChannelFromEditor(
  workspace: Workspace,
  store: Store,
  params: ChannelChangeParams,
): Promise<ChannelChangeResult> {
  const { workflow, channel } = params;
  const versionOf = async () => {
    if (params.version === undefined) {
      throw new UsageError(`${params.action} needs a published version of ${workflow}`);
    }
    return (await publishedVersion(store, `${workflow}@${params.version}`)).version;
  };
  const outcome = await changeChannel(
    workspace,
    store,
    workflow,
    channel,
    async (_store, state, meta) => {
      switch (params.action) {
        case 'promote': {
          // Cites the gate that admits it, as `lockstep promote` does.
          const version = await versionOf();
          const request = promoteChange(workflow, channel, state, version, meta);
          const gate = await admittingGate(store, workflow, channel, version, state);
          return gate ? { ...request, gate } : request;
        }
        case 'canary': {
          const abortIf = params.abortIf
            ?.filter((text) => text.trim() !== '')
            .map((text) => parseAbortIf(text, DEFAULT_MIN_RUNS));
          const version = await versionOf();
          const record = await store.getVersion(workflow, version.version);
          const sticky =
            params.sticky === undefined || params.sticky.trim() === ''
              ? undefined
              : checkSticky(params.sticky, Object.keys(record?.definition.inputs ?? {}));
          return canaryChange(
            workflow,
            channel,
            state,
            version,
            {
              weight: params.weight ?? Number.NaN,
              ...(sticky === undefined ? {} : { sticky }),
              ...(abortIf === undefined ? {} : { abortIf }),
            },
            meta,
          );
        }
        case 'abort':
          return abortChange(workflow, channel, state, meta);
        case 'rollback':
          return rollbackChange(workflow, channel, state, meta);
      }
    },
    {
      ...(params.message === undefined ? {} : { message: params.message }),
      ...(params.expectedRevision === undefined ? {} : { ifRevision: params.expectedRevision }),
      ...(params.preview ? { preview: true } : {}),
    },
  );
  const before = await beforeOf(store, workflow, channel, outcome);
  return {
    applied: outcome.applied,
    decidedOn: outcome.request.expectedRevision,
    from: describeTargets(before),
    to: describeTargets(outcome.request.to),
    ...(outcome.request.to?.abortIf?.length
      ? { abortIf: outcome.request.to.abortIf.map(describeRule) }
      : {}),
  };
}

/** The targets the change started from. */
async function beforeOf(
  store: Store,
  workflow: string,
  channel: string,
  outcome: Awaited<ReturnType<typeof changeChannel>>,
): Promise<ChannelState['targets']> {
  if (outcome.applied) return outcome.entry.from;
  return (await store.getChannel(workflow, channel))?.targets ?? null;
}

function channelItem(state: ChannelState): ChannelItem {
  const targets = state.targets;
  const last = state.history.at(-1);
  return {
    channel: state.channel,
    revision: state.revision,
    summary: describeTargets(targets),
    ...(targets ? { stable: { id: targets.stable.version, seq: targets.stable.seq } } : {}),
    ...(targets?.candidate
      ? {
          candidate: {
            id: targets.candidate.version,
            seq: targets.candidate.seq,
            weight: targets.candidate.weight,
          },
        }
      : {}),
    ...(targets?.sticky === undefined ? {} : { sticky: targets.sticky }),
    ...(targets?.abortIf?.length ? { abortIf: targets.abortIf.map(describeRule) } : {}),
    canRollBack: state.undoable.length > 0,
    ...(last ? { lastChange: changeItem(state, last) } : {}),
  };
}

function changeItem(state: ChannelState, change: ChannelHistoryEntry): ChannelChangeItem {
  return {
    revision: change.revision,
    action: change.action,
    at: change.at,
    actor: change.actor,
    message: change.message,
    from: describeTargets(change.from),
    to: describeTargets(change.to),
    rolledBack: wasRolledBack(state, change),
    ...(change.trigger ? { trigger: describeTrigger(change.trigger) } : {}),
  };
}

function figuresItem(figures: RunFigures): ChannelFiguresItem {
  return { ...figures, text: describeFigures(figures) };
}
