/**
 * What changed between two versions: a structural summary (which inputs, models, steps and
 * outputs were added, removed or changed) and a unified diff of the stored YAML text.
 */
import { createTwoFilesPatch, diffArrays } from 'diff';
import type { WorkflowDefinition } from '../model/workflow.js';
import { canonicalJson } from '../hash/canonical.js';
import type { VersionRecord } from '../store/records.js';

export interface DefinitionChange {
  /** What changed, e.g. `steps.classify`, `inputs.ticket`, `description`. */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed' | 'moved';
}

export interface DefinitionDiff {
  /** Same id: the definitions are equal (the text may still differ in formatting or comments). */
  readonly identical: boolean;
  readonly changes: readonly DefinitionChange[];
  /** A unified diff of the stored YAML, empty when the texts are equal. */
  readonly unified: string;
}

/**
 * Compares two versions; `labels` name them in the unified diff's header. `texts` are the YAML to
 * compare line by line (default: the text stored with each version; a working file's current
 * text may differ from it in comments and formatting only).
 */
export function diffVersions(
  a: VersionRecord,
  b: VersionRecord,
  labels: { readonly a: string; readonly b: string },
  texts: { readonly a: string; readonly b: string } = { a: a.source, b: b.source },
): DefinitionDiff {
  const unified =
    texts.a === texts.b
      ? ''
      : createTwoFilesPatch(labels.a, labels.b, texts.a, texts.b, undefined, undefined, {
          context: 3,
        }).replace(/^=+\n/, ''); // jsdiff's separator line adds nothing to a single-file diff
  return {
    identical: a.id === b.id,
    changes: structuralChanges(a.definition, b.definition),
    unified,
  };
}

function same(x: unknown, y: unknown): boolean {
  return canonicalJson(x ?? null) === canonicalJson(y ?? null);
}

function structuralChanges(a: WorkflowDefinition, b: WorkflowDefinition): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  if (!same(a.description, b.description)) changes.push({ path: 'description', change: 'changed' });
  for (const section of ['inputs', 'models', 'outputs'] as const) {
    changes.push(...compareMaps(section, a[section] ?? {}, b[section] ?? {}));
  }
  const stepsA = new Map(a.steps.map((s) => [s.id, { step: s }]));
  const stepsB = new Map(b.steps.map((s) => [s.id, { step: s }]));
  // Steps outside the longest common order of the steps both versions have were moved.
  const orderA = a.steps.map((s) => s.id).filter((id) => stepsB.has(id));
  const orderB = b.steps.map((s) => s.id).filter((id) => stepsA.has(id));
  const moved = new Set(
    diffArrays(orderA, orderB).flatMap((part) => (part.added ? part.value : [])),
  );
  for (const [id, { step }] of stepsA) {
    const other = stepsB.get(id);
    if (!other) changes.push({ path: `steps.${id}`, change: 'removed' });
    else if (!same(step, other.step)) changes.push({ path: `steps.${id}`, change: 'changed' });
    else if (moved.has(id)) changes.push({ path: `steps.${id}`, change: 'moved' });
  }
  for (const id of stepsB.keys()) {
    if (!stepsA.has(id)) changes.push({ path: `steps.${id}`, change: 'added' });
  }
  return changes;
}

function compareMaps(
  section: string,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  for (const key of Object.keys(a)) {
    if (!(key in b)) changes.push({ path: `${section}.${key}`, change: 'removed' });
    else if (!same(a[key], b[key])) changes.push({ path: `${section}.${key}`, change: 'changed' });
  }
  for (const key of Object.keys(b)) {
    if (!(key in a)) changes.push({ path: `${section}.${key}`, change: 'added' });
  }
  return changes;
}
