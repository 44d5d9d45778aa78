/** Formats definition paths the way messages show them: `steps[2].llm.model`. */
import type { JsonPath } from '../parse/source-locator.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `['steps', 2, 'llm', 'model']` → `steps[2].llm.model`; odd keys are quoted: `headers["x-key"]`. */
export function formatPath(path: JsonPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
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
