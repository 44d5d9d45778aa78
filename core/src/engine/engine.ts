/**
 * The engine: runs a workflow definition's steps in order with `when`, `foreach`, `retry`,
 * `timeout` and cancellation, evaluating expressions and asking its host for every effect.
 * Given the same host answers it does the same thing: there is no clock, randomness or I/O here.
 */
import { scopeReferencesIn } from '../expressions/value-references.js';
import {
  foreachItemName,
  stepKind,
  type JsonValue,
  type StepDefinition,
  type WorkflowDefinition,
} from '../model/workflow.js';
import { LockstepError } from '../model/errors.js';
import type { RecordedError, StepRecord, StepStatus } from '../model/runs.js';
import { parseDuration } from './duration.js';
import { EngineError, recordError } from './engine-error.js';
import { evaluateValue, type ExpressionFunctions, type Scope } from './evaluate.js';
import type { EngineHost } from './host.js';
import { iterationKeys } from './iteration-keys.js';
import { outputValues } from '../model/outputs.js';
import { runStepBody, type StepContext } from './steps/run-step-body.js';

export interface ExecuteOptions {
  readonly definition: WorkflowDefinition;
  /** Inputs already checked and defaulted (see prepareInputs). */
  readonly input: { readonly [name: string]: JsonValue };
  readonly host: EngineHost;
  readonly signal: AbortSignal;
}

export interface ExecutionResult {
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly output: JsonValue;
  readonly error?: RecordedError;
}

/** Default wait before the first retry, and the longest wait between retries. */
const DEFAULT_RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Executes a workflow. Never throws for a failing run: the result says how it ended. Step and
 * effect events go to `host.emit` as they happen.
 */
export async function executeWorkflow(options: ExecuteOptions): Promise<ExecutionResult> {
  return new Execution(options).run();
}

class Execution {
  private readonly definition: WorkflowDefinition;
  private readonly host: EngineHost;
  private readonly signal: AbortSignal;
  private readonly outputs: { [id: string]: { output: JsonValue } } = {};
  private readonly functions: ExpressionFunctions;
  /** The secrets the definition places, read once at the start; never in expressions' scope. */
  private secrets = new Map<string, string>();
  private env: { [name: string]: string } = {};
  private lastOutput: JsonValue = null;

  constructor(private readonly options: ExecuteOptions) {
    this.definition = options.definition;
    this.host = options.host;
    this.signal = options.signal;
    this.functions = this.functionsAt('run');
  }

  /**
   * `$now()`, `$millis()` and `$random()` for expressions evaluated at a step path: each read is
   * an effect of that step (or iteration), so its identity does not depend on what else ran.
   */
  private functionsAt(path: string): ExpressionFunctions {
    const read = async (kind: 'clock' | 'random'): Promise<JsonValue> =>
      (await this.host.effect({ path, kind, request: null }, this.signal)).response;
    return {
      now: async () => new Date(Number(await read('clock'))).toISOString(),
      millis: async () => Number(await read('clock')),
      random: async () => Number(await read('random')),
    };
  }

  async run(): Promise<ExecutionResult> {
    try {
      await this.resolveEnvironment();
      for (const [index, step] of this.definition.steps.entries()) {
        this.throwIfCancelled();
        await this.runStep(step, index);
      }
      const output =
        this.definition.outputs === undefined
          ? this.lastOutput
          : await evaluateValue(
              outputValues(this.definition.outputs),
              this.scope(),
              this.functions,
              'outputs',
            );
      return { status: 'succeeded', output };
    } catch (error) {
      const recorded = recordError(error);
      return this.signal.aborted
        ? {
            status: 'cancelled',
            output: null,
            error: { code: 'cancelled', message: 'the run was cancelled' },
          }
        : { status: 'failed', output: null, error: recorded };
    }
  }

  /** Reads the environment variables and secrets the definition refers to, once, at the start. */
  private async resolveEnvironment(): Promise<void> {
    const { env, secrets } = referencedNames(this.definition);
    for (const name of env) {
      const { response } = await this.host.effect(
        { path: 'run', kind: 'env', request: { name } },
        this.signal,
      );
      if (typeof response === 'string') this.env[name] = response;
    }
    for (const name of secrets) {
      const value = this.host.secret(name);
      if (value !== undefined) this.secrets.set(name, value);
    }
  }

