/**
 * Sticky keys: an expression over a run's inputs (`inputs.customer_id`, or the same inside
 * `${{ }}`) whose value keeps a key on one version while a canary grows. It may read only the
 * inputs, and never the clock or randomness: the same input must always give the same key.
 */
import { evaluateExpression } from '../engine/evaluate.js';
import { EngineError } from '../engine/engine-error.js';
import { compileExpression } from '../expressions/references.js';
import { LockstepError } from '../model/errors.js';
import type { JsonValue } from '../model/workflow.js';

/** The expression's source without a surrounding `${{ }}`. */
export function stickySource(text: string): string {
  const match = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text);
  return (match ? match[1]! : text).trim();
}

/**
 * Checks a sticky expression when a canary is set, so a typo is refused before traffic moves.
 * @returns the expression as it will be stored (without `${{ }}`).
 * @throws LockstepError `usage` naming the expression and what is wrong.
 */
export function checkSticky(text: string, inputs: readonly string[]): string {
  const source = stickySource(text);
  const compiled = compileExpression(source);
  if (!compiled.ok) {
    throw new LockstepError('usage', `--sticky '${source}' does not parse: ${compiled.message}`);
  }
  const roots = compiled.references.map((r) => r.root);
  const other = roots.find((root) => root !== 'inputs');
  if (other !== undefined || roots.length === 0 || /\$(now|millis|random)\s*\(/.test(source)) {
    throw new LockstepError(
      'usage',
      `--sticky '${source}' must read the workflow's inputs only (e.g. inputs.customer_id)${other ? `, not '${other}'` : ''}`,
    );
  }
  const unknown = compiled.references.find(
    (r) => r.path[0] !== undefined && !inputs.includes(r.path[0]),
  );
  if (unknown) {
    throw new LockstepError(
      'usage',
      `--sticky '${source}' reads inputs.${unknown.path[0]}, which the workflow does not declare (inputs: ${inputs.join(', ') || 'none'})`,
    );
  }
  return source;
}

/**
 * The sticky value of a run's input, or undefined when the expression gives nothing (the run is
 * then routed by a random bucket, recorded as such).
 */
export async function stickyValue(
  source: string,
  input: { readonly [name: string]: JsonValue },
): Promise<JsonValue | undefined> {
  const refuse = (): never => {
    throw new EngineError(
      'expression',
      `the sticky key ${source} may not read the clock or randomness`,
    );
  };
  const value = await evaluateExpression(
    source,
    { inputs: input, steps: {}, env: {} },
    { now: refuse, millis: refuse, random: refuse },
    'the channel’s sticky key',
  );
  return value === null ? undefined : value;
}
