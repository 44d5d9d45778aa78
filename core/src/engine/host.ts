/**
 * The engine's only window on the world. Everything nondeterministic a run touches (model and
 * HTTP calls, shell commands, the clock, randomness, environment variables, child runs) goes
 * through the host, which performs it live, answers it from fixtures, or replays it from a
 * recording, and records it. The engine itself is deterministic given the host's answers.
 */
import type { JsonValue } from '../model/workflow.js';
import type { EffectKind, RunEvent, RunStatus, TokenUsage } from '../model/runs.js';

/** An effect the engine needs. */
export interface EffectCall {
  /** The step path it belongs to (`classify`, `notes[intro]`), or `run` for run-level reads. */
  readonly path: string;
  readonly kind: EffectKind;
  /** The canonical request: allow-listed fields, secrets as placeholders. Identifies the effect. */
  readonly request: JsonValue;
  /** What to actually send: the canonical request's content with real secret values and the
   * transport details left out of it (base URL, API key, streaming). Absent for clock, random
   * and env reads, which need nothing more. */
  readonly live?: JsonValue;
  /** How long one attempt may take (the step's `timeout`), for executors with their own default. */
  readonly timeoutMs?: number;
  /**
   * The secrets the step placed in `live` (by name), so the host can check that the request goes
   * where each may be sent before it leaves.
   */
  readonly secrets?: readonly string[];
  /** Where `live` is sent: the URL of an http request, the endpoint of a model call. */
  readonly destination?: string;
}

/** Where an effect's answer came from, when it was not simply performed live. */
export type EffectSource = 'recording' | 'live' | 'fixture';

/** A performed effect's answer. */
export interface EffectOutcome {
  readonly response: JsonValue;
  readonly usage?: TokenUsage;
  /** Set by replays: the answer was recorded, called live, or taken from a fixture. */
  readonly served?: EffectSource;
}

/** A sub-workflow call. */
export interface ChildRunRequest {
  /** The calling step's path. */
  readonly path: string;
  readonly workflow: string;
  /** The pin as written: a published number, `sha256:<prefix>`, a channel; undefined = current file. */
  readonly version?: number | string;
  readonly inputs: { readonly [name: string]: JsonValue };
}

/** A finished child run. */
export interface ChildRunOutcome {
  readonly run: string;
  readonly version: { readonly id: string; readonly seq?: number };
  readonly status: RunStatus;
  readonly output: JsonValue;
  /** Set by replays: the child's outcome was recorded, or the child ran live. */
  readonly served?: EffectSource;
}

export interface EngineHost {
  /**
   * Performs an effect (or answers it from fixtures or a recording) and records it.
   * @throws EngineError saying what failed (timeout, status, malformed body…).
   */
  effect(call: EffectCall, signal: AbortSignal): Promise<EffectOutcome>;
  /** Runs a child workflow as its own run, linked to this one, and records the call. */
  runChild(request: ChildRunRequest, signal: AbortSignal): Promise<ChildRunOutcome>;
  /** A secret's value (never recorded), or undefined when it is not set. */
  secret(name: string): string | undefined;
  /**
   * A value made from a secret (the credential of HTTP Basic authentication): redacted from
   * everything recorded from now on, as the secret `name` is.
   */
  protect(name: string, value: string): void;
  /** `value` as it will be recorded: every secret the run knows replaced by its placeholder. */
  redact<T extends JsonValue>(value: T): T;
  /** Waits before a retry; a replay may return at once. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Observes the run as it proceeds (journal, progress). */
  emit(event: RunEvent): void;
  /** The time now, for step timings only (informative: not an effect, never replayed). */
  timestamp(): string;
  /** Whether shell steps may run (the user's decision, never the workflow's). */
  readonly shellAllowed: boolean;
}
