/**
 * Compares two runs step by step: steps aligned by path, each classified, the first divergence
 * marked, JSON outputs as structural diffs and text as line and word diffs, the final output's
 * diff, and the token, cost and latency deltas.
 */
import { diffLines, diffWordsWithSpace } from 'diff';
import diff from 'microdiff';
import type { JsonValue } from '../model/workflow.js';
import { canonicalJson } from '../hash/canonical.js';
import type { RunRecord, StepProvenance, StepRecord, TokenUsage } from '../model/runs.js';

export type StepChange =
  | 'identical'
  | 'output-changed'
  | 'input-changed'
  | 'status-changed'
  | 'branch-changed'
  | 'added'
  | 'removed';

/** How one value became another. */
export type ValueDiff =
  | { readonly kind: 'same' }
  /** Both JSON structures: what changed, by path (`reply`, `items.2.name`). */
  | {
      readonly kind: 'structural';
      readonly changes: readonly {
        readonly type: 'added' | 'removed' | 'changed';
        readonly path: string;
        readonly before?: JsonValue;
        readonly after?: JsonValue;
      }[];
    }
  /** Both text: the changed lines (or words, for one-line text) as +/- parts. */
  | {
      readonly kind: 'text';
      readonly parts: readonly {
        readonly added?: boolean;
        readonly removed?: boolean;
        readonly value: string;
      }[];
    }
  /** Different kinds of value. */
  | { readonly kind: 'replaced'; readonly before: JsonValue; readonly after: JsonValue };

export interface StepComparison {
  readonly path: string;
  readonly change: StepChange;
  readonly a?: { readonly status: string; readonly output: JsonValue };
  readonly b?: { readonly status: string; readonly output: JsonValue };
  /** Where run B's answers for the step came from (set in replays against another version). */
  readonly provenance?: StepProvenance;
  readonly outputDiff?: ValueDiff;
  readonly inputDiff?: ValueDiff;
}

export interface RunTotals {
  readonly tokens: TokenUsage;
  /** USD, from the configured model prices; undefined when a model has no price. */
  readonly cost?: number;
  readonly latencyMs?: number;
}

export interface RunComparison {
  readonly a: {
    readonly run: string;
    readonly version: RunRecord['header']['version'];
    readonly status: string;
  };
  readonly b: {
    readonly run: string;
    readonly version: RunRecord['header']['version'];
    readonly status: string;
  };
  readonly steps: readonly StepComparison[];
  /** The first step (in run order) that is not identical. */
  readonly firstDivergence?: string;
  readonly output: ValueDiff;
  readonly totals: { readonly a: RunTotals; readonly b: RunTotals };
}

/** Model prices: USD per million input and output tokens, by model name. */
export type Prices = {
  readonly [model: string]: { readonly input: number; readonly output: number };
};

/** Compares run B against run A. */
export function compareRuns(a: RunRecord, b: RunRecord, prices: Prices = {}): RunComparison {
  const stepsA = byPath(a.steps);
  const stepsB = byPath(b.steps);
  const order = alignedPaths([...stepsA.keys()], [...stepsB.keys()]);
  const compared = new Map<string, StepComparison>();
  for (const path of order)
    compared.set(path, compareStep(path, stepsA.get(path), stepsB.get(path)));
  const steps = order.map((path) => withIterations(compared.get(path)!, stepsA, stepsB, compared));
  const first = steps.find((s) => s.change !== 'identical');
  return {
    a: { run: a.header.id, version: a.header.version, status: a.status },
    b: { run: b.header.id, version: b.header.version, status: b.status },
    steps,
    ...(first ? { firstDivergence: first.path } : {}),
    output: diffValues(a.output, b.output),
    totals: { a: runTotals(a, prices), b: runTotals(b, prices) },
  };
}

function byPath(steps: readonly StepRecord[]): Map<string, StepRecord> {
  return new Map(steps.map((s) => [s.path, s]));
}

/**
 * Both runs' step paths in run order: B's order, with each step only A ran placed where A ran
 * it (before the next step both ran), so that an added or removed step is seen where it happened
 * and the first divergence is the first one in the run.
 */
function alignedPaths(a: readonly string[], b: readonly string[]): string[] {
  const inA = new Set(a);
  const inB = new Set(b);
  const out: string[] = [];
  const placed = new Set<string>();
  const place = (path: string): void => {
    if (placed.has(path)) return;
    placed.add(path);
    out.push(path);
  };
  let i = 0;
  for (const path of b) {
    if (inA.has(path)) {
      // A's steps up to this one that B does not have were removed here.
      while (i < a.length) {
        const before = a[i++]!;
        if (before === path) break;
        if (!inB.has(before)) place(before);
      }
    }
    place(path);
  }
  for (const path of a) place(path);
  return out;
}

/**
 * A foreach step records no input of its own: when its iterations' inputs changed (its
 * definition changed, even if the answers happened to be the same) or iterations were added or
 * removed (its items changed), the step is input-changed too.
 */
