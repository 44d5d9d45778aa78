/**
 * Renaming a step id: the id itself and every `steps.<id>` reference in the file. Only step ids
 * are renamable; anywhere else prepareRename answers null so the editor refuses up front.
 */
import {
  ResponseError,
  ErrorCodes,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { FeatureContext } from '../analysis/feature-context.js';
import { symbolAt } from '../analysis/symbol-at.js';
import { offsetsToRange } from '../lsp-ranges.js';
import { declarations, expressionUses } from './navigation.js';

/** Step ids are identifiers (the schema's `identifier`), so expressions can name them. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The range and current name of a renamable step id at `offset`, or null. */
export function prepareRename(
  context: FeatureContext,
  offset: number,
): { range: Range; placeholder: string } | null {
  const symbol = symbolAt(context.analysis, offset);
  if (symbol?.kind !== 'step') return null;
  if (!context.analysis.outline.steps.some((step) => step.id === symbol.name)) return null;
  return {
    range: offsetsToRange(context.analysis.document, symbol.start, symbol.end),
    placeholder: symbol.name,
  };
}

/**
 * The edits renaming the step id at `offset` to `newName`.
 * @throws ResponseError when nothing renamable is there, or `newName` is not a valid, unused id.
 */
export function rename(context: FeatureContext, offset: number, newName: string): WorkspaceEdit {
  const { analysis, uri } = context;
  const symbol = symbolAt(analysis, offset);
  if (symbol?.kind !== 'step' || !analysis.outline.steps.some((s) => s.id === symbol.name)) {
    throw new ResponseError(ErrorCodes.InvalidRequest, 'only step ids can be renamed here');
  }
  if (!IDENTIFIER.test(newName)) {
    throw new ResponseError(
      ErrorCodes.InvalidParams,
      `'${newName}' is not a valid step id: a letter or '_', then letters, digits or '_' (at most 64)`,
    );
  }
  if (newName !== symbol.name && analysis.outline.steps.some((s) => s.id === newName)) {
    throw new ResponseError(
      ErrorCodes.InvalidParams,
      `a step with the id '${newName}' already exists`,
    );
  }
  const edits: TextEdit[] = [
    ...declarations(context, symbol).map((location) => ({
      range: location.range,
      newText: newName,
    })),
    ...expressionUses(analysis, 'steps', symbol.name).map(([start, end]) => ({
      range: offsetsToRange(analysis.document, start, end),
      newText: newName,
    })),
  ];
  return { changes: { [uri]: edits } };
}
