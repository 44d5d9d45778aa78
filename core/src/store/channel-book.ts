/**
 * Channels folded from the control log's channel entries, the same for every backend: each
 * channel's revision, where it points, its history and which changes a rollback can still undo.
 */
import type { ChannelHistoryEntry, ChannelState, ChannelTargets } from './channel-records.js';
import type { ChannelEntry } from './records.js';

interface MutableChannel {
  revision: number;
  targets: ChannelTargets | null;
  history: ChannelHistoryEntry[];
  undoable: number[];
}

/** A channel as saved with a control state (see `ControlState.save`): its state as folded. */
export type SavedChannel = ChannelState;

/** `<workflow>\0<channel>`: names cannot hold a NUL, so keys never collide. */
const keyOf = (workflow: string, channel: string): string => `${workflow}\0${channel}`;

export class ChannelBook {
  private readonly channels = new Map<string, MutableChannel>();

  /** An empty book, or one holding channels saved by `save`. */
  constructor(saved: readonly SavedChannel[] = []) {
    for (const { workflow, channel, revision, targets, history, undoable } of saved) {
      this.channels.set(keyOf(workflow, channel), {
        revision,
        targets,
        history: [...history],
        undoable: [...undoable],
      });
    }
  }

  /** Every channel, to be restored by the constructor. */
  save(): SavedChannel[] {
    return [...this.channels.entries()].map(([key, channel]) => {
      const at = key.indexOf('\0');
      return freeze(key.slice(0, at), key.slice(at + 1), channel);
    });
  }

  /**
   * Folds a channel entry in. Returns why it does not follow the channel's history (a revision
   * out of order, a rollback of a change that is not the latest undoable one), or undefined.
   */
  apply(entry: ChannelEntry): string | undefined {
    const key = keyOf(entry.workflow, entry.channel);
    const channel = this.channels.get(key) ?? {
      revision: 0,
      targets: null,
      history: [],
      undoable: [],
    };
    this.channels.set(key, channel);
    const name = `channel '${entry.channel}' of ${entry.workflow}`;
    let problem =
      entry.revision === channel.revision + 1
        ? undefined
        : `${name}: revision ${entry.revision} follows revision ${channel.revision} (were two logs merged?)`;
    const { type: _type, index, prev: _prev, hash, ...change } = entry;
    channel.history.push({ ...change, entry: index, hash });
    channel.revision = entry.revision;
    channel.targets = entry.to;
    if (entry.action === 'rollback') {
      const undone = channel.undoable.pop();
      if (undone !== entry.rollsBack) {
        problem ??= `${name}: revision ${entry.revision} rolls back revision ${entry.rollsBack}, but the latest change not rolled back is ${undone ?? 'none'}`;
      }
    } else {
      channel.undoable.push(entry.revision);
    }
    return problem;
  }

  /** A channel's state, or undefined when it was never set. */
  get(workflow: string, channel: string): ChannelState | undefined {
    const found = this.channels.get(keyOf(workflow, channel));
    return found ? freeze(workflow, channel, found) : undefined;
  }

  /** Every channel of a workflow, by name. */
  list(workflow: string): ChannelState[] {
    const prefix = `${workflow}\0`;
    return [...this.channels.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, channel]) => freeze(workflow, key.slice(prefix.length), channel))
      .sort((a, b) => a.channel.localeCompare(b.channel));
  }
}

function freeze(workflow: string, channel: string, state: MutableChannel): ChannelState {
  return {
    workflow,
    channel,
    revision: state.revision,
    targets: state.targets,
    history: [...state.history],
    undoable: [...state.undoable],
  };
}
