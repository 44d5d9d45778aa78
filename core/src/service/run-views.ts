/**
 * Runs as the editor shows them: summaries as list items, a recorded run as its details (steps
 * with their effects, totals, where each step is in the definition at its version). Pure: the
 * service reads the store and hands records here.
 */
import type { RoutingDecision, RunRecord, RunSummary, StepRecord } from '../model/runs.js';
import type { WorkflowDefinition } from '../model/workflow.js';
import { runTotals, type Prices } from '../replay/compare.js';
import type { EffectItem, RunDetails, RunItem, StepItem } from './protocol.js';
import { stepLines } from './step-lines.js';
import { compareCodeUnits } from '../code-unit-order.js';

/** A summary as a list item; `currentStep` for a run in progress. */
export function runItem(summary: RunSummary, currentStep?: string): RunItem {
  const durationMs =
    summary.finishedAt === undefined
      ? undefined
      : Date.parse(summary.finishedAt) - Date.parse(summary.startedAt);
  return {
    id: summary.id,
    workflow: summary.workflow,
    version: summary.version,
    status: summary.status,
    mode: summary.mode,
    startedAt: summary.startedAt,
    ...(summary.finishedAt === undefined ? {} : { finishedAt: summary.finishedAt }),
    ...(durationMs === undefined || !Number.isFinite(durationMs) ? {} : { durationMs }),
    ...(summary.tokens ? { tokens: summary.tokens } : {}),
    ...(summary.parent ? { parent: summary.parent } : {}),
    ...(currentStep === undefined ? {} : { currentStep }),
    ...(summary.routing ? { routing: summary.routing } : {}),
  };
}

/** The path of the step a running run is on: the last one started and not finished. */
export function currentStepOf(record: RunRecord): string | undefined {
  return record.inProgress?.at(-1)?.path;
}

/**
 * A recorded run, ready to show.
 * @param version the definition at the run's version, with its text (for kinds and lines).
 */
export function runDetails(
  record: RunRecord,
  summary: RunSummary,
  version: { readonly definition: WorkflowDefinition; readonly source: string } | undefined,
  prices: Prices,
): RunDetails {
  const started = record.inProgress ?? [];
  const kinds = new Map<string, string>();
  for (const step of version?.definition.steps ?? []) {
    const kind = ['llm', 'http', 'transform', 'shell', 'workflow'].find((k) => k in step);
    if (kind) kinds.set(step.id, kind);
  }
  const effectsByPath = new Map<string, EffectItem[]>();
  for (const effect of record.effects) {
    const list = effectsByPath.get(effect.path) ?? [];
    list.push({
      kind: effect.kind,
      key: effect.key,
      occurrence: effect.occurrence,
      request: effect.request,
      ...(effect.response === undefined ? {} : { response: effect.response }),
      ...(effect.error
        ? { error: { code: effect.error.code, message: effect.error.message } }
        : {}),
      latencyMs: effect.latencyMs,
      ...(effect.usage ? { tokens: effect.usage } : {}),
      ...(effect.served ? { served: effect.served } : {}),
    });
    effectsByPath.set(effect.path, list);
  }
  const finished = new Set(record.steps.map((s) => s.path));
  const steps: StepItem[] = [
    ...record.steps.map((step) => stepItem(step, kinds, effectsByPath)),
    ...started
      .filter((s) => !finished.has(s.path))
      .map((s): StepItem => ({
        path: s.path,
        step: s.step,
        ...(kinds.has(s.step) ? { kind: kinds.get(s.step)! } : {}),
        status: 'running',
        startedAt: s.at,
        effects: effectsByPath.get(s.path) ?? [],
      })),
  ].sort((a, b) => compareCodeUnits(a.startedAt, b.startedAt));
  const totals = runTotals(record, prices);
  const running = summary.status === 'running';
  return {
    run: runItem(summary, running ? currentStepOf(record) : undefined),
    input: record.header.input,
    output: record.output,
    ...(record.error ? { error: { code: record.error.code, message: record.error.message } } : {}),
    steps,
    // A cost only when the run called priced models (no model calls: nothing to price).
    ...(totals.cost === undefined || totals.tokens.input + totals.tokens.output === 0
      ? {}
      : { cost: totals.cost }),
    engine: record.header.engine.version,
    ...(record.header.routing ? { routing: routingItem(record.header.routing) } : {}),
    stepLines: version ? stepLines(version.source, version.definition) : {},
  };
}

function stepItem(
  step: StepRecord,
  kinds: ReadonlyMap<string, string>,
  effectsByPath: ReadonlyMap<string, EffectItem[]>,
): StepItem {
  const effects = effectsByPath.get(step.path) ?? [];
  let input = 0;
  let output = 0;
  for (const effect of effects) {
    input += effect.tokens?.input ?? 0;
    output += effect.tokens?.output ?? 0;
  }
  return {
    path: step.path,
    step: step.step,
    ...(kinds.has(step.step) ? { kind: kinds.get(step.step)! } : {}),
    status: step.status,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
    attempts: step.attempts,
    ...(step.input === undefined ? {} : { input: step.input }),
    output: step.output,
    ...(step.error ? { error: { code: step.error.code, message: step.error.message } } : {}),
    ...(input + output > 0 ? { tokens: { input, output } } : {}),
    ...(step.provenance ? { provenance: step.provenance } : {}),
    effects,
  };
}

/** A routing decision as the protocol carries it (the chosen version is the run's). */
function routingItem(routing: RoutingDecision): NonNullable<RunDetails['routing']> {
  return {
    channel: routing.channel,
    revision: routing.revision,
    bucket: routing.bucket,
    sticky: routing.sticky,
    ...(routing.inherited ? { inherited: true } : {}),
    target: routing.target,
  };
}
