/**
 * The host for live and scripted runs: performs each effect through an executor and records it
 * in the run's journal with its identity (path, kind, request key, occurrence), response, latency
 * and token usage. Every event is redacted of secret values before it is written.
 */
import { boundedMemo } from '../bounded-memo.js';
import type { JsonValue } from '../model/workflow.js';
import { recordError } from '../engine/engine-error.js';
import { cancellableSleep } from '../engine/cancellable-sleep.js';
import { redactSecrets, requestKey, secretForms, secretPlaceholder } from '../engine/effects.js';
import { EngineError } from '../engine/engine-error.js';
import { hostAllowed } from '../validate/config-settings.js';
import type {
  ChildRunOutcome,
  ChildRunRequest,
  EffectCall,
  EffectOutcome,
  EngineHost,
} from '../engine/host.js';
import type { RunWriter } from '../store/store.js';
import type { EffectKind, EffectRecord, RecordedError, RunEvent } from '../model/runs.js';

/** Performs effects for real (providers) or from fixtures. */
/** An effect's identity in its run: with its path and kind, what a replay matches on. */
export interface EffectIdentity {
  /** `rk1:sha256:…` of the canonical request. */
  readonly key: string;
  /** How many identical (path, kind, key) effects came before it in the run. */
  readonly occurrence: number;
}

export interface EffectExecutor {
  /**
   * @throws EngineError saying what failed; any other error is recorded as internal.
   */
  execute(call: EffectCall, signal: AbortSignal, identity: EffectIdentity): Promise<EffectOutcome>;
}

export interface RecordingHostOptions {
  readonly writer: RunWriter;
  readonly executor: EffectExecutor;
  /**
   * A secret's value from wherever the user keeps secrets (environment, editor storage).
   * @throws EngineError (`secret-not-listed`) for a secret the workspace does not list.
   */
  readonly secret: (name: string) => string | undefined;
  /**
   * The hosts a secret may be sent to; undefined when it may go anywhere. A request carrying a
   * secret to any other host fails before it leaves, and so does a shell step given one.
   */
  readonly secretHosts?: (name: string) => readonly string[] | undefined;
  /**
   * Values to redact from everything recorded whether or not the run reads them: every secret
   * the workspace lists, and the secrets of the runs that called this one.
   */
  readonly redact?: ReadonlyMap<string, string>;
  readonly shellAllowed: boolean;
  /** Runs a child workflow as its own run (the runner provides this). */
  readonly runChild: (
    request: ChildRunRequest,
    signal: AbortSignal,
    identity: EffectIdentity,
  ) => Promise<ChildRunOutcome>;
  /** Waits before a retry (default: a real timer; a replay answers at once). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Adds to an event before it is recorded (a replay marks where each step's answers came from). */
  readonly annotate?: (event: RunEvent) => RunEvent;
  /** Sees every event as it is recorded (already redacted): progress for the CLI and editor. */
  readonly onEvent?: (event: RunEvent) => void;
  /** The time, for timestamps; the system clock by default. */
  readonly now?: () => Date;
}

export class RecordingHost implements EngineHost {
  readonly shellAllowed: boolean;
  private readonly occurrences = new Map<string, number>();
  private readonly secretValues = new Map<string, string>();
  private appending: Promise<void> = Promise.resolve();
  private appendFailure: unknown;
  private readonly now: () => Date;

  constructor(private readonly options: RecordingHostOptions) {
    this.shellAllowed = options.shellAllowed;
    this.now = options.now ?? (() => new Date());
    for (const [name, value] of options.redact ?? []) {
      if (value !== '' && value !== secretPlaceholder(name)) this.secretValues.set(name, value);
    }
  }

  /** Every value this host redacts, by name: what a child run must redact too. */
  redactedValues(): ReadonlyMap<string, string> {
    return this.secretValues;
  }

