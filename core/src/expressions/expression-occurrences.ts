/**
 * Every `${{ … }}` expression of a parsed YAML document, at its exact place in the source, with
 * the scope names it reads. Editor features (go to definition, references, rename, highlighting)
 * need source offsets, where validation works on parsed values: this bridges the two.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { JsonPath } from '../parse/source-locator.js';
import { compileExpression } from './references.js';
import { isTemplate, parseTemplate } from './template.js';

/** A name read from the scope, at absolute 0-based offsets in the source text. */
export interface ReferenceOccurrence {
  readonly root: string;
  /** The plain field names after the root (see ScopeReference). */
  readonly path: readonly string[];
  readonly start: number;
  readonly end: number;
}

/** One `${{ … }}` in the source. Offsets are absolute, 0-based, into the document's text. */
export interface ExpressionOccurrence {
  /** The path of the string value holding the expression. */
  readonly valuePath: JsonPath;
  /** Offset of `$` in `${{`. */
  readonly start: number;
  /** Offset just after `}}`. */
  readonly end: number;
  /** Whether the expression compiled; references are listed only when it did. */
  readonly ok: boolean;
  readonly references: readonly ReferenceOccurrence[];
}

/**
 * Finds the expressions in the document's string values (keys are never templates). An
 * expression whose text does not appear verbatim in the source (a quoted string with escapes
 * inside it, a folded line break) is skipped: there is no exact place to point at, and
 * validation still reports its problems on the whole value.
 */
export function expressionOccurrences(doc: Document, text: string): ExpressionOccurrence[] {
  const out: ExpressionOccurrence[] = [];
  const visit = (node: unknown, path: JsonPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && isScalar(pair.key))
          visit(pair.value, [...path, String(pair.key.value)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    } else if (isScalar(node) && typeof node.value === 'string' && isTemplate(node.value)) {
      collect(node, node.value, path, text, out);
    }
  };
  visit(doc.contents, []);
  return out;
}

function collect(
  node: Node,
  value: string,
  path: JsonPath,
  text: string,
  out: ExpressionOccurrence[],
): void {
  const range = node.range;
  if (!range) return;
  const source = text.slice(range[0], range[1]);
  let searchFrom = 0;
  for (const expression of parseTemplate(value).expressions) {
    const raw = value.slice(expression.start, expression.end);
    const at = source.indexOf(raw, searchFrom);
    if (at === -1) continue;
    searchFrom = at + raw.length;
    const start = range[0] + at;
    const compiled = compileExpression(expression.source);
    const sourceStart = start + (expression.sourceStart - expression.start);
    out.push({
      valuePath: path,
      start,
      end: start + raw.length,
      ok: compiled.ok,
      references: compiled.ok
        ? compiled.references.map((reference) => ({
            root: reference.root,
            path: reference.path,
            start: sourceStart + reference.start,
            end: sourceStart + reference.end,
          }))
        : [],
    });
  }
}
