/**
 * Driving the runner in tests: versions made from workflow text (validated first, so a test never
 * runs something the format refuses), an executor that answers from functions and keeps every
 * call, and a one-call `runOnce` that runs a version into a MemoryStore and reads the record back.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { JsonValue, WorkflowDefinition } from '../../core/src/model/workflow.js';
import type { EffectCall, EffectOutcome } from '../../core/src/engine/host.js';
import type { HttpRequest } from '../../core/src/engine/steps/http-step.js';
import type { ModelCall } from '../../core/src/engine/steps/llm-step.js';
import type { ShellRequest } from '../../core/src/providers/live-executor.js';
import type { EffectExecutor } from '../../core/src/runs/recording-host.js';
import type { RunEvent, RunRecord } from '../../core/src/model/runs.js';
import { runVersion, type RunResult } from '../../core/src/runs/runner.js';
import type { ResolvedVersion } from '../../core/src/versions/resolve.js';
import { MemoryStore } from '../../core/src/store/memory-store.js';
import type { VersionDraft } from '../../core/src/store/records.js';
import { makeVersionRecord } from '../../core/src/store/records.js';
import type { SecretAccess } from '../../core/src/runs/secret-access.js';
import { validateWorkflowText } from '../../core/src/validate/validate-workflow.js';

/**
 * A draft of a workflow given as YAML text or as a definition (written out as JSON, which is
 * YAML). Fails the test with the diagnostics when the file would not validate.
 */
