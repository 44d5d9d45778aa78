/**
 * What a run records. A run is a journal: events appended as the run proceeds, from which the
 * run's record (header, steps, effects, outcome) is folded. These shapes are the storage format of
 * runs (run format 1): change them only with a format bump.
 */
import type { JsonValue } from './workflow.js';
import type { ContentId } from './content-id.js';

/** The run format this Lockstep writes. */
export const RUN_FORMAT = 1;

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** Every run status, for checking what people type (`--status`, `?status=`). */
export const RUN_STATUSES: readonly RunStatus[] = [
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
];
export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** How a run's effects were answered. */
export type RunMode =
  | { readonly kind: 'live' }
  /** Answered from a fixtures file chosen when the run started. */
  | { readonly kind: 'scripted'; readonly fixtures: ContentId; readonly fixturesPath?: string }
  /** Re-executed from another run's recording (issue 4). */
  | { readonly kind: 'replay'; readonly source: string }
  | { readonly kind: 'replay-against'; readonly source: string };

/**
 * A routing decision, written into the run's header before it starts; absent unless a channel
 * routed the run (runs recorded before channels have none). Replays read it, never re-route.
 */
export interface RoutingDecision {
  readonly channel: string;
  /** The channel's revision the decision was made on. */
  readonly revision: number;
  /** 0–9999: hash(salt, channel, sticky value) mod 10 000, or random. */
  readonly bucket: number;
  /** True when the bucket came from the sticky key; false for a random (or inherited) one. */
  readonly sticky: boolean;
  /** For a sub-workflow without a sticky key: the bucket was its parent run's. */
  readonly inherited?: boolean;
  readonly target: 'stable' | 'candidate';
  /** The version chosen (also the run's version). */
  readonly version: ContentId;
}

/** Everything known when a run starts. */
export interface RunHeader {
  readonly format: number;
  readonly id: string;
  readonly workflow: string;
  readonly version: { readonly id: ContentId; readonly seq?: number };
  readonly mode: RunMode;
  readonly input: { readonly [name: string]: JsonValue };
  readonly engine: { readonly version: string };
  readonly startedAt: string;
  /** The run that called this one, and the calling step's path. */
  readonly parent?: { readonly run: string; readonly step: string };
  readonly routing?: RoutingDecision;
  /** Who wrote the journal: to tell a live run from an interrupted one. */
  readonly writer: { readonly pid: number; readonly host: string };
}

/**
 * The kinds of effect: everything nondeterministic a run touches. `secret` records only whether a
 * secret was set (never its value), so a replay rebuilds requests exactly as they were.
 */
export type EffectKind =
  'llm' | 'http' | 'shell' | 'clock' | 'random' | 'env' | 'secret' | 'workflow';

/** Token usage reported by a model provider. */
export interface TokenUsage {
  readonly input: number;
  readonly output: number;
}

/** A problem, as recorded: a stable kind and a message for people. */
export interface RecordedError {
  /** e.g. `timeout`, `http-status`, `invalid-json`, `rate-limited`, `cancelled`, `expression`. */
  readonly code: string;
  readonly message: string;
  /** What the error is about when it helps (the model's text that was not JSON, say). */
  readonly detail?: JsonValue;
}

/** One effect, as recorded. */
export interface EffectRecord {
  readonly path: string;
  readonly kind: EffectKind;
  /** `<scheme>:sha256:<hex>` of the canonical request (versioned so the scheme can change). */
  readonly key: string;
  /** How many identical (path, kind, key) effects came before this one in the run. */
  readonly occurrence: number;
  /** The canonical request, secrets replaced by placeholders naming them. */
  readonly request: JsonValue;
  /** The response, or absent when the effect failed. */
  readonly response?: JsonValue;
  readonly error?: RecordedError;
  readonly latencyMs: number;
  readonly usage?: TokenUsage;
  /** In replays: where the answer came from (`recording`, `live` or `fixture`). */
  readonly served?: 'recording' | 'live' | 'fixture';
  readonly at: string;
}

/** One step (or one foreach iteration), as recorded. */
export interface StepRecord {
  /** Structural path: `classify`, `notes[intro]`. */
  readonly path: string;
  readonly step: string;
  readonly status: StepStatus;
  /** The step's configuration after expressions were evaluated (secrets as placeholders). */
  readonly input?: JsonValue;
  readonly output: JsonValue;
  readonly attempts: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly error?: RecordedError;
  /** For a foreach step: its iterations' paths, in item order. */
  readonly iterations?: readonly string[];
  /**
   * In a replay against another version: where the step's answers came from. `recorded`: all
   * from the original run; `live` or `stubbed`: at least one called live or taken from a
   * fixture; `missing`: one had no answer; `tainted`: its own answers were recorded, but it read
   * the output of a step that was not.
   */
  readonly provenance?: StepProvenance;
}

export type StepProvenance = 'recorded' | 'live' | 'stubbed' | 'missing' | 'tainted';

/** The journal's events. */
export type RunEvent =
  | { readonly type: 'run-started'; readonly header: RunHeader }
  | {
      readonly type: 'step-started';
      readonly path: string;
      readonly step: string;
      readonly at: string;
    }
  | { readonly type: 'effect'; readonly effect: EffectRecord }
  | { readonly type: 'step-finished'; readonly record: StepRecord }
  | {
      readonly type: 'run-finished';
      readonly status: Exclude<RunStatus, 'running' | 'interrupted'>;
      readonly output: JsonValue;
      readonly error?: RecordedError;
      readonly at: string;
    };

/** A run folded from its journal. */
export interface RunRecord {
  readonly header: RunHeader;
  readonly status: RunStatus;
  readonly output: JsonValue;
  readonly error?: RecordedError;
  readonly finishedAt?: string;
  readonly steps: readonly StepRecord[];
  readonly effects: readonly EffectRecord[];
  /** Steps started and not finished (a run in progress, or one cut short), in start order. */
  readonly inProgress?: readonly {
    readonly path: string;
    readonly step: string;
    readonly at: string;
  }[];
}

/** What history lists show about a run. */
export interface RunSummary {
  readonly id: string;
  readonly workflow: string;
  readonly version: { readonly id: ContentId; readonly seq?: number };
  readonly status: RunStatus;
  readonly mode: RunMode['kind'];
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly parent?: string;
  /**
   * Which channel routed the run, from its header's routing decision (absent when no channel
   * did): enough for a history row ("production · bucket 4123 · candidate") without reading the
   * run whole. The decision's other fields are in the run's record.
   */
  readonly routing?: {
    readonly channel: string;
    /** 0–9999, as in RoutingDecision. */
    readonly bucket: number;
    readonly target: 'stable' | 'candidate';
  };
  /** Tokens of every model call of the run, when it made any. */
  readonly tokens?: TokenUsage;
}
