/**
 * Runs a stored version: checks the inputs, starts the run's journal stamped with the version,
 * executes the engine with a recording host, runs sub-workflows as linked child runs, and closes
 * the journal with the outcome (synced). Used by the CLI, the editor and services alike.
 */
import { v7 as uuidv7 } from 'uuid';
import type { JsonValue } from '../model/workflow.js';
import { executeWorkflow } from '../engine/engine.js';
import { redactSecrets } from '../engine/effects.js';
import { EngineError } from '../engine/engine-error.js';
import type { ChildRunOutcome, ChildRunRequest } from '../engine/host.js';
import { InputError, prepareInputs } from '../model/inputs.js';
import type { Store } from '../store/store.js';
import type { ResolvedVersion } from '../versions/resolve.js';
import { LOCKSTEP_VERSION } from '../version.js';
import { RecordingHost, type EffectExecutor, type EffectIdentity } from './recording-host.js';
import {
  RUN_FORMAT,
  type RecordedError,
  type RoutingDecision,
  type RunEvent,
  type RunHeader,
  type RunMode,
  type RunStatus,
} from '../model/runs.js';

export interface RunOptions {
  readonly store: Store;
  readonly version: ResolvedVersion;
  readonly input: { readonly [name: string]: JsonValue };
  readonly executor: EffectExecutor;
  /**
   * Resolves secrets by name (environment variables in the CLI).
   * @throws EngineError (`secret-not-listed`) for a name the workspace does not list: the run
   *   then fails before its first step.
   */
  readonly secret: (name: string) => string | undefined;
  /** The hosts each secret may be sent to (undefined: anywhere); see RecordingHostOptions. */
  readonly secretHosts?: (name: string) => readonly string[] | undefined;
  /**
   * Values redacted from everything the run records, whether it reads them or not: the
   * workspace's secrets, and for a child run its parents' (set by the runner).
   */
  readonly redact?: ReadonlyMap<string, string>;
  /** Whether shell steps may run: the user's decision, default false. */
  readonly shellAllowed?: boolean;
  /** Default live. */
  readonly mode?: RunMode;
  readonly signal?: AbortSignal;
  /** Every recorded event as it happens (secrets redacted), with the run it belongs to. */
  readonly onEvent?: (event: RunEvent, run: string) => void;
  /**
   * The version a `workflow` step calls: `pin` as written (a published number, `sha256:<prefix>`,
   * a channel), or undefined for the workspace's current file.
   */
  readonly resolveChild?: (
    workflow: string,
    pin: number | string | undefined,
    call: ChildCall,
  ) => Promise<ResolvedVersion & { readonly routing?: RoutingDecision }>;
  /** How a channel routed this run: written into its header before it starts. */
  readonly routing?: RoutingDecision;
  /** Identifies the writing process, to tell a running run from an interrupted one. */
  readonly writer: { readonly pid: number; readonly host: string };
  /** The run that called this one (set for child runs). */
  readonly parent?: { readonly run: string; readonly step: string };
  readonly now?: () => Date;
  /**
   * Runs a `workflow` step's child instead of resolving and running it live (a replay serves it
   * from the recording). `run` is the calling run's id.
   */
  readonly childRunner?: (
    request: ChildRunRequest,
    signal: AbortSignal,
    identity: EffectIdentity,
    run: string,
  ) => Promise<ChildRunOutcome>;
  /** Waits before a retry (default: a real timer). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Adds to each event of this run before it is recorded. */
  readonly annotate?: (event: RunEvent) => RunEvent;
  /**
   * The run's id (default: a new uuid v7). A queue chooses it so that a job delivered twice is
   * recognised by its run; the store refuses an id it already holds. Child runs get their own.
   */
  readonly id?: string;
}

/** What a child's resolution knows of the call: a channel routes the child by it. */
export interface ChildCall {
  /** The child's input, as the calling step gives it. */
  readonly input: { readonly [name: string]: JsonValue };
  /** The calling run's routing decision, when a channel routed it. */
  readonly parentRouting?: RoutingDecision;
}

export interface RunResult {
  readonly id: string;
  readonly status: Exclude<RunStatus, 'running' | 'interrupted'>;
  readonly output: JsonValue;
  readonly error?: RecordedError;
  readonly version: { readonly id: string; readonly seq?: number };
  /** How a channel routed the run, when one did. */
  readonly routing?: RoutingDecision;
}

