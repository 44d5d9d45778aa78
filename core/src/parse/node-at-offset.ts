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
 * The innermost key or value whose source contains `offset` (0-based). The position just after a
 * node's last character counts as inside it (where a cursor sits while typing), unless another
 * node starts right there. Offsets between the entries of a collection resolve to the collection
 * itself. Undefined for an empty document.
 */
export function nodeAtOffset(doc: Document, offset: number): NodeAtOffset | undefined {
  const root = doc.contents as Node | null;
  if (!root || !root.range || offset < root.range[0] || offset > root.range[1]) return undefined;
  const path: (string | number)[] = [];
  let current: Node = root;
  for (;;) {
    if (isMap(current)) {
      const candidates: Candidate[] = [];
      for (const pair of current.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        const name = isScalar(key) ? String(key.value) : undefined;
        if (key) candidates.push({ node: key, key: true, name });
        if (value && name !== undefined) candidates.push({ node: value, key: false, name });
      }
      const found = pick(candidates, offset);
      if (!found) return { path, target: 'value', node: current };
      if (found.key) {
        return found.name === undefined
          ? { path, target: 'value', node: current }
          : { path: [...path, found.name], target: 'key', node: found.node };
      }
      path.push(found.name!);
      current = found.node;
    } else if (isSeq(current)) {
      const candidates: Candidate[] = [];
      current.items.forEach((item, index) => {
        if (item !== null && typeof item === 'object') {
          candidates.push({ node: item as Node, key: false, index });
        }
      });
      const found = pick(candidates, offset);
      if (!found) return { path, target: 'value', node: current };
      path.push(found.index!);
      current = found.node;
    } else {
      return { path, target: 'value', node: current };
    }
  }
}

interface Candidate {
  readonly node: Node;
  readonly key: boolean;
  readonly name?: string | undefined;
  readonly index?: number;
}

/** The candidate strictly containing `offset`, else the last one ending exactly there. */
function pick(candidates: readonly Candidate[], offset: number): Candidate | undefined {
  const within = candidates.find(({ node }) => {
    const range = node.range;
    return !!range && range[0] <= offset && offset < range[1];
  });
  if (within) return within;
  return candidates.findLast(({ node }) => {
    const range = node.range;
    return !!range && range[0] <= offset && offset === range[1];
  });
}