  secret(name: string): string | undefined {
    const value = this.options.secret(name);
    const set = value !== undefined && value !== '';
    // A replay answers with the placeholder itself: there is nothing to redact then, and
    // redacting every event for nothing cost about a tenth of an exact replay's time.
    if (set && value !== secretPlaceholder(name)) this.secretValues.set(name, value);
    // Whether it was set, never the value: a replay needs it to rebuild requests exactly.
    const request = { name };
    const key = secretRequestKey(name);
    this.record({
      path: 'run',
      kind: 'secret',
      key,
      occurrence: this.nextOccurrence('run', 'secret', key),
      request,
      response: set,
      latencyMs: 0,
      at: this.timestamp(),
    });
    return value;
  }

  redact<T extends JsonValue>(value: T): T {
    return redactSecrets(value, this.secretValues);
  }

  protect(name: string, value: string): void {
    if (value !== '') this.secretValues.set(name, value);
  }

  timestamp(): string {
    return this.options.now ? this.now().toISOString() : isoNow();
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return (this.options.sleep ?? cancellableSleep)(ms, signal);
  }

  /** Records an event; returns it as recorded (secrets redacted). */
  emit(event: RunEvent): RunEvent {
    const redacted = redactEvent(
      this.options.annotate ? this.options.annotate(event) : event,
      this.secretValues,
    );
    // Appended at once rather than after the previous append settles: the writer keeps the
    // order, and can then write the events of one turn together (see RunWriter.append).
    const appended = this.options.writer.append(redacted).catch((error: unknown) => {
      this.appendFailure ??= error;
    });
    this.appending = this.appending.then(() => appended);
    this.options.onEvent?.(redacted);
    return redacted;
  }

  async effect(call: EffectCall, signal: AbortSignal): Promise<EffectOutcome> {
    const key = requestKey(call.request);
    const occurrence = this.nextOccurrence(call.path, call.kind, key);
    if (irreversible(call)) await this.sync(); // what happened before it survives a power loss
    const at = this.timestamp();
    const started = performance.now();
    try {
      this.checkDestination(call);
      const outcome = await this.options.executor.execute(call, signal, { key, occurrence });
      this.record({
        path: call.path,
        kind: call.kind,
        key,
        occurrence,
        request: call.request,
        response: outcome.response,
        latencyMs: elapsed(started),
        ...(outcome.usage ? { usage: outcome.usage } : {}),
        ...(outcome.served ? { served: outcome.served } : {}),
        at,
      });
      return outcome;
    } catch (error) {
      const recorded: RecordedError = signal.aborted
        ? abortedError(call.path, signal)
        : recordError(error);
      this.record({
        path: call.path,
        kind: call.kind,
        key,
        occurrence,
        request: call.request,
        error: recorded,
        latencyMs: elapsed(started),
        at,
      });
      throw error;
    }
  }

  async runChild(request: ChildRunRequest, signal: AbortSignal): Promise<ChildRunOutcome> {
    const canonical = redactSecrets(
      { workflow: request.workflow, version: request.version ?? null, inputs: request.inputs },
      this.secretValues,
    );
    const key = requestKey(canonical);
    const occurrence = this.nextOccurrence(request.path, 'workflow', key);
    const at = this.timestamp();
    const started = performance.now();
    const outcome = await this.options.runChild(request, signal, { key, occurrence });
    const { served, ...result } = outcome;
    this.record({
      path: request.path,
      kind: 'workflow',
      key,
      occurrence,
      request: canonical,
      response: result as unknown as JsonValue,
      latencyMs: elapsed(started),
      ...(served ? { served } : {}),
      at,
    });
    return outcome;
  }

  /** Waits for every event so far to be written, then makes them durable. */
  async sync(): Promise<void> {
    await this.flush();
    await this.options.writer.sync();
  }

  /**
   * Waits for every event so far to be handed to the store.
   * @throws the first error the store raised while appending.
   */
  async flush(): Promise<void> {
    await this.appending;
    if (this.appendFailure !== undefined) throw this.appendFailure;
  }

