/**
 * Redact paths: where personal data sits in a run, for run bundles (`lockstep export --redact`,
 * the config's `redact:`). A redact path is a JSONata path over the run's `input` and `output`
 * (`input.customer.email`; `input.contacts.phone` reaches every contact); this checks one without
 * evaluating it, so the config's checks and the export share one rule.
 */
import { compileExpression } from './references.js';

/** The roots a redact path may start at: the run's input and its output. */
const ROOTS = new Set(['input', 'output']);

/**
 * Why `path` is not a redact path, or undefined when it is one (a `$.` in front is allowed).
 * Shared by `--redact` and the config's `redact:`.
 */
export function redactPathProblem(path: string): string | undefined {
  const source = path.replace(/^\$\./, '');
  const compiled = compileExpression(source);
  if (!compiled.ok) return `not a path (${compiled.message})`;
  const roots = new Set(compiled.references.map((reference) => reference.root));
  if (roots.size === 0) return 'it reads nothing: start it with input. or output.';
  const outside = [...roots].find((root) => !ROOTS.has(root));
  if (outside !== undefined) {
    const hint = outside === 'inputs' ? ' (a run records its input as `input`)' : '';
    return `it reads '${outside}'${hint}: a redact path starts at input. or output.`;
  }
  return undefined;
}
