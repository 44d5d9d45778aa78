/**
 * Finds what a character offset points at in a parsed YAML document: the JSON path of the
 * innermost key or value around it. Editors ask this for every hover, completion and definition,
 * often on a document with syntax errors, so it walks whatever the parser recovered.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { JsonPath, RangeTarget } from './source-locator.js';

/** The innermost key or value at an offset. */
export interface NodeAtOffset {
  /** The path of the value the offset is in, or of the key it is on. */
  readonly path: JsonPath;
  /** `key`: the offset is on the key that introduces `path`; `value`: inside the value at `path`. */
  readonly target: RangeTarget;
  /** The key scalar (target `key`) or the value node; null for a key whose value is empty. */
  readonly node: Node | null;
}

/**
 * The innermost key or value whose source contains `offset` (0-based; the position just after a
 * node's last character counts as inside it, where a cursor sits while typing). Offsets between
 * the entries of a collection resolve to the collection itself. Undefined for an empty document.
 */
export function nodeAtOffset(doc: Document, offset: number): NodeAtOffset | undefined {
  const root = doc.contents as Node | null;
  if (!root || !contains(root, offset)) return undefined;
  const path: (string | number)[] = [];
  let current: Node = root;
  for (;;) {
    if (isMap(current)) {
      let next: Node | undefined;
      for (const pair of current.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        const name = isScalar(key) ? String(key.value) : undefined;
        if (key && contains(key, offset)) {
          return name === undefined
            ? { path, target: 'value', node: current }
            : { path: [...path, name], target: 'key', node: key };
        }
        if (name !== undefined && value && contains(value, offset)) {
          path.push(name);
          next = value;
          break;
        }
      }
      if (!next) return { path, target: 'value', node: current };
      current = next;
    } else if (isSeq(current)) {
      const index = current.items.findIndex(
        (item) => item !== null && typeof item === 'object' && contains(item as Node, offset),
      );
      if (index === -1) return { path, target: 'value', node: current };
      path.push(index);
      current = current.items[index] as Node;
    } else {
      return { path, target: 'value', node: current };
    }
  }
}

function contains(node: Node, offset: number): boolean {
  const range = node.range;
  return !!range && range[0] <= offset && offset <= range[1];
}