function withIterations(
  step: StepComparison,
  stepsA: ReadonlyMap<string, StepRecord>,
  stepsB: ReadonlyMap<string, StepRecord>,
  compared: ReadonlyMap<string, StepComparison>,
): StepComparison {
  if (step.change !== 'identical' && step.change !== 'output-changed') return step;
  const a = stepsA.get(step.path)?.iterations;
  const b = stepsB.get(step.path)?.iterations;
  if (a === undefined && b === undefined) return step; // not a foreach step
  const iterations = new Set([...(a ?? []), ...(b ?? [])]);
  const inputChanged = [...iterations].some((path) => {
    const change = compared.get(path)?.change;
    return change === 'input-changed' || change === 'added' || change === 'removed';
  });
  return inputChanged ? { ...step, change: 'input-changed' } : step;
}

function compareStep(
  path: string,
  a: StepRecord | undefined,
  b: StepRecord | undefined,
): StepComparison {
  const provenance = b?.provenance ? { provenance: b.provenance } : {};
  if (!a)
    return { path, change: 'added', b: { status: b!.status, output: b!.output }, ...provenance };
  if (!b) return { path, change: 'removed', a: { status: a.status, output: a.output } };
  const sides = {
    a: { status: a.status, output: a.output },
    b: { status: b.status, output: b.output },
    ...provenance,
  };
  const outputDiff = diffValues(a.output, b.output);
  const inputDiff = diffValues(a.input ?? null, b.input ?? null);
  const diffs = {
    ...(outputDiff.kind === 'same' ? {} : { outputDiff }),
    ...(inputDiff.kind === 'same' ? {} : { inputDiff }),
  };
  if ((a.status === 'skipped') !== (b.status === 'skipped'))
    return { path, change: 'branch-changed', ...sides, ...diffs };
  if (a.status !== b.status) return { path, change: 'status-changed', ...sides, ...diffs };
  if (inputDiff.kind !== 'same') return { path, change: 'input-changed', ...sides, ...diffs };
  if (outputDiff.kind !== 'same') return { path, change: 'output-changed', ...sides, ...diffs };
  return { path, change: 'identical', ...sides };
}

/** How `before` became `after`. */
export function diffValues(before: JsonValue, after: JsonValue): ValueDiff {
  // Most compared values are equal (a replay repeats its source): the structural check answers
  // those without building two canonical texts; anything it does not call equal is decided by
  // the canonical form, as before.
  if (sameJson(before, after) || canonicalJson(before) === canonicalJson(after)) {
    return { kind: 'same' };
  }
  if (typeof before === 'string' && typeof after === 'string') {
    const multiline = before.includes('\n') || after.includes('\n');
    const parts = (multiline ? diffLines(before, after) : diffWordsWithSpace(before, after)).map(
      (part) => ({
        ...(part.added ? { added: true } : {}),
        ...(part.removed ? { removed: true } : {}),
        value: part.value,
      }),
    );
    return { kind: 'text', parts };
  }
  if (isStructure(before) && isStructure(after) && Array.isArray(before) === Array.isArray(after)) {
    const changes = diff(before as Record<string, unknown>, after as Record<string, unknown>).map(
      (change) => ({
        type:
          change.type === 'CREATE'
            ? ('added' as const)
            : change.type === 'REMOVE'
              ? ('removed' as const)
              : ('changed' as const),
        path: change.path.join('.'),
        ...('oldValue' in change ? { before: change.oldValue as JsonValue } : {}),
        ...('value' in change ? { after: change.value as JsonValue } : {}),
      }),
    );
    return { kind: 'structural', changes };
  }
  return { kind: 'replaced', before, after };
}

/**
 * True when two JSON values are equal member by member (object key order aside): then their
 * canonical JSON is the same text. False does not mean different (say, a member holding
 * undefined on one side only); the caller falls back to comparing canonical JSON.
 */
function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key)) return false;
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined || !sameJson(x, y)) return false;
  }
  return true;
}

function isStructure(value: JsonValue): boolean {
  return value !== null && typeof value === 'object';
}

/** A run's tokens, cost (when every model it called has a price) and latency. */
export function runTotals(run: RunRecord, prices: Prices): RunTotals {
  let input = 0;
  let output = 0;
  let cost: number | undefined = 0;
  for (const effect of run.effects) {
    if (!effect.usage) continue;
    input += effect.usage.input;
    output += effect.usage.output;
    const model = (effect.request as { model?: unknown } | null)?.model;
    const price = typeof model === 'string' ? prices[model] : undefined;
    if (price && cost !== undefined)
      cost += (effect.usage.input * price.input + effect.usage.output * price.output) / 1_000_000;
    else cost = undefined;
  }
  const latencyMs = run.finishedAt
    ? Date.parse(run.finishedAt) - Date.parse(run.header.startedAt)
    : undefined;
  return {
    tokens: { input, output },
    ...(cost === undefined ? {} : { cost }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
  };
}
