/**
 * Which published versions are executable and which are retired (computed, never stored): the
 * last `keep` (`retention.versions`, default 3) stay executable, and so does any version a
 * channel points at or with runs in flight; older ones are retired: no new runs without an
 * explicit override, still readable and always replayable.
 */
import { RefError } from '../model/errors.js';
import type { ContentId } from '../model/content-id.js';
import type { Publication } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ChannelState } from '../store/channel-records.js';

/** Published versions kept executable when the config does not say. */
export const DEFAULT_VERSIONS_KEPT = 3;

/** A published version's state. */
export interface VersionState {
  readonly seq: number;
  readonly version: ContentId;
  readonly state: 'executable' | 'retired';
  /** The channels pointing at it, with its share of each (percent). */
  readonly channels: readonly { readonly channel: string; readonly share: number }[];
  /** Why a version beyond the kept ones is still executable. */
  readonly keptBecause?: 'channel' | 'runs in flight';
}

/** The states of a workflow's publications, by ascending seq. */
export function versionStates(
  publications: readonly Publication[],
  channels: readonly ChannelState[],
  inFlight: ReadonlySet<ContentId>,
  keep: number,
): VersionState[] {
  const newestKept = (publications.at(-1)?.seq ?? 0) - keep;
  return publications.map((p) => {
    const on = channels.flatMap((c) => {
      const t = c.targets;
      if (!t) return [];
      const candidate = t.candidate;
      if (candidate?.version === p.version)
        return [{ channel: c.channel, share: candidate.weight }];
      if (t.stable.version === p.version) {
        return [{ channel: c.channel, share: +(100 - (candidate?.weight ?? 0)).toFixed(2) }];
      }
      return [];
    });
    const base = { seq: p.seq, version: p.version, channels: on };
    if (p.seq > newestKept) return { ...base, state: 'executable' as const };
    if (on.length > 0)
      return { ...base, state: 'executable' as const, keptBecause: 'channel' as const };
    if (inFlight.has(p.version)) {
      return { ...base, state: 'executable' as const, keptBecause: 'runs in flight' as const };
    }
    return { ...base, state: 'retired' as const };
  });
}

/** Reads what `versionStates` needs from a store. */
export async function loadVersionStates(
  store: Store,
  workflow: string,
  keep: number,
): Promise<VersionState[]> {
  const running = await store.listRuns({ workflow, status: 'running', limit: 10_000 });
  return versionStates(
    await store.listPublications(workflow),
    await store.listChannels(workflow),
    new Set(running.map((r) => r.version.id)),
    keep,
  );
}

/**
 * Refuses a new run of a retired version.
 * @throws RefError `retired-version` naming the version, what is kept, and the override.
 */
export async function assertExecutable(
  store: Store,
  workflow: string,
  version: ContentId,
  keep: number,
): Promise<void> {
  const states = await loadVersionStates(store, workflow, keep);
  const state = states.find((s) => s.version === version);
  if (state?.state !== 'retired') return;
  const last = states.at(-1)!.seq;
  throw new RefError(
    'retired-version',
    `${workflow} v${state.seq} is retired (retention.versions: ${keep} keeps v${Math.max(1, last - keep + 1)}–v${last} executable): run it anyway with --allow-retired (allowRetired in the library), or replay its runs`,
  );
}
