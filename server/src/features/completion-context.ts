/**
 * What the user is typing at the cursor: a key of some mapping, a value of some key, or a name
 * inside `${{ … }}`. The document is usually incomplete at that moment (a half-typed key, an
 * empty line, an unterminated expression), so the YAML tree is used where it recovered the text
 * and the indentation of the lines above decides the rest.
 */
import { isMap, isPair, isScalar, type Document } from 'yaml';
import { nodeAtOffset } from '../../../core/src/parse/node-at-offset.js';
import type { JsonPath } from '../../../core/src/parse/source-locator.js';

/** Where the cursor is, for completion; offsets are 0-based into the document text. */
export type CompletionSite =
  | {
      readonly kind: 'key';
      /** The mapping the key goes into. */
      readonly mapPath: JsonPath;
      /** Keys the mapping already has (the one being typed excluded). */
      readonly existing: readonly string[];
      /** The offsets of what is typed so far (replaced by the completion). */
      readonly start: number;
      readonly end: number;
    }
  | {
      readonly kind: 'value';
      readonly path: JsonPath;
      readonly start: number;
      readonly end: number;
    }
  | {
      readonly kind: 'expression';
      /** The path of the value holding the expression (for the names in scope there). */
      readonly valuePath: JsonPath;
      /** The names before the one being typed: `steps.a.` → `['steps', 'a']`. */
      readonly chain: readonly string[];
      readonly start: number;
      readonly end: number;
    };

/** The completion site at `offset`, or undefined where nothing can be completed. */
export function completionSite(
  doc: Document,
  text: string,
  offset: number,
): CompletionSite | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  // Inside an unclosed `${{` on this line, only expression names can be completed.
  const open = line.lastIndexOf('${{');
  if (open !== -1 && line.indexOf('}}', open) === -1) {
    return expressionSite(doc, line.slice(open + 3), offset);
  }
  return (
    keyOrValueFromTree(doc, text, line, lineStart, offset) ??
    siteFromIndentation(doc, text, line, lineStart, offset)
  );
}

/** `inside`: the text between `${{` and the cursor. */
function expressionSite(doc: Document, inside: string, offset: number): CompletionSite | undefined {
  const tail = /[A-Za-z0-9_.]*$/.exec(inside)?.[0] ?? '';
  const before = inside.slice(0, inside.length - tail.length);
  const parts = tail.split('.');
  const partial = parts.pop() ?? '';
  // `$split`, `$x.y`: a function or variable; `a[0].b`, `(x).y`, `a..b`: a name read from
  // something other than the scope. Nothing to offer there.
  if (/\$$/.test(before) || (parts.length > 0 && /[\])]\s*$/.test(before))) return undefined;
  if (parts.some((p) => p === '')) return undefined;
  return site(doc, offset, parts, partial);
}

function site(doc: Document, offset: number, chain: string[], partial: string): CompletionSite {
  return {
    kind: 'expression',
    valuePath: nodeAtOffset(doc, offset)?.path ?? [],
    chain,
    start: offset - partial.length,
    end: offset,
  };
}

/** A key or value the YAML parser recovered at the cursor. */
function keyOrValueFromTree(
  doc: Document,
  text: string,
  line: string,
  lineStart: number,
  offset: number,
): CompletionSite | undefined {
  const found = nodeAtOffset(doc, offset);
  const node = found?.node;
  if (found && isScalar(node) && node.range) {
    if (found.target === 'key') {
      const mapPath = found.path.slice(0, -1);
      const existing = keysAt(doc, mapPath, found.path.at(-1));
      return { kind: 'key', mapPath, existing, start: node.range[0], end: offset };
    }
    // Only indentation, dashes and a word on the line so far (`- ll`, or a new file's first
    // word): the parser saw a scalar, but the user is typing the first key of a mapping there.
    const word = /^\s*(?:-\s+)*([\w-]*)$/.exec(line);
    if (word) {
      const existing = keysAt(doc, found.path);
      return {
        kind: 'key',
        mapPath: found.path,
        existing,
        start: offset - word[1]!.length,
        end: offset,
      };
    }
    const quote = text[node.range[0]];
    const quoted = node.range[0] < offset && (quote === '"' || quote === "'");
    return {
      kind: 'value',
      path: found.path,
      start: node.range[0] + (quoted ? 1 : 0),
      end: offset,
    };
  }
  // `key: ` with nothing after the colon yet (in a block or a flow mapping): the value is
  // empty, so the tree has no node at the cursor; the key before it says whose value it is.
  const keyed = /([\w.-]+):\s*$/.exec(line);
  if (keyed) {
    const keyAt = nodeAtOffset(doc, lineStart + keyed.index);
    if (keyAt?.target === 'key')
      return { kind: 'value', path: keyAt.path, start: offset, end: offset };
  }
  return undefined;
}

