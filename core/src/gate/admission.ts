/**
 * Which recorded gate admits a promotion: the latest gate of the candidate against the channel's
 * current (stable) version. A promotion cites it in its control-log entry; with
 * `--require-gate` a promotion without a passing one is refused.
 */
import { shortId, type ContentId } from '../model/content-id.js';
import { LockstepError } from '../model/errors.js';
import type { ChannelState, GateCitation } from '../store/channel-records.js';
import { gatesOf, type GateEntry } from '../store/local-log.js';
import type { Store } from '../store/store.js';

/**
 * The latest gate recorded for `candidate` against the channel's current stable version; none
 * when the channel points nowhere or no such gate ran.
 */
export async function latestGate(
  store: Store,
  workflow: string,
  candidate: ContentId,
  state: ChannelState | undefined,
): Promise<GateEntry | undefined> {
  const baseline = state?.targets?.stable.version;
  if (baseline === undefined) return undefined;
  return gatesOf(await store.readLocalLog(), workflow)
    .filter((gate) => gate.candidate === candidate && gate.baseline === baseline)
    .at(-1);
}

/** A recorded gate as a promotion cites it. */
export function citation(gate: GateEntry): GateCitation {
  const { type: _type, workflow: _workflow, ...cited } = gate;
  return cited;
}

/**
 * The gate that admits `candidate` (v`seq`) onto the channel, checked for `--require-gate`.
 * @throws LockstepError `gate-required` when the channel points nowhere, no gate of the
 *   candidate against its current version was recorded, or the latest one failed.
 */
export async function requireGate(
  store: Store,
  workflow: string,
  channel: string,
  candidate: { readonly version: ContentId; readonly seq: number },
  state: ChannelState | undefined,
): Promise<GateEntry> {
  const current = state?.targets?.stable;
  const gateCommand = `\`lockstep gate ${workflow}@${candidate.seq} --baseline ${channel}\``;
  if (!current) {
    throw new LockstepError(
      'gate-required',
      `--require-gate: channel '${channel}' of ${workflow} points at no version, so there is nothing to gate v${candidate.seq} against; promote the first version without --require-gate`,
    );
  }
  const gate = await latestGate(store, workflow, candidate.version, state);
  if (!gate) {
    throw new LockstepError(
      'gate-required',
      `--require-gate: no gate of ${workflow} v${candidate.seq} against ${channel}'s v${current.seq} was recorded here; run ${gateCommand} first`,
    );
  }
  if (!gate.pass) {
    throw new LockstepError(
      'gate-required',
      `--require-gate: the latest gate of ${workflow} v${candidate.seq} against v${current.seq} (${gate.at}, report ${shortId(gate.report)}) failed: ${gate.changed} of ${gate.sample.length} runs changed`,
    );
  }
  return gate;
}

/**
 * The gate a promotion of `candidate` cites: with `required`, the passing gate `requireGate`
 * demands; else the latest gate against the channel's current version, when it passed.
 * @throws LockstepError `gate-required` as `requireGate`, only when `required`.
 */
export async function admittingGate(
  store: Store,
  workflow: string,
  channel: string,
  candidate: { readonly version: ContentId; readonly seq: number },
  state: ChannelState | undefined,
  required = false,
): Promise<GateCitation | undefined> {
  const gate = required
    ? await requireGate(store, workflow, channel, candidate, state)
    : await latestGate(store, workflow, candidate.version, state);
  return gate?.pass ? citation(gate) : undefined;
}