/**
 * Runs a version to the end and records it.
 * @throws InputError before anything is recorded when the inputs do not fit the workflow.
 * @throws StoreError when the journal cannot be written.
 */
export async function runVersion(options: RunOptions): Promise<RunResult> {
  const { record, publication } = options.version;
  const input = prepareInputs(record.definition, options.input);
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  const version = publication ? { id: record.id, seq: publication.seq } : { id: record.id };
  const redact = options.redact ?? new Map<string, string>();
  const header: RunHeader = {
    format: RUN_FORMAT,
    id: options.id ?? uuidv7(),
    workflow: record.name,
    version,
    mode: options.mode ?? { kind: 'live' },
    // A child run's input may hold what its parent received (a secret an endpoint echoed).
    input: redactSecrets(input, redact),
    engine: { version: LOCKSTEP_VERSION },
    startedAt: now().toISOString(),
    ...(options.parent ? { parent: options.parent } : {}),
    ...(options.routing ? { routing: options.routing } : {}),
    writer: options.writer,
  };
  const writer = await options.store.createRun(header);
  options.onEvent?.({ type: 'run-started', header }, header.id);
  const host: RecordingHost = new RecordingHost({
    writer,
    executor: options.executor,
    secret: options.secret,
    ...(options.secretHosts ? { secretHosts: options.secretHosts } : {}),
    redact,
    shellAllowed: options.shellAllowed ?? false,
    runChild: (request, childSignal, identity) =>
      options.childRunner
        ? options.childRunner(request, childSignal, identity, header.id)
        : runChild(options, header.id, request, childSignal, host.redactedValues()),
    onEvent: (event) => options.onEvent?.(event, header.id),
    // Without a clock of the caller's, the host stamps events from the system clock its own way.
    ...(options.now ? { now: options.now } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.annotate ? { annotate: options.annotate } : {}),
  });
  try {
    const result = await executeWorkflow({ definition: record.definition, input, host, signal });
    // The caller gets the outcome as recorded, secrets redacted: it is printed, logged by CI,
    // and handed to a parent run, whose replay will see the recorded one.
    const finished = host.emit({
      type: 'run-finished',
      status: result.status,
      output: result.output,
      ...(result.error ? { error: result.error } : {}),
      at: now().toISOString(),
    }) as Extract<RunEvent, { type: 'run-finished' }>;
    await host.flush();
    return {
      id: header.id,
      status: finished.status,
      output: finished.output,
      version,
      ...(finished.error ? { error: finished.error } : {}),
      ...(options.routing ? { routing: options.routing } : {}),
    };
  } finally {
    await writer.close();
  }
}

async function runChild(
  parent: RunOptions,
  parentRun: string,
  request: ChildRunRequest,
  signal: AbortSignal,
  parentSecrets: ReadonlyMap<string, string>,
): Promise<ChildRunOutcome> {
  if (!parent.resolveChild) {
    throw new EngineError(
      'child-run',
      `${request.path}: this runner cannot resolve sub-workflow '${request.workflow}'`,
    );
  }
  let version: ResolvedVersion & { readonly routing?: RoutingDecision };
  try {
    version = await parent.resolveChild(request.workflow, request.version, {
      input: request.inputs,
      ...(parent.routing ? { parentRouting: parent.routing } : {}),
    });
  } catch (error) {
    throw new EngineError('child-version', `${request.path}: ${(error as Error).message}`);
  }
  try {
    const result = await runVersion({
      ...parent,
      version,
      input: request.inputs,
      signal,
      parent: { run: parentRun, step: request.path },
      id: uuidv7(),
      // Only a channel routes a child; a pinned number or the current file does not.
      routing: version.routing,
      // The child redacts what its parents do: their secrets may reach it through its input.
      redact: new Map(parentSecrets),
    });
    return {
      run: result.id,
      version: result.version,
      status: result.status,
      output: result.output,
    };
  } catch (error) {
    if (error instanceof InputError) {
      throw new EngineError('child-input', `${request.path}: ${error.message}`);
    }
    throw error;
  }
}