  /**
   * Refuses a request that would carry a secret bound to hosts (config `secrets: { NAME: { hosts
   * } }`) anywhere else: a secret placed in it by name, or one that reached it through data (a
   * response that echoed it), in any form redaction knows.
   * @throws EngineError (`secret-host`), before anything is sent.
   */
  private checkDestination(call: EffectCall): void {
    const hostsOf = this.options.secretHosts;
    if (!hostsOf || call.live === undefined) return;
    const carried = new Set(call.secrets ?? []);
    const text = JSON.stringify(call.live);
    for (const [name, value] of this.secretValues) {
      if (secretForms(value).some((form) => text.includes(form))) carried.add(name);
    }
    for (const name of carried) {
      const hosts = hostsOf(name);
      if (hosts === undefined) continue;
      const host = hostOf(call.destination);
      if (host !== undefined && hostAllowed(host, hosts)) continue;
      throw new EngineError(
        'secret-host',
        host === undefined
          ? `${call.path}: secrets.${name} may only be sent to ${hosts.join(', ')}, and a ${call.kind} step could send it anywhere; nothing was run`
          : `${call.path}: secrets.${name} may only be sent to ${hosts.join(', ')}, not to ${host}; the request was not sent (its hosts are set in .lockstep/config.yaml)`,
      );
    }
  }

  private record(effect: EffectRecord): void {
    this.emit({ type: 'effect', effect });
  }

  private nextOccurrence(path: string, kind: EffectKind, key: string): number {
    const identity = `${path}\u0000${kind}\u0000${key}`;
    const occurrence = this.occurrences.get(identity) ?? 0;
    this.occurrences.set(identity, occurrence + 1);
    return occurrence;
  }
}

/**
 * The event with secret values replaced in what it carries (requests, responses, inputs, outputs,
 * error messages), never in its structure: field names, ids, paths, keys and statuses stay
 * intact, so a journal remains readable even when a secret is as short as a letter.
 */
function redactEvent(event: RunEvent, secrets: ReadonlyMap<string, string>): RunEvent {
  if (secrets.size === 0) return event;
  const redact = <T extends JsonValue>(value: T): T => redactSecrets(value, secrets);
  const redactError = (error: RecordedError): RecordedError => ({
    ...error,
    message: redact(error.message),
    ...(error.detail === undefined ? {} : { detail: redact(error.detail) }),
  });
  switch (event.type) {
    case 'effect': {
      const effect = event.effect;
      return {
        type: 'effect',
        effect: {
          ...effect,
          request: redact(effect.request),
          ...(effect.response === undefined ? {} : { response: redact(effect.response) }),
          ...(effect.error ? { error: redactError(effect.error) } : {}),
        },
      };
    }
    case 'step-finished': {
      const record = event.record;
      return {
        type: 'step-finished',
        record: {
          ...record,
          output: redact(record.output),
          ...(record.input === undefined ? {} : { input: redact(record.input) }),
          ...(record.error ? { error: redactError(record.error) } : {}),
        },
      };
    }
    case 'run-finished':
      return {
        ...event,
        output: redact(event.output),
        ...(event.error ? { error: redactError(event.error) } : {}),
      };
    default:
      return event;
  }
}

/** Effects that change something outside: the journal is synced before them. */
function irreversible(call: EffectCall): boolean {
  if (call.kind === 'shell') return true;
  if (call.kind !== 'http') return false;
  const method = (call.request as { method?: unknown } | null)?.method;
  return method !== 'GET' && method !== 'HEAD';
}

/** Why an effect's signal stopped it: the step's timeout, or the run (or a sibling) ending. */
function abortedError(path: string, signal: AbortSignal): RecordedError {
  return (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'
    ? { code: 'timeout', message: `${path}: the step's timeout expired` }
    : { code: 'cancelled', message: `${path}: cancelled` };
}

/** Request keys of secret reads, by name: every run reads the same few. */
const secretRequestKey = boundedMemo(1_000, (name: string) => requestKey({ name }));

/** The last system time formatted, and the millisecond it is for. */
let lastStamp = { millis: Number.NaN, text: '' };

/**
 * The system time as ISO 8601. Runs stamp every event, many within one millisecond: the text is
 * formatted once per millisecond (the same text `new Date().toISOString()` gives).
 */
function isoNow(): string {
  const millis = Date.now();
  if (millis !== lastStamp.millis) lastStamp = { millis, text: new Date(millis).toISOString() };
  return lastStamp.text;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/** The host name a request goes to, or undefined when it has none (a shell command). */
function hostOf(destination: string | undefined): string | undefined {
  if (destination === undefined) return undefined;
  try {
    return new URL(destination).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}
