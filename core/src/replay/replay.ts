/**
 * Replays a recorded run, either exactly (on its own version, every answer from the recording:
 * no provider is called and no secret is needed) or against another version (the same real
 * input; recorded answers reused only where the canonical request is identical). A replay is a
 * run too (mode `replay` or `replay-against`, naming its source), and is compared with its source
 * step by step.
 */
import { RefError } from '../model/errors.js';
import { EngineError } from '../engine/engine-error.js';
import { secretPlaceholder } from '../engine/effects.js';
import type { ChildRunOutcome, ChildRunRequest } from '../engine/host.js';
import type { EffectExecutor, EffectIdentity } from '../runs/recording-host.js';
import { foldRun } from '../store/fold-run.js';
import type { RunEvent, RunRecord } from '../model/runs.js';
import { runVersion, type RunResult } from '../runs/runner.js';
import { withPublication, type ResolvedVersion } from '../versions/resolve.js';
import type { Store } from '../store/store.js';
import { LOCKSTEP_VERSION } from '../version.js';
import { compareRuns, type Prices, type RunComparison } from './compare.js';
import { DivergenceError, divergenceReport, type DivergenceReport } from './divergence.js';
import { ProvenanceTracker } from './provenance.js';
import { RecordedEffects } from './recorded-effects.js';
import { ReplayExecutor, type MissPolicy } from './replay-executor.js';

export interface ReplayOptions {
  readonly store: Store;
  /** The recorded run to replay. */
  readonly run: string;
  /**
   * The recording itself, when it is not in the store: a regression baseline's copy (a fresh
   * clone has the baselines but none of the runs they were taken from). Its id is `run`.
   */
  readonly source?: RunRecord;
  /** Replay against this version instead of the run's own (a replay-against). */
  readonly against?: ResolvedVersion;
  /** In a replay against another version: what a request without a recorded answer does (default live). */
  readonly onMiss?: MissPolicy;
  /** Performs calls for real (misses under `live`, reads of the clock and randomness by new steps). */
  readonly live?: EffectExecutor;
  /** Answers misses under `stub`. */
  readonly fixtures?: EffectExecutor;
  /** Secrets for live calls; an exact replay never needs one. */
  readonly secret?: (name: string) => string | undefined;
  /** Where each secret may be sent, for live calls (see RunOptions.secretHosts). */
  readonly secretHosts?: (name: string) => readonly string[] | undefined;
  /** Values the replay redacts whether it reads them or not (see RunOptions.redact). */
  readonly redact?: ReadonlyMap<string, string>;
  /** Resolves sub-workflows called live (misses under `live`). */
  readonly resolveChild?: (
    workflow: string,
    pin: number | string | undefined,
  ) => Promise<ResolvedVersion>;
  /** Whether a shell step without a recorded answer may run (misses under `live`). */
  readonly shellAllowed?: boolean;
  readonly writer: { readonly pid: number; readonly host: string };
  readonly signal?: AbortSignal;
  readonly onEvent?: Parameters<typeof runVersion>[0]['onEvent'];
  /** Model prices for the comparison's cost figures. */
  readonly prices?: Prices;
  /** Set for the replays of child runs. */
  readonly parent?: { readonly run: string; readonly step: string };
}

export interface ReplayReport {
  readonly kind: 'exact' | 'against';
  readonly source: RunRecord;
  /** The replay, recorded as a run of its own. */
  readonly replay: RunResult;
  readonly engine: { readonly recorded: string; readonly now: string };
  /** Exact replays: true when every step and the output are identical to the recording. */
  readonly verified?: boolean;
  /** Where the replay asked for something the recording does not hold. */
  readonly divergence?: DivergenceReport;
  /** The replay against its source, step by step. */
  readonly comparison: RunComparison;
}

/**
 * Replays a run and compares the replay with it.
 * @throws RefError when the run or its version is not in the store.
 * @throws InputError when the other version's inputs do not fit the run's input.
 */
