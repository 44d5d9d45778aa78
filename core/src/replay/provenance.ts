/**
 * Where each step's answers came from in a replay against another version: `recorded`, `live`,
 * `stubbed`, `missing`, or `tainted` when its own answers were recorded but it read the output of
 * a step that was not. The comparison uses this to tell "changed because the definition changed"
 * from "changed because the model answered differently".
 */
import { scopeReferencesIn } from '../expressions/value-references.js';
import type { WorkflowDefinition } from '../model/workflow.js';
import type { RunEvent, StepProvenance, StepRecord } from '../model/runs.js';

const RANK: Record<StepProvenance, number> = {
  recorded: 0,
  tainted: 1,
  stubbed: 2,
  live: 3,
  missing: 4,
};

/** Marks each `step-finished` event of one run with the step's provenance. */
export class ProvenanceTracker {
  private readonly dependencies: Map<string, Set<string>>;
  /** Provenance of each path's own answers so far. */
  private readonly own = new Map<string, StepProvenance>();
  /** Final provenance per step id. */
  private readonly steps = new Map<string, StepProvenance>();

  constructor(definition: WorkflowDefinition) {
    this.dependencies = stepDependencies(definition);
  }

  /** The `annotate` hook for the runner. */
  readonly annotate = (event: RunEvent): RunEvent => {
    if (event.type === 'effect') {
      const { path, served, error } = event.effect;
      // A divergence (--on-miss fail) is a request the recording has no answer for, too.
      const provenance: StepProvenance =
        error?.code === 'no-recording' || error?.code === 'divergence'
          ? 'missing'
          : served === 'live'
            ? 'live'
            : served === 'fixture'
              ? 'stubbed'
              : 'recorded';
      this.note(path, provenance);
      // A tool loop's turns and tool calls (`research/turn-2/lookup#1`) answer for their step.
      const owner = ownerPath(path);
      if (owner !== path) this.note(owner, provenance);
      return event;
    }
    if (event.type !== 'step-finished') return event;
    const record = event.record;
    let provenance = this.own.get(record.path) ?? 'recorded';
    if (record.iterations) {
      for (const iteration of record.iterations)
        provenance = worst(provenance, this.own.get(iteration) ?? 'recorded');
    }
    if (
      provenance === 'recorded' &&
      [...(this.dependencies.get(record.step) ?? [])].some(
        (dep) => (this.steps.get(dep) ?? 'recorded') !== 'recorded',
      )
    ) {
      provenance = 'tainted';
    }
    if (record.path === record.step) this.steps.set(record.step, provenance);
    else this.note(record.path, provenance);
    const annotated: StepRecord = { ...record, provenance };
    return { ...event, record: annotated };
  };

  private note(path: string, provenance: StepProvenance): void {
    this.own.set(path, worst(this.own.get(path) ?? 'recorded', provenance));
  }
}

/** The step (or iteration) path an effect path belongs to: itself unless a tool loop's. */
function ownerPath(path: string): string {
  return path.replace(TOOL_LOOP_SUFFIX, '');
}

/** `/turn-<n>`, optionally `/<tool>#<k>`, at the end of a path (tool names have no `/`). */
const TOOL_LOOP_SUFFIX = /\/turn-\d+(?:\/[A-Za-z][A-Za-z0-9_-]*#\d+)?$/;

function worst(a: StepProvenance, b: StepProvenance): StepProvenance {
  return RANK[a] >= RANK[b] ? a : b;
}

/** For each step id, the ids of the steps its expressions read. */
export function stepDependencies(definition: WorkflowDefinition): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const step of definition.steps) {
    const deps = new Set<string>();
    for (const { root, path } of scopeReferencesIn(step)) {
      if (root === 'steps' && path[0] !== undefined) deps.add(path[0]);
    }
    out.set(step.id, deps);
  }
  return out;
}
