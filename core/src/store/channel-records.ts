/**
 * Channel changes as the control log keeps them (store format 1, added beside publications: a
 * reader that predates channels never met such a line, and older logs hold none). A channel of a
 * workflow points at published versions: one at 100 %, or a stable one and a candidate with a
 * share of the traffic, routed by hash buckets (core/src/channels/routing.ts).
 */
import type { GateEntry } from './local-log.js';
import type { ContentId } from '../model/content-id.js';

/** A published version as a channel names it. */
export interface ChannelVersion {
  readonly version: ContentId;
  readonly seq: number;
}

/** What a canary's health is measured by. */
export type HealthMetric = 'failure_rate' | 'p95_latency' | 'cost_per_run';

/**
 * A threshold that aborts a canary by itself: `metric > threshold` over at least `minRuns` of the
 * candidate's routed runs. Failure rate is a fraction (0.05 for 5 %), latency milliseconds, cost
 * US dollars per run.
 */
export interface HealthRule {
  readonly metric: HealthMetric;
  readonly threshold: number;
  readonly minRuns: number;
}

/** Where a channel sends runs. */
export interface ChannelTargets {
  readonly stable: ChannelVersion;
  /** A canary: the candidate takes `weight` percent of the buckets (the top range). */
  readonly candidate?: ChannelVersion & { readonly weight: number };
  /** An expression over the inputs (`inputs.customer_id`) that keeps a key on one version. */
  readonly sticky?: string;
  /** Thresholds checked as the candidate's routed runs finish. */
  readonly abortIf?: readonly HealthRule[];
}

/** What a change did. `auto-abort` is an abort the health check made, with its figures. */
export type ChannelAction = 'promote' | 'canary' | 'abort' | 'auto-abort' | 'rollback';

/** The figures that made a health check abort a canary. */
export interface HealthTrigger {
  readonly metric: HealthMetric;
  readonly value: number;
  readonly threshold: number;
  /** How many of the candidate's runs were measured. */
  readonly runs: number;
}

/** The fields of a channel change, as the control log records them (besides the chain's). */
export interface ChannelChange {
  readonly workflow: string;
  readonly channel: string;
  readonly action: ChannelAction;
  /** The channel's revision after this change: 1, 2, 3… per channel, gapless. */
  readonly revision: number;
  /** The state before (null: the channel did not point anywhere). */
  readonly from: ChannelTargets | null;
  /** The state after (null: a rollback of the channel's first change empties it). */
  readonly to: ChannelTargets | null;
  readonly message: string;
  /** For a rollback: the revision whose change it undoes. */
  readonly rollsBack?: number;
  /** For an automatic abort: the figures that triggered it. */
  readonly trigger?: HealthTrigger;
  /** For a promotion a gate admitted: that gate (its runs are kept from prune). */
  readonly gate?: GateCitation;
  /** The deployment (`lockstep deploy`) this change belongs to, or that it rolls back. */
  readonly deployment?: string;
}

/** A gate as a promotion cites it: what it compared, on which runs, its verdict and report. */
export type GateCitation = Omit<GateEntry, 'type' | 'workflow'>;

/** What a caller asks a store to append; the store checks the revision under its lock. */
export interface ChannelChangeRequest {
  readonly workflow: string;
  readonly channel: string;
  readonly action: ChannelAction;
  /**
   * The channel's revision the change was decided on (0 for a channel never set). When the
   * channel has moved on since, the store refuses with a `conflict`: compare and swap.
   */
  readonly expectedRevision: number;
  readonly to: ChannelTargets | null;
  readonly message: string;
  readonly at: string;
  readonly actor: string;
  readonly rollsBack?: number;
  readonly trigger?: HealthTrigger;
  readonly gate?: GateCitation;
  readonly deployment?: string;
}

/** A channel as folded from the log. */
export interface ChannelState {
  readonly workflow: string;
  readonly channel: string;
  readonly revision: number;
  /** Where it points now; null once a rollback emptied it. */
  readonly targets: ChannelTargets | null;
  /** Every change, oldest first, with the control-log entry that records it. */
  readonly history: readonly ChannelHistoryEntry[];
  /** Revisions of changes not rolled back, oldest first: what `rollback` undoes next is the last. */
  readonly undoable: readonly number[];
}

/** One change in a channel's history. */
export interface ChannelHistoryEntry extends ChannelChange {
  readonly entry: number;
  readonly at: string;
  readonly actor: string;
  readonly hash: ContentId;
}

/** The versions a state routes to (stable first). */
export function targetVersions(targets: ChannelTargets | null): ChannelVersion[] {
  if (!targets) return [];
  return targets.candidate ? [targets.stable, targets.candidate] : [targets.stable];
}