/** A key typed on a new line: the lines above, by indentation, tell which mapping it goes into. */
function siteFromIndentation(
  doc: Document,
  text: string,
  line: string,
  lineStart: number,
  offset: number,
): CompletionSite | undefined {
  const typed = /^(\s*)((?:-\s+)*)([\w-]*)$/.exec(line);
  if (!typed) return undefined;
  const partial = typed[3]!;
  const column = line.length - partial.length;
  const start = offset - partial.length;
  if (typed[2] !== '') {
    // `- ` starts a new list item: the mapping is that item, inside the list above.
    const listPath = parentByIndentation(doc, text, lineStart, typed[1]!.length, true);
    if (!listPath) return undefined;
    const list = doc.getIn(listPath, true);
    const index =
      list && typeof list === 'object' && 'items' in list ? (list.items as unknown[]).length : 0;
    const found = nodeAtOffset(doc, offset);
    const itemPath =
      found && found.path.length === listPath.length + 1 ? found.path : [...listPath, index];
    return { kind: 'key', mapPath: itemPath, existing: keysAt(doc, itemPath), start, end: offset };
  }
  const mapPath = parentByIndentation(doc, text, lineStart, column, false);
  return mapPath && { kind: 'key', mapPath, existing: keysAt(doc, mapPath), start, end: offset };
}

/**
 * The path of the collection a line indented to `column` belongs to, found from the closest line
 * above that is indented less (its parent key) or as much (a sibling key). With `list`, the line
 * starts a list item, whose parent is the key above that holds the list.
 */
function parentByIndentation(
  doc: Document,
  text: string,
  lineStart: number,
  column: number,
  list: boolean,
): JsonPath | undefined {
  for (let end = lineStart - 1; end > 0;) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const indent = line.length - content.length;
    const dash = /^-(?:\s+|$)/.exec(content);
    if (list) {
      if (indent > column || (dash && indent === column)) continue; // earlier items and their content
      return keyPathAt(doc, start + indent, !dash && indent < column ? 'own' : 'parent');
    }
    const keyColumn = dash ? indent + Math.max(dash[0].length, 2) : indent;
    if (dash && keyColumn === column) {
      return content.slice(dash[0].length) === ''
        ? (nodeAtOffset(doc, start + indent)?.path ?? undefined)
        : keyPathAt(doc, start + keyColumn, 'parent');
    }
    if (indent > column) continue; // deeper content of an earlier sibling
    if (indent === column && !dash) return keyPathAt(doc, start + indent, 'parent');
    if (indent < column && !dash && /^[^#]*:\s*(#.*)?$/.test(content)) {
      return keyPathAt(doc, start + indent, 'own');
    }
    return undefined;
  }
  return column === 0 ? [] : undefined;
}

/** The path of the key at `offset` (`own`), or of the mapping holding it (`parent`). */
function keyPathAt(doc: Document, offset: number, which: 'own' | 'parent'): JsonPath | undefined {
  const found = nodeAtOffset(doc, offset);
  if (found?.target !== 'key') return undefined;
  return which === 'own' ? found.path : found.path.slice(0, -1);
}

/** The keys of the mapping at `path`, leaving out `except` (the key being typed). */
function keysAt(doc: Document, path: JsonPath, except?: string | number): string[] {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) =>
    isPair(pair) && isScalar(pair.key) && pair.key.value !== except ? [String(pair.key.value)] : [],
  );
}
