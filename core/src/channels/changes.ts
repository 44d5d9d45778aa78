/**
 * The channel changes people ask for (promote, canary, abort, rollback), decided on a channel's
 * current state: each returns the request a store appends, carrying the revision it was decided
 * on, or refuses with a message that says what to do instead.
 */
import { LockstepError } from '../model/errors.js';
import type {
  ChannelChangeRequest,
  ChannelState,
  ChannelTargets,
  ChannelVersion,
  HealthRule,
} from '../store/channel-records.js';

/** Who, when and why: what every change records besides its targets. */
export interface ChangeMeta {
  readonly at: string;
  readonly actor: string;
  readonly message: string;
}

const invalid = (message: string): LockstepError => new LockstepError('invalid-change', message);

function request(
  workflow: string,
  channel: string,
  state: ChannelState | undefined,
  action: ChannelChangeRequest['action'],
  to: ChannelTargets | null,
  meta: ChangeMeta,
): ChannelChangeRequest {
  return { workflow, channel, action, expectedRevision: state?.revision ?? 0, to, ...meta };
}

/** Puts `version` on the channel at 100 % (a canary in progress ends). */
export function promoteChange(
  workflow: string,
  channel: string,
  state: ChannelState | undefined,
  version: ChannelVersion,
  meta: ChangeMeta,
): ChannelChangeRequest {
  const current = state?.targets;
  if (current && !current.candidate && current.stable.version === version.version) {
    throw invalid(
      `${workflow} v${version.seq} already takes all of channel '${channel}'; nothing to change`,
    );
  }
  return request(workflow, channel, state, 'promote', { stable: version }, meta);
}

export interface CanaryOptions {
  /** Percent of the buckets, 0 < weight ≤ 100; 100 completes the rollout. */
  readonly weight: number;
  readonly sticky?: string;
  readonly abortIf?: readonly HealthRule[];
}

/**
 * Starts a canary of `version` beside the channel's stable version, or changes its weight (or
 * sticky key, or thresholds) when it is already the candidate; `weight` 100 completes it.
 */
export function canaryChange(
  workflow: string,
  channel: string,
  state: ChannelState | undefined,
  version: ChannelVersion,
  options: CanaryOptions,
  meta: ChangeMeta,
): ChannelChangeRequest {
  const current = state?.targets;
  if (!current) {
    throw invalid(
      `channel '${channel}' of ${workflow} points nowhere yet: a canary needs a stable version (\`lockstep promote ${workflow}@<n> --channel ${channel}\` first)`,
    );
  }
  if (!(options.weight > 0 && options.weight <= 100)) {
    throw new LockstepError(
      'usage',
      `--weight ${options.weight}: give a percentage above 0, at most 100`,
    );
  }
  if (current.stable.version === version.version) {
    throw invalid(
      `${workflow} v${version.seq} is the stable version of '${channel}': canary a newer one`,
    );
  }
  if (current.candidate && current.candidate.version !== version.version) {
    throw invalid(
      `channel '${channel}' already has a canary of ${workflow} v${current.candidate.seq} at ${current.candidate.weight}%: complete it (--weight 100) or abort it (\`lockstep canary --abort ${workflow} --channel ${channel}\`) first`,
    );
  }
  if (options.weight === 100) {
    return request(workflow, channel, state, 'canary', { stable: version }, meta);
  }
  const sticky = options.sticky ?? current.sticky;
  const abortIf = options.abortIf ?? current.abortIf;
  return request(
    workflow,
    channel,
    state,
    'canary',
    {
      stable: current.stable,
      candidate: { ...version, weight: options.weight },
      ...(sticky === undefined ? {} : { sticky }),
      ...(abortIf === undefined || abortIf.length === 0 ? {} : { abortIf }),
    },
    meta,
  );
}

/** Returns all traffic to the stable version. */
export function abortChange(
  workflow: string,
  channel: string,
  state: ChannelState | undefined,
  meta: ChangeMeta,
): ChannelChangeRequest {
  const current = state?.targets;
  if (!current?.candidate) {
    throw invalid(`channel '${channel}' of ${workflow} has no canary to abort`);
  }
  const { candidate: _candidate, ...rest } = current;
  return request(workflow, channel, state, 'abort', rest, meta);
}

/**
 * Returns the channel to its state before its latest change not rolled back yet; repeating it
 * walks further back.
 */
export function rollbackChange(
  workflow: string,
  channel: string,
  state: ChannelState | undefined,
  meta: ChangeMeta,
): ChannelChangeRequest {
  const undo = state?.undoable.at(-1);
  const change = state?.history.find((h) => h.revision === undo);
  if (!state || undo === undefined || !change) {
    throw invalid(
      state
        ? `channel '${channel}' of ${workflow} has no change left to roll back (every change was rolled back)`
        : `${workflow} has no channel '${channel}' to roll back`,
    );
  }
  return { ...request(workflow, channel, state, 'rollback', change.from, meta), rollsBack: undo };
}

/** How many of the candidate's runs a threshold needs before it can abort (default). */
export const DEFAULT_MIN_RUNS = 20;

/**
 * Parses an `--abort-if` threshold: `failure_rate > 5%`, `p95_latency > 2s` (or `800ms`),
 * `cost_per_run > 0.02` (US dollars; a leading `$` is allowed).
 * @throws LockstepError `usage` quoting the text and the accepted forms.
 */
export function parseAbortIf(text: string, minRuns: number): HealthRule {
  const match =
    /^\s*(failure_rate|p95_latency|cost_per_run)\s*>\s*\$?([0-9]+(?:\.[0-9]+)?)\s*(%|ms|s)?\s*$/.exec(
      text,
    );
  const bad = (): never => {
    throw new LockstepError(
      'usage',
      `--abort-if '${text}': write "failure_rate > 5%", "p95_latency > 2s" (or 800ms) or "cost_per_run > 0.02" (US dollars)`,
    );
  };
  if (!match) return bad();
  const metric = match[1] as HealthRule['metric'];
  const number = Number(match[2]);
  const unit = match[3];
  let threshold: number;
  if (metric === 'failure_rate') {
    if (unit !== '%' && unit !== undefined) return bad();
    threshold = unit === '%' ? number / 100 : number;
  } else if (metric === 'p95_latency') {
    if (unit === '%') return bad();
    threshold = unit === 's' ? number * 1000 : number;
  } else {
    if (unit !== undefined) return bad();
    threshold = number;
  }
  return { metric, threshold, minRuns };
}