  private scope(local: { [name: string]: JsonValue } = {}): Scope {
    return { inputs: this.options.input, steps: this.outputs, env: this.env, ...local };
  }

  private throwIfCancelled(): void {
    if (this.signal.aborted) throw new EngineError('cancelled', 'the run was cancelled');
  }

  private async runStep(step: StepDefinition, index: number): Promise<void> {
    const path = step.id;
    const startedAt = this.now();
    this.host.emit({ type: 'step-started', path, step: step.id, at: startedAt });
    const finish = (
      record: Omit<StepRecord, 'path' | 'step' | 'startedAt' | 'finishedAt'>,
    ): void => {
      this.host.emit({
        type: 'step-finished',
        record: { path, step: step.id, startedAt, finishedAt: this.now(), ...record },
      });
    };

    try {
      if (step.when !== undefined) {
        const when = await evaluateValue(
          step.when,
          this.scope(),
          this.functionsAt(path),
          `steps.${step.id}.when`,
        );
        if (when !== true && when !== false) {
          throw new EngineError(
            'expression',
            `steps.${step.id}.when: must be true or false, got ${JSON.stringify(when)}`,
          );
        }
        if (!when) {
          this.outputs[step.id] = { output: null };
          finish({ status: 'skipped', output: null, attempts: 0 });
          return;
        }
      }
      if (step.foreach !== undefined) {
        const { output, iterations } = await this.runForeach(step, index);
        this.complete(step, output);
        finish({ status: 'succeeded', output, attempts: 1, iterations });
        return;
      }
      const { output, attempts, input } = await this.attempt(step, index, path, this.scope());
      this.complete(step, output);
      finish({ status: 'succeeded', output, attempts, ...(input === undefined ? {} : { input }) });
    } catch (error) {
      const status: StepStatus = this.signal.aborted ? 'cancelled' : 'failed';
      const attempts = error instanceof AttemptsError ? error.attempts : 1;
      const cause = error instanceof AttemptsError ? error.cause : error;
      finish({ status, output: null, attempts, error: recordError(cause) });
      throw cause;
    }
  }

  private complete(step: StepDefinition, output: JsonValue): void {
    this.outputs[step.id] = { output };
    this.lastOutput = output;
  }

