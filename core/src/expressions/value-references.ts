/**
 * The scope names a parsed value reads: every reference of every `${{ }}` expression in any
 * string anywhere inside it. The engine (which secrets and env variables to read up front) and
 * replay provenance (which steps a step reads) ask this of definitions; validation and editor
 * features, which also need positions and errors, walk the templates themselves.
 */
import { compileExpression, type ScopeReference } from './references.js';
import { isTemplate, parseTemplate } from './template.js';

/**
 * Every scope reference read by the expressions inside `value` (strings of lists and objects,
 * at any depth; keys are never templates), in document order, repeats included. Expressions
 * that do not compile read nothing here: validation reports them.
 */
export function scopeReferencesIn(value: unknown): ScopeReference[] {
  const out: ScopeReference[] = [];
  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      if (!isTemplate(node)) return;
      for (const expression of parseTemplate(node).expressions) {
        const compiled = compileExpression(expression.source);
        if (compiled.ok) out.push(...compiled.references);
      }
    } else if (node !== null && typeof node === 'object') {
      for (const member of Object.values(node)) visit(member);
    }
  };
  visit(value);
  return out;
}
