/**
 * Maps JSON paths in a parsed workflow back to source ranges, so that every diagnostic can point
 * at the exact key or value it is about.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Position, Range } from '../model/diagnostics.js';

/** A path into the parsed definition, e.g. `['steps', 2, 'llm', 'model']`. */
export type JsonPath = readonly (string | number)[];

/** `value`: the value itself (collections: their key). `key`: the key that introduces it. */
export type RangeTarget = 'value' | 'key';

interface Located {
  readonly node: Node | null;
  readonly keyNode: Node | null;
  /** How many leading path segments were found; fewer than the path's length means a fallback. */
  readonly depth: number;
}

/** Resolves paths and offsets of one parsed document to 1-based ranges. */
export class SourceLocator {
  constructor(
    /** The parsed YAML document (kept even when it has errors), for editor features to walk. */
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly text: string,
  ) {}

  /** The 1-based position of a 0-based character offset. */
  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const { line, col } = this.lines.linePos(clamped);
    return { line, column: col };
  }

  /** The range between two 0-based character offsets. */
  offsetRange(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /**
   * The source range of the node at `path`. When the path does not exist (a missing key), the
   * nearest existing ancestor is used, narrowed to its first line so the squiggle stays readable.
   */
  range(path: JsonPath, target: RangeTarget = 'value'): Range {
    const { node, keyNode, depth } = this.locate(path);
    const keyOrFirstLine = (): Range => {
      if (keyNode?.range) return this.offsetRange(keyNode.range[0], keyNode.range[1]);
      return this.firstLine(node?.range?.[0] ?? this.doc.contents?.range?.[0] ?? 0);
    };
    if (depth < path.length || target !== 'value' || !node?.range) return keyOrFirstLine();
    // Collections can span hundreds of lines: point at the key that introduces them instead.
    if (isMap(node) || isSeq(node)) return keyOrFirstLine();
    return this.offsetRange(node.range[0], node.range[1]);
  }

  /** The node at `path` (scalars included), or null when the path does not exist. */
  node(path: JsonPath): Node | null {
    const found = this.locate(path);
    return found.depth === path.length ? found.node : null;
  }

  /** The exact source text of a node (what the user typed, before YAML unescaping). */
  sourceText(node: Node): string {
    return node.range ? this.text.slice(node.range[0], node.range[1]) : '';
  }

  private firstLine(offset: number): Range {
    let end = this.text.indexOf('\n', offset);
    if (end === -1) end = this.text.length;
    return this.offsetRange(offset, end);
  }

  private locate(path: JsonPath): Located {
    let node: Node | null = (this.doc.contents as Node | null) ?? null;
    let keyNode: Node | null = null;
    let depth = 0;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && keyText(item.key) === String(segment),
        );
        if (!pair) break;
        keyNode = (pair.key as Node | null) ?? null;
        node = (pair.value as Node | null) ?? null;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) break;
        keyNode = null;
        node = (item as Node | null) ?? null;
      } else {
        break;
      }
      depth++;
    }
    return { node, keyNode, depth };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