export async function replayRun(options: ReplayOptions): Promise<ReplayReport> {
  const source = options.source ?? (await options.store.getRun(options.run));
  if (!source)
    throw new RefError('unknown-run', `no run ${options.run} in ${options.store.info.location}`);
  if (source.status === 'running') {
    throw new RefError(
      'running-run',
      `run ${options.run} is still running; replay it once it has finished`,
    );
  }
  const recorded = new RecordedEffects(source.effects);
  const kind = options.against ? 'against' : 'exact';
  const version = options.against ?? (await recordedVersion(options.store, source));
  const tracker = options.against
    ? new ProvenanceTracker(options.against.record.definition)
    : undefined;
  const executor = new ReplayExecutor({
    recorded,
    mode: kind,
    onMiss: options.onMiss ?? 'live',
    ...(options.live ? { live: options.live } : {}),
    ...(options.fixtures ? { fixtures: options.fixtures } : {}),
  });
  // An exact replay needs no secret: requests are rebuilt with the placeholders the recording
  // holds, for the secrets that were set when the run was recorded (and without the others).
  const wasSet = new Map(
    source.effects
      .filter((e) => e.kind === 'secret')
      .map((e) => [(e.request as { name: string }).name, e.response === true]),
  );
  const recordedSecret = (name: string): string | undefined =>
    wasSet.get(name) === false ? undefined : secretPlaceholder(name);
  const secret =
    kind === 'exact' || options.onMiss !== 'live' || !options.secret
      ? recordedSecret
      : options.secret;

  // The replay's events exactly as its journal records them (annotated, redacted: the objects
  // the journal writer serialized), folded below into the record compared with the source. The
  // journal is complete and synced when runVersion returns (a write that failed fails the
  // replay); reading it back and parsing it again cost about a tenth of an exact replay's time
  // and yielded the same record.
  const events: RunEvent[] = [];
  let replayId: string | undefined;
  const onEvent = (event: RunEvent, run: string): void => {
    // The first event is this replay's run-started (children start later, as their steps run).
    replayId ??= run;
    if (run === replayId) events.push(event);
    options.onEvent?.(event, run);
  };
  const replay = await runVersion({
    store: options.store,
    version,
    input: source.header.input,
    executor,
    secret,
    ...(options.secretHosts ? { secretHosts: options.secretHosts } : {}),
    ...(options.redact ? { redact: options.redact } : {}),
    // A recorded shell step is answered from the recording; only a live miss would run a command.
    shellAllowed: kind === 'exact' || options.onMiss !== 'live' || options.shellAllowed === true,
    mode: { kind: kind === 'exact' ? 'replay' : 'replay-against', source: source.header.id },
    sleep: async () => undefined, // retries wait for nothing: the answers are already known
    childRunner: (request, signal, identity, run) =>
      replayChild(options, recorded, request, signal, identity, run),
    ...(tracker ? { annotate: tracker.annotate } : {}),
    writer: options.writer,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent,
    ...(options.parent ? { parent: options.parent } : {}),
    ...(options.resolveChild ? { resolveChild: options.resolveChild } : {}),
  });

  const replayed = replayId === replay.id ? foldRun(events, false) : undefined;
  if (!replayed) throw new EngineError('internal', `the replay ${replay.id} was not recorded`);
  const comparison = compareRuns(source, replayed, options.prices);
  const divergence =
    replay.error?.code === 'divergence'
      ? (replay.error.detail as unknown as DivergenceReport)
      : undefined;
  const verified =
    kind === 'exact'
      ? divergence === undefined &&
        replayed.status === source.status &&
        comparison.output.kind === 'same' &&
        comparison.steps.every((s) => s.change === 'identical')
      : undefined;
  return {
    kind,
    source,
    replay,
    engine: { recorded: source.header.engine.version, now: LOCKSTEP_VERSION },
    ...(verified === undefined ? {} : { verified }),
    ...(divergence ? { divergence } : {}),
    comparison,
  };
}

