/**
 * The named parts of a workflow document (name, inputs, models, steps, outputs) with their source
 * offsets, read from the YAML syntax tree so that it works on documents with errors too: editor
 * features must keep working while the user is in the middle of typing.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import { STEP_KINDS, type StepKind } from '../../../core/src/model/workflow.js';

/** A `key: value` entry of a mapping. Offsets are 0-based into the document's text. */
export interface OutlineEntry {
  readonly name: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  /** The entry's extent: from its key to the end of its value. */
  readonly start: number;
  readonly end: number;
  readonly value: Node | null;
}

/** One item of `steps`. */
export interface OutlineStep {
  readonly index: number;
  /** The id, when the item has a string `id`. */
  readonly id?: string;
  /** Offsets of the id's value (what a rename replaces). */
  readonly idStart?: number;
  readonly idEnd?: number;
  /** The first kind key present (`llm`, `http`…), if any. */
  readonly kind?: StepKind;
  readonly start: number;
  readonly end: number;
  /** The item's mapping, when it is one. */
  readonly node?: YAMLMap;
  readonly entries: readonly OutlineEntry[];
  /** The foreach item's name (`as`, default `item`) when the step has `foreach`. */
  readonly itemName?: string;
}

export interface WorkflowOutline {
  readonly topLevel: readonly OutlineEntry[];
  /** The workflow's `name` value, when it is a string. */
  readonly name?: { readonly value: string; readonly start: number; readonly end: number };
  readonly inputs: readonly OutlineEntry[];
  readonly models: readonly OutlineEntry[];
  readonly steps: readonly OutlineStep[];
  readonly outputs: readonly OutlineEntry[];
}

/** Reads the outline of a (possibly broken) workflow document. */
export function buildOutline(doc: Document): WorkflowOutline {
  const topLevel = entriesOf(doc.contents as Node | null);
  const entry = (name: string): OutlineEntry | undefined => topLevel.find((e) => e.name === name);
  const nameValue = entry('name')?.value;
  const steps = entry('steps')?.value;
  return {
    topLevel,
    ...(isScalar(nameValue) && typeof nameValue.value === 'string' && nameValue.range
      ? { name: { value: nameValue.value, start: nameValue.range[0], end: nameValue.range[1] } }
      : {}),
    inputs: entriesOf(entry('inputs')?.value ?? null),
    models: entriesOf(entry('models')?.value ?? null),
    steps: isSeq(steps) ? steps.items.flatMap((item, index) => stepOf(item, index)) : [],
    outputs: entriesOf(entry('outputs')?.value ?? null),
  };
}

/** The entries of a mapping node with scalar keys (anything else has none). */
export function entriesOf(node: Node | null): OutlineEntry[] {
  if (!isMap(node)) return [];
  const out: OutlineEntry[] = [];
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) continue;
    const value = (pair.value as Node | null) ?? null;
    const keyRange = pair.key.range;
    out.push({
      name: String(pair.key.value),
      keyStart: keyRange[0],
      keyEnd: keyRange[1],
      start: keyRange[0],
      end: value?.range ? Math.max(value.range[1], keyRange[1]) : keyRange[1],
      value,
    });
  }
  return out;
}

/** The plain value of a scalar entry of a mapping (undefined for collections and absent keys). */
export function scalarValue(node: Node | null | undefined, ...keys: string[]): unknown {
  let current: unknown = node;
  for (const key of keys) {
    if (!isMap(current)) return undefined;
    current = current.get(key, true);
  }
  return isScalar(current) ? current.value : undefined;
}

function stepOf(item: unknown, index: number): OutlineStep[] {
  const node = item as Node | null;
  if (!node?.range) return [];
  const entries = entriesOf(node);
  const idNode = entries.find((e) => e.name === 'id')?.value;
  const id = isScalar(idNode) && typeof idNode.value === 'string' ? idNode.value : undefined;
  const kind = STEP_KINDS.find((k) => entries.some((e) => e.name === k));
  const as = scalarValue(node, 'as');
  const hasForeach = entries.some((e) => e.name === 'foreach');
  return [
    {
      index,
      ...(id !== undefined && isScalar(idNode) && idNode.range
        ? { id, idStart: idNode.range[0], idEnd: idNode.range[1] }
        : {}),
      ...(kind === undefined ? {} : { kind }),
      start: node.range[0],
      end: node.range[1],
      ...(isMap(node) ? { node } : {}),
      entries,
      ...(hasForeach ? { itemName: typeof as === 'string' ? as : 'item' } : {}),
    },
  ];
}