  /** Runs a foreach step's iterations, at most `concurrency` at once, results in item order. */
  private async runForeach(
    step: StepDefinition,
    index: number,
  ): Promise<{ output: JsonValue[]; iterations: string[] }> {
    const items = await evaluateValue(
      step.foreach,
      this.scope(),
      this.functionsAt(step.id),
      `steps.${step.id}.foreach`,
    );
    if (!Array.isArray(items)) {
      throw new EngineError(
        'foreach',
        `steps.${step.id}.foreach: must give a list, got ${items === null ? 'nothing' : typeof items}`,
      );
    }
    const name = foreachItemName(step);
    const declared =
      step.key === undefined
        ? undefined
        : await Promise.all(
            items.map((item, i) =>
              evaluateValue(
                step.key,
                this.scope({ [name]: item, index: i }),
                this.functionsAt(step.id),
                `steps.${step.id}.key`,
              ),
            ),
          );
    // Keys make step paths, which are recorded: computed from the items and keys as recorded
    // (secrets redacted), so a replay, whose items are the recorded ones, finds the same paths.
    const keys = iterationKeys(
      step.id,
      items.map((item) => this.host.redact(item)),
      declared?.map((key) => this.host.redact(key)),
    );
    const paths = keys.map((key) => `${step.id}[${key}]`);
    const results: JsonValue[] = new Array<JsonValue>(items.length).fill(null);
    // The first failing iteration stops the others: they see this signal as cancelled.
    const stop = new AbortController();
    const signal = AbortSignal.any([this.signal, stop.signal]);
    let next = 0;
    let failure: unknown;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < items.length) {
        const i = next++;
        const path = paths[i]!;
        const startedAt = this.now();
        this.host.emit({ type: 'step-started', path, step: step.id, at: startedAt });
        try {
          const scope = this.scope({ [name]: items[i]!, index: i });
          const { output, attempts, input } = await this.attempt(step, index, path, scope, signal);
          results[i] = output;
          this.host.emit({
            type: 'step-finished',
            record: {
              path,
              step: step.id,
              status: 'succeeded',
              output,
              attempts,
              startedAt,
              finishedAt: this.now(),
              ...(input === undefined ? {} : { input }),
            },
          });
        } catch (error) {
          const cause = error instanceof AttemptsError ? error.cause : error;
          const cancelled = signal.aborted && failure !== undefined;
          this.host.emit({
            type: 'step-finished',
            record: {
              path,
              step: step.id,
              status: cancelled || this.signal.aborted ? 'cancelled' : 'failed',
              output: null,
              attempts: error instanceof AttemptsError ? error.attempts : 1,
              startedAt,
              finishedAt: this.now(),
              error: recordError(cause),
            },
          });
          if (failure === undefined) {
            failure = cause;
            stop.abort();
          }
        }
      }
    };
    const width = Math.max(1, Math.min(step.concurrency ?? 1, items.length));
    await Promise.all(Array.from({ length: width }, worker));
    if (failure !== undefined) throw failure;
    return { output: results, iterations: paths };
  }

  /** Runs a step body with its retry policy and per-attempt timeout. */
  private async attempt(
    step: StepDefinition,
    index: number,
    path: string,
    scope: Scope,
    outer: AbortSignal = this.signal,
  ): Promise<{ output: JsonValue; attempts: number; input?: JsonValue }> {
    const maxAttempts = 1 + (step.retry?.max ?? 0);
    const timeoutMs = step.timeout === undefined ? undefined : parseDuration(step.timeout);
    let delay =
      step.retry?.delay === undefined ? DEFAULT_RETRY_DELAY_MS : parseDuration(step.retry.delay);
    for (let attempt = 1; ; attempt++) {
      const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
      const signal = timeout ? AbortSignal.any([outer, timeout]) : outer;
      const context: StepContext = {
        step,
        index,
        path,
        scope,
        host: this.host,
        signal,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        functions: this.functionsAt(path),
        functionsAt: (at) => this.functionsAt(at),
        secrets: this.secrets,
        models: this.definition.models ?? {},
      };
      try {
        const result = await runStepBody(stepKind(step), context);
        return { ...result, attempts: attempt };
      } catch (error) {
        if (outer.aborted) throw new AttemptsError(attempt, error);
        const cause =
          timeout?.aborted === true
            ? new EngineError(
                'timeout',
                `steps.${step.id}: timed out after ${step.timeout} (attempt ${attempt} of ${maxAttempts})`,
              )
            : error;
        if (attempt >= maxAttempts || !retryable(cause)) throw new AttemptsError(attempt, cause);
        // Cancelled while waiting: the step still made `attempt` attempts.
        await this.host.sleep(delay, outer).catch((error: unknown) => {
          throw new AttemptsError(attempt, error);
        });
        if (step.retry?.backoff !== 'fixed') delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  /** A step's start or finish time: informative, so taken from the host without recording. */
  private now(): string {
    return this.host.timestamp();
  }
}

/** A step's final error and how many attempts it took. */
class AttemptsError extends LockstepError {
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super('step-attempts', cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Errors a retry cannot fix: the definition itself is wrong, or the user turned something off. */
function retryable(error: unknown): boolean {
  return !(
    error instanceof EngineError &&
    // A replay that diverged, or has no answer, would only diverge again.
    [
      'expression',
      'foreach',
      'shell-not-allowed',
      'unknown-model',
      'cancelled',
      'divergence',
      'no-recording',
    ].includes(error.code)
  );
}

/**
 * Names read by definitions already run. A definition is never changed once loaded (a version's
 * content is fixed by its id), so a batch of runs of one version walks it once; held weakly, so
 * it goes with the definition.
 */
const namesRead = new WeakMap<
  WorkflowDefinition,
  { readonly env: readonly string[]; readonly secrets: readonly string[] }
>();

/** The environment variables and secrets any expression of the definition reads. */
export function referencedNames(definition: WorkflowDefinition): {
  readonly env: readonly string[];
  readonly secrets: readonly string[];
} {
  let names = namesRead.get(definition);
  if (!names) namesRead.set(definition, (names = collectNames(definition)));
  return names;
}

function collectNames(definition: WorkflowDefinition): { env: string[]; secrets: string[] } {
  const env = new Set<string>();
  const secrets = new Set<string>();
  for (const { root, path } of scopeReferencesIn(definition)) {
    const name = path[0];
    if (name === undefined) continue;
    if (root === 'env') env.add(name);
    if (root === 'secrets') secrets.add(name);
  }
  return { env: [...env].sort(), secrets: [...secrets].sort() };
}
