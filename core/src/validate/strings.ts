/** Walking the strings of a definition, and pointing at a part of one string in the source. */
import { isScalar } from 'yaml';
import type { JsonPath, SourceLocator } from '../parse/source-locator.js';
import type { Range } from '../model/diagnostics.js';

/** Calls `visit` for every string inside `value` (depth first, in document order). */
export function forEachString(
  value: unknown,
  path: JsonPath,
  visit: (text: string, path: JsonPath) => void,
): void {
  if (typeof value === 'string') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => forEachString(item, [...path, index], visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) forEachString(item, [...path, key], visit);
  }
}

/**
 * The source range of `value.slice(start, end)`, where `value` is the string at `path`. Exact
 * when that text appears verbatim in the scalar's source (plain, quoted without escapes, or one
 * line of a block scalar: nearly always for expressions); otherwise the whole scalar.
 */
export function substringRange(
  locator: SourceLocator,
  path: JsonPath,
  value: string,
  start: number,
  end: number,
): Range {
  const node = locator.node(path);
  if (!node || !isScalar(node) || !node.range) return locator.range(path);
  const needle = value.slice(start, end);
  if (needle === '') return locator.range(path);
  let occurrence = 0;
  for (
    let at = value.indexOf(needle);
    at !== -1 && at < start;
    at = value.indexOf(needle, at + 1)
  ) {
    occurrence++;
  }
  const source = locator.sourceText(node);
  let found = -1;
  for (let i = 0; i <= occurrence; i++) {
    found = source.indexOf(needle, found + 1);
    if (found === -1) return locator.range(path);
  }
  const offset = node.range[0] + found;
  return locator.offsetRange(offset, offset + needle.length);
}
