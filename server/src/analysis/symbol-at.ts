/**
 * What named thing is at an offset: a step id, an input, a model or a workflow name, whether
 * declared there or referred to. Definition, references, rename and hover all start here.
 */
import { isScalar } from 'yaml';
import { nodeAtOffset } from '../../../core/src/parse/node-at-offset.js';
import type { DocumentAnalysis } from './document-analysis.js';
import { referenceSegments } from './reference-segments.js';

export type SymbolKindName = 'step' | 'input' | 'model' | 'workflow';

export interface SymbolAt {
  readonly kind: SymbolKindName;
  readonly name: string;
  /** Offsets of the name itself (without quotes or the `steps.` around it). */
  readonly start: number;
  readonly end: number;
  /** True on the declaration (a step's `id`, an input or model key, the workflow's `name`). */
  readonly declaration: boolean;
}

/** The named thing at `offset`: an expression reference first, else a key or value. */
export function symbolAt(analysis: DocumentAnalysis, offset: number): SymbolAt | undefined {
  return referenceAt(analysis, offset) ?? structuralAt(analysis, offset);
}

/** A `steps.<id>…` or `inputs.<name>…` reference inside an expression. */
function referenceAt(analysis: DocumentAnalysis, offset: number): SymbolAt | undefined {
  for (const occurrence of analysis.occurrences) {
    if (offset < occurrence.start || offset > occurrence.end) continue;
    for (const reference of occurrence.references) {
      if (offset < reference.start || offset > reference.end) continue;
      const kind =
        reference.root === 'steps' ? 'step' : reference.root === 'inputs' ? 'input' : undefined;
      const name = referenceSegments(analysis.text, reference.start, reference.end)[1];
      if (kind && name)
        return { kind, name: name.name, start: name.start, end: name.end, declaration: false };
    }
  }
  return undefined;
}

/** A name written as a YAML key or value: declarations, `llm.model`, `workflow.name`. */
function structuralAt(analysis: DocumentAnalysis, offset: number): SymbolAt | undefined {
  const found = nodeAtOffset(analysis.doc, offset);
  const node = found?.node;
  if (!found || !isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const [start, end] = unquoted(analysis.text, node.range[0], node.range[1]);
  const symbol = (kind: SymbolKindName, declaration: boolean): SymbolAt => ({
    kind,
    name: String(node.value),
    start,
    end,
    declaration,
  });
  const [first, second, third, fourth] = found.path;
  const length = found.path.length;
  if (found.target === 'key') {
    if (length === 2 && first === 'inputs') return symbol('input', true);
    if (length === 2 && first === 'models') return symbol('model', true);
    return undefined;
  }
  if (length === 1 && first === 'name') return symbol('workflow', true);
  if (first !== 'steps' || typeof second !== 'number') return undefined;
  if (length === 3 && third === 'id') return symbol('step', true);
  if (length === 4 && third === 'llm' && fourth === 'model') return symbol('model', false);
  if (length === 4 && third === 'workflow' && fourth === 'name') return symbol('workflow', false);
  return undefined;
}

/** The offsets inside a scalar's quotes (the scalar's own offsets when it is not quoted). */
export function unquoted(text: string, start: number, end: number): [number, number] {
  const quote = text[start];
  return (quote === '"' || quote === "'") && end - start >= 2 && text[end - 1] === quote
    ? [start + 1, end - 1]
    : [start, end];
}
