/**
 * The one place where core positions (1-based lines and columns) meet LSP positions (0-based).
 * Both count columns in UTF-16 code units, which is also how JavaScript strings are indexed, so
 * offsets into a document's text convert with the document itself.
 */
import type { Position as LspPosition, Range as LspRange } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from '../../core/src/model/diagnostics.js';

/** A core position as an LSP position. */
export function toLspPosition(position: Position): LspPosition {
  return { line: Math.max(0, position.line - 1), character: Math.max(0, position.column - 1) };
}

/** A core range as an LSP range. */
export function toLspRange(range: Range): LspRange {
  return { start: toLspPosition(range.start), end: toLspPosition(range.end) };
}

/** An LSP position as a core position. */
export function toCorePosition(position: LspPosition): Position {
  return { line: position.line + 1, column: position.character + 1 };
}

/** An LSP range as a core range. */
export function toCoreRange(range: LspRange): Range {
  return { start: toCorePosition(range.start), end: toCorePosition(range.end) };
}

/** The LSP range between two 0-based offsets into `document`'s text. */
export function offsetsToRange(document: TextDocument, start: number, end: number): LspRange {
  return { start: document.positionAt(start), end: document.positionAt(Math.max(start, end)) };
}