/**
 * Versions already read from each store, with their publication once one was found. A version
 * never changes (its id is the hash of its content, checked when it is read), and neither does a
 * publication once appended: a batch of replays reads and checks each version once.
 */
const versions = new WeakMap<Store, Map<string, ResolvedVersion>>();

/** The version a run recorded, with its publication when it has one. */
async function recordedVersion(store: Store, run: RunRecord): Promise<ResolvedVersion> {
  const { workflow, version } = run.header;
  let known = versions.get(store);
  if (!known) versions.set(store, (known = new Map()));
  const key = `${workflow}\u0000${version.id}`;
  const cached = known.get(key);
  // The run recorded the publication this store already knows: nothing to look up. Otherwise
  // the store is asked, as publications are appended over time (a snapshot run's version may
  // have been published since), and the log may have been rewritten (a checkout).
  if (cached?.publication && cached.publication.seq === version.seq) return cached;
  const record = cached?.record ?? (await store.getVersion(workflow, version.id));
  if (!record) {
    throw new RefError(
      'unknown-version',
      `run ${run.header.id} ran ${workflow} ${version.id}, which is not in this store (was it recorded on another machine? import its versions first)`,
    );
  }
  const resolved = await withPublication(store, record);
  known.set(key, resolved);
  return resolved;
}

/**
 * A `workflow` step in a replay. Exact: the child run the step recorded is replayed exactly on
 * the child version it recorded. Against: a recorded call with the identical request reuses the
 * recorded outcome; otherwise the miss policy applies.
 */
async function replayChild(
  options: ReplayOptions,
  recorded: RecordedEffects,
  request: ChildRunRequest,
  signal: AbortSignal,
  identity: EffectIdentity,
  run: string,
): Promise<ChildRunOutcome> {
  const hit = recorded.get(request.path, 'workflow', identity.key, identity.occurrence);
  const recordedOutcome = hit?.response as unknown as ChildRunOutcome | undefined;
  if (hit && recordedOutcome && !options.against) {
    // The child's recording is its own run in the store, never the parent's `source`.
    const { source: _parentRecording, ...parentOptions } = options;
    const child = await replayRun({
      ...parentOptions,
      run: recordedOutcome.run,
      parent: { run, step: request.path },
    });
    if (child.divergence) throw new DivergenceError(child.divergence);
    return {
      run: child.replay.id,
      version: child.replay.version,
      status: child.replay.status,
      output: child.replay.output,
      served: 'recording',
    };
  }
  if (hit && recordedOutcome) return { ...recordedOutcome, served: 'recording' };
  const canonical = {
    workflow: request.workflow,
    version: request.version ?? null,
    inputs: request.inputs,
  };
  if (!options.against || options.onMiss === 'fail') {
    throw new DivergenceError(
      divergenceReport(
        recorded,
        request.path,
        'workflow',
        { key: identity.key, request: canonical },
        identity.occurrence,
      ),
    );
  }
  if (options.onMiss === 'stub' || !options.resolveChild || !options.live) {
    throw new EngineError(
      'no-recording',
      `${request.path}: the original run has no recorded call of ${request.workflow} with these inputs (--on-miss ${options.onMiss ?? 'live'}); use --on-miss live to run it`,
    );
  }
  let version: ResolvedVersion;
  try {
    version = await options.resolveChild(request.workflow, request.version);
  } catch (error) {
    throw new EngineError('child-version', `${request.path}: ${(error as Error).message}`);
  }
  const result = await runVersion({
    store: options.store,
    version,
    input: request.inputs,
    executor: options.live,
    secret: options.secret ?? ((name) => secretPlaceholder(name)),
    ...(options.secretHosts ? { secretHosts: options.secretHosts } : {}),
    ...(options.redact ? { redact: options.redact } : {}),
    shellAllowed: options.shellAllowed === true,
    writer: options.writer,
    signal,
    parent: { run, step: request.path },
    resolveChild: options.resolveChild,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  return {
    run: result.id,
    version: result.version,
    status: result.status,
    output: result.output,
    served: 'live',
  };
}
