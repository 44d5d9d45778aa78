/**
 * Routing by hash buckets (ARCHITECTURE.md, Routing): a run falls in a bucket 0–9999, and the
 * candidate takes the top `weight × 100` buckets, so raising its share only moves keys from stable
 * to candidate. A sticky key's bucket is hash(salt, channel, value); without one the bucket is
 * random, and recorded as such.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../hash/canonical.js';
import type { JsonValue } from '../model/workflow.js';
import type { RoutingDecision } from '../model/runs.js';
import type { ChannelState, ChannelVersion } from '../store/channel-records.js';

/** How many buckets the traffic is cut into: a share is exact to 0.01 %. */
export const BUCKETS = 10_000;

/**
 * The bucket of a sticky value. The salt is the candidate's version id: growing one canary keeps
 * every key where it was, while the next canary draws a different set of keys first.
 */
export function stickyBucket(salt: string, channel: string, value: JsonValue): number {
  const digest = createHash('sha256')
    .update(canonicalJson([salt, channel, value]))
    .digest();
  // 48 bits are far more than 10 000 needs: the modulo bias is below 1e-10.
  return digest.readUIntBE(0, 6) % BUCKETS;
}

/** Whether a bucket goes to the candidate at `weight` percent (the top range). */
export function isCandidateBucket(bucket: number, weight: number): boolean {
  return bucket >= BUCKETS - Math.round(weight * (BUCKETS / 100));
}

/** How a run's bucket is found: a sticky value, a parent's bucket, or at random. */
export type BucketSource =
  | { readonly kind: 'sticky'; readonly value: JsonValue }
  | { readonly kind: 'inherited'; readonly bucket: number }
  | { readonly kind: 'random'; readonly random: () => number };

/**
 * Routes one run through a channel that points somewhere.
 * @returns the chosen version and the decision to record in the run before it starts.
 */
export function route(
  state: ChannelState & { readonly targets: NonNullable<ChannelState['targets']> },
  source: BucketSource,
): { version: ChannelVersion; decision: RoutingDecision } {
  const { stable, candidate } = state.targets;
  const bucket =
    source.kind === 'sticky'
      ? stickyBucket(candidate?.version ?? stable.version, state.channel, source.value)
      : source.kind === 'inherited'
        ? source.bucket
        : Math.min(BUCKETS - 1, Math.floor(source.random() * BUCKETS));
  const toCandidate = candidate !== undefined && isCandidateBucket(bucket, candidate.weight);
  const version = toCandidate ? candidate : stable;
  return {
    version: { version: version.version, seq: version.seq },
    decision: {
      channel: state.channel,
      revision: state.revision,
      bucket,
      sticky: source.kind === 'sticky',
      ...(source.kind === 'inherited' ? { inherited: true } : {}),
      target: toCandidate ? 'candidate' : 'stable',
      version: version.version,
    },
  };
}