export function draftOf(workflow: string | WorkflowDefinition): VersionDraft {
  const text = typeof workflow === 'string' ? workflow : JSON.stringify(workflow, null, 2);
  const validated = validateWorkflowText(text);
  assert.ok(
    validated.definition,
    `the test workflow does not validate:\n${validated.diagnostics
      .map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code}: ${d.message}`)
      .join('\n')}\n${text}`,
  );
  return {
    definition: validated.definition,
    source: text,
    createdAt: '2026-01-01T00:00:00.000Z',
    author: 'Ada <ada@example.com>',
    git: null,
  };
}

/**
 * A version of a definition that was never validated: what a definition that skipped validation
 * (an old store, a hand-written record) looks like to the engine, which must enforce its own rules.
 */
export function unvalidatedVersionOf(definition: WorkflowDefinition): ResolvedVersion {
  return {
    record: makeVersionRecord({
      definition,
      source: JSON.stringify(definition),
      createdAt: '2026-01-01T00:00:00.000Z',
      author: 'Ada <ada@example.com>',
      git: null,
    }),
  };
}

/** A runnable (unpublished) version of a workflow. */
export function versionOf(workflow: string | WorkflowDefinition): ResolvedVersion {
  return { record: makeVersionRecord(draftOf(workflow)) };
}

/** Resolves after `ms`, or rejects with the signal's reason when it is aborted first. */
export async function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    // Node rejects with an AbortError; tests simulate endpoints that fail with the reason itself.
    throw signal.aborted ? (signal.reason as Error) : error;
  }
}

/** Never resolves; rejects with the signal's reason when it is aborted (a hung endpoint). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return abortableDelay(2 ** 31 - 1, signal) as Promise<never>;
}

/** A model answer as the providers record it. */
export function modelAnswer(content: string): EffectOutcome {
  return { response: { content, finishReason: 'stop' } };
}

/** An HTTP answer as the providers record it. */
export function httpAnswer(body: JsonValue, status = 200): EffectOutcome {
  return {
    response: {
      status,
      headers: { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' },
      body,
    },
  };
}

/** One call the executor received, with when it arrived. */
export interface ReceivedCall {
  readonly call: EffectCall;
  readonly at: number;
}

type Answer<T> = (request: T, signal: AbortSignal, call: EffectCall) => Promise<EffectOutcome>;

export interface TableAnswers {
  readonly llm?: Answer<ModelCall>;
  readonly http?: Answer<HttpRequest>;
  readonly shell?: Answer<ShellRequest>;
  /** `$millis()` values in order (the last repeats); default 1 767 225 600 000 + n. */
  readonly clock?: readonly number[];
  /** `$random()` values in order (the last repeats); default 0.25. */
  readonly random?: readonly number[];
  readonly env?: { readonly [name: string]: string };
}

/**
 * Answers effects from functions (model and HTTP calls receive the live payload, real secrets
 * included, as a provider would) and keeps every call. A kind without an answer fails the call.
 */
export class TableExecutor implements EffectExecutor {
  readonly calls: ReceivedCall[] = [];
  private clockReads = 0;
  private randomReads = 0;

  constructor(private readonly answers: TableAnswers = {}) {}

  async execute(call: EffectCall, signal: AbortSignal): Promise<EffectOutcome> {
    this.calls.push({ call, at: performance.now() });
    const answers = this.answers;
    switch (call.kind) {
      case 'llm':
        if (!answers.llm) break;
        return answers.llm(call.live as unknown as ModelCall, signal, call);
      case 'http':
        if (!answers.http) break;
        return answers.http(call.live as unknown as HttpRequest, signal, call);
      case 'shell':
        if (!answers.shell) break;
        return answers.shell(call.live as unknown as ShellRequest, signal, call);
      case 'clock': {
        const n = this.clockReads++;
        const values = answers.clock ?? [];
        return { response: values[Math.min(n, values.length - 1)] ?? 1_767_225_600_000 + n };
      }
      case 'random': {
        const n = this.randomReads++;
        const values = answers.random ?? [];
        return { response: values[Math.min(n, values.length - 1)] ?? 0.25 };
      }
      case 'env': {
        const name = (call.request as { name: string }).name;
        return { response: answers.env?.[name] ?? null };
      }
      default:
        break;
    }
    throw new Error(`the test executor has no answer for a ${call.kind} call at ${call.path}`);
  }
}

export interface RunOnceOptions {
  readonly executor?: EffectExecutor;
  readonly input?: { readonly [name: string]: JsonValue };
  readonly secrets?: { readonly [name: string]: string };
  /** The secrets as a workspace's config gives them (instead of `secrets`). */
  readonly secretAccess?: SecretAccess;
  readonly shellAllowed?: boolean;
  readonly signal?: AbortSignal;
  readonly store?: MemoryStore;
  readonly resolveChild?: (
    workflow: string,
    pin: number | string | undefined,
  ) => Promise<ResolvedVersion>;
  /** Sees every event as it is recorded (the run's own and its children's). */
  readonly onEvent?: (event: RunEvent, run: string) => void;
}

export interface RunOnce {
  readonly result: RunResult;
  /** The run as the store recorded it. */
  readonly record: RunRecord;
  readonly store: MemoryStore;
  /** Every event, as the recording host emitted it (run id and event). */
  readonly events: readonly { readonly run: string; readonly event: RunEvent }[];
}

/** Runs a workflow (or version) once into a MemoryStore and reads its record back. */
export async function runOnce(
  workflow: string | WorkflowDefinition | ResolvedVersion,
  options: RunOnceOptions = {},
): Promise<RunOnce> {
  const version =
    typeof workflow === 'object' && 'record' in workflow ? workflow : versionOf(workflow);
  const store = options.store ?? new MemoryStore();
  const secrets = options.secrets ?? {};
  const events: { run: string; event: RunEvent }[] = [];
  const result = await runVersion({
    store,
    version,
    input: options.input ?? {},
    executor: options.executor ?? new TableExecutor(),
    ...(options.secretAccess ?? { secret: (name: string) => secrets[name] }),
    shellAllowed: options.shellAllowed ?? false,
    writer: { pid: process.pid, host: 'engine-test' },
    onEvent: (event, run) => {
      events.push({ run, event });
      options.onEvent?.(event, run);
    },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.resolveChild ? { resolveChild: options.resolveChild } : {}),
  });
  const record = await store.getRun(result.id);
  assert.ok(record, `run ${result.id} is not in the store`);
  return { result, record, store, events };
}

/** The record of one step path, failing the test when there is none (or several). */
export function stepAt(record: RunRecord, path: string): RunRecord['steps'][number] {
  const found = record.steps.filter((s) => s.path === path);
  assert.equal(
    found.length,
    1,
    `expected one record of ${path}; paths: ${record.steps.map((s) => s.path).join(', ')}`,
  );
  return found[0]!;
}
