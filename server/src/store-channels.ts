/**
 * The channels a workspace's store knows, for completion, the `unknown-channel` check and hover:
 * read from the store's control log (`.lockstep/control.jsonl`), where every channel change is a
 * line. The language server only reads: it never opens the store (no lock, no index worker), and
 * it reads the log again only when the file changed (its size or time), so a keystroke costs a
 * `stat`. A damaged line is skipped here; `lockstep verify` names it.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseLogLineHead } from '../../core/src/node/store/files/control-log-file.js';
import { storeLayout } from '../../core/src/node/store/files/layout.js';
import type { ChannelAction, ChannelTargets } from '../../core/src/store/channel-records.js';

/** A channel of one workflow as its latest change left it. */
export interface ChannelNow {
  readonly workflow: string;
  readonly channel: string;
  /** Where it points: the latest change's `to`; null once a rollback emptied it. */
  readonly targets: ChannelTargets | null;
  /** The channel's revision (that of its latest change). */
  readonly revision: number;
  /** The latest change. */
  readonly last: {
    readonly action: ChannelAction;
    readonly actor: string;
    /** ISO time, as the log records it. */
    readonly at: string;
    readonly message: string;
    /** For a rollback: the revision it undid. */
    readonly rollsBack?: number;
  };
}

/** What the store's control log says of channels. */
export interface StoreChannels {
  /** Every channel name, whatever workflow it is set for, sorted. */
  readonly names: readonly string[];
  /** Per workflow and channel, the latest state, in no particular order. */
  readonly states: readonly ChannelNow[];
}

/** Reads the channels of the workspace whose `.lockstep` folder is `storeDir`. */
export type ChannelSource = (storeDir: string) => Promise<StoreChannels>;

/** A store without channels (or without a control log yet). */
export const NO_CHANNELS: StoreChannels = { names: [], states: [] };

interface Cached {
  readonly size: number;
  readonly mtimeMs: number;
  readonly channels: StoreChannels;
}

const cache = new Map<string, Cached>();

/** The store's channels; none when it has no control log yet. */
export const storeChannels: ChannelSource = async (storeDir) => {
  const file = storeLayout(storeDir).controlLog;
  const info = await stat(file).catch(() => undefined);
  if (!info) return NO_CHANNELS;
  const cached = cache.get(file);
  if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) {
    return cached.channels;
  }
  const channels = channelsIn(await readFile(file));
  cache.set(file, { size: info.size, mtimeMs: info.mtimeMs, channels });
  return channels;
};

/**
 * Folds the log's channel lines: a line's `to` is the channel's state after it, so the latest line
 * of a workflow's channel is all there is to know of it now (rollbacks and automatic aborts
 * included). A partial last line (an append in progress) is not read.
 */
export function channelsIn(log: Buffer): StoreChannels {
  const latest = new Map<string, ChannelNow>();
  let start = 0;
  for (let newline = log.indexOf(10); newline !== -1; newline = log.indexOf(10, start)) {
    const { entry } = parseLogLineHead(log.subarray(start, newline));
    start = newline + 1;
    if (entry?.type !== 'channel') continue;
    // Names cannot hold a NUL, so keys never collide.
    latest.set(`${entry.workflow}\0${entry.channel}`, {
      workflow: entry.workflow,
      channel: entry.channel,
      targets: entry.to,
      revision: entry.revision,
      last: {
        action: entry.action,
        actor: entry.actor,
        at: entry.at,
        message: entry.message,
        ...(entry.rollsBack === undefined ? {} : { rollsBack: entry.rollsBack }),
      },
    });
  }
  const states = [...latest.values()];
  return { names: [...new Set(states.map((s) => s.channel))].sort(), states };
}
