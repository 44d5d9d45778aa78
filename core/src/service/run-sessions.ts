/**
 * Runs the editor starts, executed in the workspace service (never in the extension host or the
 * language server): each is resolved, checked (secrets, inputs, fixtures) before it is recorded,
 * run with a cancellation signal, and reported step by step to the client that started it.
 */
import { referencedNames } from '../engine/engine.js';
import { LockstepError } from '../model/errors.js';
import { prepareInputs } from '../model/inputs.js';
import type { JsonValue } from '../model/workflow.js';
import type { RunEvent } from '../model/runs.js';
import { replayInWorkspace } from '../node/services/replay-service.js';
import { loadFixtures, resolveRunnable, runResolved } from '../node/services/run-service.js';
import type { Workspace } from '../node/workspace/workspace.js';
import { secretRules } from '../validate/config-settings.js';
import type { Store } from '../store/store.js';
import type {
  ReplayStartParams,
  ReplayStartResult,
  RunProgressParams,
  RunStartParams,
  RunStartResult,
} from './protocol.js';

/** A secret a workflow reads has no value: the editor asks for it. */
export class MissingSecretError extends LockstepError {
  constructor(readonly names: readonly string[]) {
    super(
      'secret-missing',
      `${names.map((n) => `secrets.${n}`).join(', ')} ${names.length === 1 ? 'is' : 'are'} not set: set ${names.length === 1 ? 'it' : 'them'} with "Lockstep: Set Secret…" (or in the environment)`,
    );
  }
}

export class RunSessions {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly workspace: Workspace,
    private readonly store: () => Promise<Store>,
    /** Where progress goes (the client that asked). */
    private readonly progress: (params: RunProgressParams) => void,
  ) {}

  /**
   * Starts a run; resolves once its journal exists.
   * @throws MissingSecretError, InputError, RefError, InvalidDefinitionError before anything runs.
   */
  async start(params: RunStartParams): Promise<RunStartResult> {
    const store = await this.store();
    // A broken fixtures file stops the run before the workflow is snapshotted.
    const fixtures =
      params.fixtures === undefined ? undefined : await loadFixtures(params.fixtures);
    // A channel routes by the run's input (its sticky key), as it does for the CLI.
    const version = await resolveRunnable(
      this.workspace,
      store,
      params.ref,
      params.input as { [name: string]: JsonValue },
    );
    const definition = version.record.definition;
    const provided = params.secrets ?? {};
    const secret = (name: string): string | undefined => provided[name] ?? process.env[name];
    const listed = secretRules(await this.workspace.config());
    const missing = referencedNames(definition).secrets.filter(
      (name) => listed.has(name) && (secret(name) ?? '') === '',
    );
    if (missing.length > 0) throw new MissingSecretError(missing);
    // Checked now, so that wrong inputs are an answer to this request, not a failed run.
    prepareInputs(definition, params.input as { [name: string]: JsonValue });

    return this.track((onEvent, signal) =>
      runResolved(this.workspace, store, version, {
        input: params.input as { [name: string]: JsonValue },
        ...(fixtures ? { fixtures } : {}),
        allowShell: params.allowShell === true,
        signal,
        onEvent,
        secret,
      }),
    );
  }

  /**
   * Replays a recorded run exactly, or against a version or a working copy; resolves once the
   * replay's journal exists. Its steps are reported like a run's.
   * @throws RefError (unknown run or ref), InvalidDefinitionError, InputError before it starts.
   */
  async replay(params: ReplayStartParams): Promise<ReplayStartResult> {
    const store = await this.store();
    const provided = params.secrets ?? {};
    const started = await this.track((onEvent, signal) =>
      replayInWorkspace(this.workspace, store, params.run, {
        ...(params.against === undefined ? {} : { against: params.against }),
        ...(params.onMiss ? { onMiss: params.onMiss } : {}),
        ...(params.fixtures === undefined ? {} : { fixtures: params.fixtures }),
        allowShell: params.allowShell === true,
        signal,
        onEvent,
        secret: (name) => provided[name] ?? process.env[name],
      }),
    );
    return { ...started, source: params.run };
  }

  /**
   * Runs `execute`, reporting the top run's steps to the client and keeping its cancellation
   * handle; resolves with the run's id once its journal exists (rejects if it never started).
   */
  private track(
    execute: (
      onEvent: (event: RunEvent, run: string) => void,
      signal: AbortSignal,
    ) => Promise<unknown>,
  ): Promise<RunStartResult> {
    const controller = new AbortController();
    let resolveStarted!: (result: RunStartResult) => void;
    const started = new Promise<RunStartResult>((resolve) => (resolveStarted = resolve));
    let top: string | undefined;
    let startedAt = 0;
    const tokens = new Map<string, { input: number; output: number }>();
    const onEvent = (event: RunEvent, run: string): void => {
      if (event.type === 'run-started' && top === undefined) {
        top = run;
        startedAt = Date.parse(event.header.startedAt);
        this.running.set(run, controller);
        resolveStarted({ run, workflow: event.header.workflow, version: event.header.version });
        return;
      }
      if (run !== top) return; // a child run: its parent's step says what it did
      if (event.type === 'effect' && event.effect.usage) {
        const sum = tokens.get(event.effect.path) ?? { input: 0, output: 0 };
        sum.input += event.effect.usage.input;
        sum.output += event.effect.usage.output;
        tokens.set(event.effect.path, sum);
      }
      const report = progressOf(event, startedAt, tokens);
      if (report) this.progress({ run, event: report });
    };
    const finished = execute(onEvent, controller.signal).finally(() => {
      if (top !== undefined) this.running.delete(top);
    });
    // Errors after the start are the run's own (recorded, and reported as run-finished).
    finished.catch(() => undefined);
    // A run that fails to start (its journal cannot be written) rejects before it started.
    return Promise.race([started, finished.then(() => started)]);
  }

  /** Cancels a run this service started; false when it is not running (any more). */
  cancel(run: string): boolean {
    const controller = this.running.get(run);
    controller?.abort();
    return controller !== undefined;
  }

  /** Cancels every run (the service is stopping). */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }
}

/** What the runner shows of a recorded event; undefined for effects. */
function progressOf(
  event: RunEvent,
  startedAt: number,
  tokens: ReadonlyMap<string, { input: number; output: number }>,
): RunProgressParams['event'] | undefined {
  switch (event.type) {
    case 'step-started':
      return { type: 'step-started', path: event.path, step: event.step, at: event.at };
    case 'step-finished': {
      const record = event.record;
      return {
        type: 'step-finished',
        path: record.path,
        step: record.step,
        status: record.status,
        durationMs: Date.parse(record.finishedAt) - Date.parse(record.startedAt),
        ...(tokens.has(record.path) ? { tokens: tokens.get(record.path)! } : {}),
        ...(record.error
          ? { error: { code: record.error.code, message: record.error.message } }
          : {}),
      };
    }
    case 'run-finished':
      return {
        type: 'run-finished',
        status: event.status,
        output: event.output,
        ...(event.error ? { error: { code: event.error.code, message: event.error.message } } : {}),
        durationMs: Date.parse(event.at) - startedAt,
      };
    default:
      return undefined;
  }
}
