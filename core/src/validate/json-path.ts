/** Formats definition paths the way messages show them: `steps.classify.llm.model`. */
import type { JsonPath } from '../parse/source-locator.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `['steps', 2, 'llm', 'model']` → `steps.classify.llm.model`: a step is named by its id, as
 * expressions (`steps.classify.output`), run errors and the editor name it, and by its position
 * (`steps[2]`) only when its id is missing, not an identifier, or shared with another step. Other
 * list items are positions; odd keys are quoted: `headers["x-key"]`.
 * @param root the definition the path runs through (the parsed file), where step ids are read.
 */
export function formatPath(path: JsonPath, root?: unknown): string {
  let out = '';
  for (const [index, segment] of path.entries()) {
    const stepId = index === 1 && path[0] === 'steps' ? uniqueStepId(root, segment) : undefined;
    if (stepId !== undefined) out += `.${stepId}`;
    else if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** Parses an Ajv `instancePath` (a JSON Pointer) into path segments. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment));
}

/** The id of the step at `position` when it names that step alone, else undefined. */
function uniqueStepId(root: unknown, position: string | number): string | undefined {
  if (typeof position !== 'number' || typeof root !== 'object' || root === null) return undefined;
  const steps = (root as { steps?: unknown }).steps;
  if (!Array.isArray(steps)) return undefined;
  const idOf = (step: unknown): unknown =>
    typeof step === 'object' && step !== null ? (step as { id?: unknown }).id : undefined;
  const id = idOf(steps[position]);
  if (typeof id !== 'string' || !IDENTIFIER.test(id)) return undefined;
  return steps.filter((step) => idOf(step) === id).length === 1 ? id : undefined;
}
