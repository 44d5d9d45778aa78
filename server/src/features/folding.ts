/** Folding ranges: every mapping entry, list item and block text that spans several lines. */
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { FoldingRange } from 'vscode-languageserver';
import type { DocumentAnalysis } from '../analysis/document-analysis.js';

/** Folding ranges of the document, in source order (every range spans at least two lines). */
export function foldingRanges(analysis: DocumentAnalysis): FoldingRange[] {
  const { document, text } = analysis;
  const out: FoldingRange[] = [];
  const add = (start: number, end: number): void => {
    const startLine = document.positionAt(start).line;
    // A node often ends at the start of the next line (after its newline): fold to the line before.
    const endPosition = document.positionAt(trimEnd(text, end));
    if (endPosition.line > startLine) out.push({ startLine, endLine: endPosition.line });
  };
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        if (key?.range && value?.range && (isMap(value) || isSeq(value) || isScalar(value))) {
          add(key.range[0], value.range[1]);
        }
        visit(value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        const child = item as Node | null;
        if (child?.range && (isMap(child) || isSeq(child))) add(child.range[0], child.range[1]);
        visit(child);
      }
    }
  };
  visit(analysis.doc.contents);
  return out;
}

/** The offset just after the last non-whitespace character before `end`. */
function trimEnd(text: string, end: number): number {
  let at = Math.min(end, text.length);
  while (at > 0 && /\s/.test(text[at - 1]!)) at--;
  return at;
}
