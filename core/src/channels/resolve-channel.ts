/**
 * Resolving `name@<channel>` for a run: reads the channel as the control log says now (a
 * long-running process catches up on every call, so it follows promotions and rollbacks without
 * a restart), routes the run, and returns the version with the decision to record.
 */
import { RefError } from '../model/errors.js';
import type { RoutingDecision } from '../model/runs.js';
import type { JsonValue } from '../model/workflow.js';
import type { Store } from '../store/store.js';
import type { ResolvedVersion } from '../versions/resolve.js';
import { route, type BucketSource } from './routing.js';
import { stickyValue } from './sticky.js';

/** A version chosen by a channel, with the decision that chose it. */
export interface RoutedVersion extends ResolvedVersion {
  readonly routing: RoutingDecision;
}

export interface RouteOptions {
  /** The run's input: the sticky expression reads it. */
  readonly input: { readonly [name: string]: JsonValue };
  /** A calling run's bucket: a child without a sticky key takes it. */
  readonly parentBucket?: number;
  /** Where a random bucket comes from (default Math.random). */
  readonly random?: () => number;
}

/**
 * Routes a run of `workflow` through `channel`.
 * @throws RefError `unknown-channel` when the channel was never set or a rollback emptied it.
 */
export async function resolveChannel(
  store: Store,
  workflow: string,
  channel: string,
  options: RouteOptions,
): Promise<RoutedVersion> {
  const state = await store.getChannel(workflow, channel);
  const targets = state?.targets;
  if (!state || !targets) {
    const names = (await store.listChannels(workflow))
      .filter((c) => c.targets)
      .map((c) => c.channel);
    const why = state
      ? `it points nowhere since a rollback undid its first change (revision ${state.revision})`
      : `no channel '${channel}' has been set for it`;
    throw new RefError(
      'unknown-channel',
      `${workflow}@${channel}: ${why}; ${names.length === 0 ? `\`lockstep promote ${workflow}@<n> --channel ${channel}\` sets one` : `channels: ${names.join(', ')}`}`,
    );
  }
  const sticky =
    targets.sticky === undefined ? undefined : await stickyValue(targets.sticky, options.input);
  const source: BucketSource =
    sticky !== undefined
      ? { kind: 'sticky', value: sticky }
      : options.parentBucket !== undefined
        ? { kind: 'inherited', bucket: options.parentBucket }
        : { kind: 'random', random: options.random ?? Math.random };
  const { version, decision } = route({ ...state, targets }, source);
  const record = await store.getVersion(workflow, version.version);
  const publication = (await store.listPublications(workflow)).find((p) => p.seq === version.seq);
  if (!record || !publication) {
    throw new RefError(
      'unknown-version',
      `${workflow}@${channel}: v${version.seq} (${version.version}) is missing from the store`,
    );
  }
  return { record, publication, routing: decision };
}
