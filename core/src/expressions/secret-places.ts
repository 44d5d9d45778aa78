/**
 * Where a secret may appear in a workflow, and in what form: only as a whole
 * `${{ secrets.NAME }}` placeholder (alone, or inside a string), and only in the fields that send
 * it somewhere that needs it. Validation reports anything else, and the engine refuses it at run
 * time, so a definition that skipped validation cannot leak a secret either.
 */
import type { JsonPath } from '../parse/source-locator.js';

/** Where secrets may be placed, in words, for messages. */
export const SECRET_PLACES =
  "a model's api_key; an http step's (or http tool's) url, headers, query, body and auth; a shell step's (or shell tool's) env";

/**
 * Whether `${{ secrets.NAME }}` may appear at `path` (a path into the definition): a model's
 * `api_key`; an `http` step's `url`, header, query and body values and `auth`; a `shell` step's
 * `env` values; the same fields of an `llm` step's `http` and `shell` tools.
 */
export function secretsAllowedAt(path: JsonPath): boolean {
  if (path[0] === 'models') return path.length === 3 && path[2] === 'api_key';
  if (path[0] !== 'steps') return false;
  // A tool's runner (`steps[i].llm.tools[j].http…`) sends as the step of its kind does.
  if (path[2] === 'llm' && path[3] === 'tools' && typeof path[4] === 'number') {
    return secretsAllowedAt(['steps', path[1]!, ...path.slice(5)]);
  }
  const [, , kind, field] = path;
  if (kind === 'http') {
    return (
      field === 'url' ||
      field === 'headers' ||
      field === 'query' ||
      field === 'body' ||
      field === 'auth'
    );
  }
  return kind === 'shell' && field === 'env' && path.length >= 5;
}

const PLACEHOLDER = /^\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/**
 * The secret's name when an expression is exactly `secrets.NAME` (a placeholder); undefined for
 * any other expression, including one that computes with a secret.
 */
export function secretPlaceholderName(source: string): string | undefined {
  return PLACEHOLDER.exec(source)?.[1];
}
