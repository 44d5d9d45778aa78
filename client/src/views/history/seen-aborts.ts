/**
 * Which automatic aborts of canaries this person has seen, per workspace: an abort stays a
 * warning on its channel (and counts in History's badge) until its channel node is opened or
 * marked as seen. Kept in the workspace's state, so a reload does not bring the warning back and
 * a new abort (a higher revision) shows again.
 */
import type * as vscode from 'vscode';
import type { AutoAbortItem } from '../../../../core/src/service/protocol.js';

const KEY = 'lockstep.seenAutoAborts';

export class SeenAutoAborts {
  constructor(private readonly state: vscode.Memento) {}

  /** Whether the abort (of `workflow`'s channel, in `folder`) was seen. */
  isSeen(folder: string, workflow: string, abort: AutoAbortItem): boolean {
    return (this.seen()[keyOf(folder, workflow, abort.channel)] ?? 0) >= abort.revision;
  }

  /** Marks an abort as seen; resolves once it is stored. */
  async markSeen(folder: string, workflow: string, abort: AutoAbortItem): Promise<void> {
    const seen = this.seen();
    const key = keyOf(folder, workflow, abort.channel);
    if ((seen[key] ?? 0) >= abort.revision) return;
    await this.state.update(KEY, { ...seen, [key]: abort.revision });
  }

  private seen(): Record<string, number> {
    return this.state.get<Record<string, number>>(KEY) ?? {};
  }
}

function keyOf(folder: string, workflow: string, channel: string): string {
  return `${folder}|${workflow}|${channel}`;
}
