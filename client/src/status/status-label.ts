/**
 * What the status bar item says about the active workflow file, as a pure function of what is
 * known (unit-tested without an editor): the version of its content (`v7`, `snapshot ab12cd34`),
 * or why it has none.
 */
import type { FileVersionResult } from '../../../core/src/service/protocol.js';
import type { ServiceState } from '../service/service-client.js';

export interface StatusLabel {
  /** With at most one icon, as VS Code asks. */
  readonly text: string;
  readonly tooltip: string;
}

/** What is known when the label is made. */
export type StatusInput =
  | { readonly kind: 'service'; readonly state: Exclude<ServiceState, 'ready'> }
  | { readonly kind: 'unsaved' }
  | { readonly kind: 'file'; readonly version: FileVersionResult; readonly snapshotOnSave: boolean }
  | { readonly kind: 'failed'; readonly message: string };

export function statusLabel(input: StatusInput): StatusLabel {
  switch (input.kind) {
    case 'service':
      return input.state === 'stopped'
        ? {
            text: '$(error) Lockstep stopped',
            tooltip:
              'The Lockstep workspace service stopped after failing repeatedly. Click for Lockstep: Restart Workspace Service.',
          }
        : {
            text: `$(loading~spin) Lockstep ${input.state}`,
            tooltip: `The Lockstep workspace service is ${input.state === 'starting' ? 'starting' : 'restarting after it stopped'}.`,
          };
    case 'unsaved':
      return {
        text: '$(versions) unsaved changes',
        tooltip: 'The file has changes that are not saved: they are not a version yet.',
      };
    case 'failed':
      return { text: '$(versions) version unknown', tooltip: input.message };
    case 'file': {
      const version = input.version;
      if (version.state === 'invalid') {
        const problems = `${version.errors} error${version.errors === 1 ? '' : 's'}`;
        return {
          text: `$(versions) not snapshotted: ${problems}`,
          tooltip: `This content has ${problems} (see the Problems panel): it is not stored as a version until they are fixed.`,
        };
      }
      const short = version.id.slice('sha256:'.length, 'sha256:'.length + 8);
      if (version.seq !== undefined) {
        const channels = channelList(version.channels ?? []);
        return {
          text: `$(versions) v${version.seq}${channels ? ` · ${channels}` : ''}`,
          tooltip: `${version.workflow} v${version.seq} (${version.id})${channels ? `, on ${channels}` : ''}. Click for Publish, Compare with Version, History.`,
        };
      }
      if (version.stored) {
        const latest =
          version.latestSeq === undefined
            ? 'nothing is published yet'
            : `latest published: v${version.latestSeq}`;
        return {
          text: `$(versions) snapshot ${short}`,
          tooltip: `${version.workflow} snapshot ${version.id}, not published (${latest}). Click to publish it.`,
        };
      }
      return {
        text: '$(versions) not snapshotted',
        tooltip: input.snapshotOnSave
          ? `${version.workflow}: this content is valid but not stored yet; it is snapshotted when saved.`
          : `${version.workflow}: this content is not stored (lockstep.snapshotOnSave is off). Publish it to store it.`,
      };
    }
  }
}

/** The channels routing to a version, as the status bar and the lenses say it: `production 10%, staging`. */
export function channelList(
  channels: readonly { readonly channel: string; readonly share: number }[],
): string {
  return channels.map((c) => (c.share === 100 ? c.channel : `${c.channel} ${c.share}%`)).join(', ');
}
