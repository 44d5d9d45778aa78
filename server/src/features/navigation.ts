/**
 * Go to definition and find references for step ids, inputs, models and workflow names (and go to
 * definition on a prompt or schema file's `file:`). Step ids,
 * inputs and models live in one file; a workflow name leads to the file that declares it and to
 * every call of it in the workspace.
 */
import { isScalar } from 'yaml';
import type { Location } from 'vscode-languageserver';
import type { FeatureContext } from '../analysis/feature-context.js';
import type { DocumentAnalysis } from '../analysis/document-analysis.js';
import { fileReferenceDefinition } from './file-references.js';
import { referenceSegments } from '../analysis/reference-segments.js';
import { symbolAt, unquoted, type SymbolAt } from '../analysis/symbol-at.js';
import { offsetsToRange, toLspRange } from '../lsp-ranges.js';

/** The declarations of the symbol at `offset` (several only for duplicated names). */
export function definition(context: FeatureContext, offset: number): Location[] {
  const file = fileReferenceDefinition(context, offset);
  if (file) return file;
  const symbol = symbolAt(context.analysis, offset);
  return symbol ? declarations(context, symbol) : [];
}

/** Every use of the symbol at `offset`, and its declarations when asked. */
export function references(
  context: FeatureContext,
  offset: number,
  includeDeclaration: boolean,
): Location[] {
  const symbol = symbolAt(context.analysis, offset);
  if (!symbol) return [];
  return [...(includeDeclaration ? declarations(context, symbol) : []), ...uses(context, symbol)];
}

/** Where a symbol is declared. */
export function declarations(context: FeatureContext, symbol: SymbolAt): Location[] {
  const { analysis, uri } = context;
  const here = (start: number, end: number): Location => ({
    uri,
    range: offsetsToRange(analysis.document, start, end),
  });
  switch (symbol.kind) {
    case 'step':
      return analysis.outline.steps
        .filter((step) => step.id === symbol.name && step.idStart !== undefined)
        .map((step) => here(...unquoted(analysis.text, step.idStart!, step.idEnd!)));
    case 'input':
      return analysis.outline.inputs
        .filter((input) => input.name === symbol.name)
        .map((input) => here(input.keyStart, input.keyEnd));
    case 'model':
      return analysis.outline.models
        .filter((model) => model.name === symbol.name)
        .map((model) => here(model.keyStart, model.keyEnd));
    case 'workflow':
      return context
        .files()
        .filter(
          (file) => file.validated.summary.name === symbol.name && file.validated.summary.nameRange,
        )
        .map((file) => ({ uri: file.uri, range: toLspRange(file.validated.summary.nameRange!) }));
  }
}

/** Where a symbol is used (not declared). */
export function uses(context: FeatureContext, symbol: SymbolAt): Location[] {
  const { analysis, uri } = context;
  switch (symbol.kind) {
    case 'step':
    case 'input':
      return expressionUses(analysis, symbol.kind === 'step' ? 'steps' : 'inputs', symbol.name).map(
        ([start, end]) => ({ uri, range: offsetsToRange(analysis.document, start, end) }),
      );
    case 'model':
      return modelUses(analysis, symbol.name).map(([start, end]) => ({
        uri,
        range: offsetsToRange(analysis.document, start, end),
      }));
    case 'workflow':
      return context
        .files()
        .flatMap((file) =>
          file.validated.summary.calls
            .filter((call) => call.name === symbol.name)
            .map((call) => ({ uri: file.uri, range: toLspRange(call.range) })),
        );
  }
}

/** Offsets of `<name>` in every `<root>.<name>…` reference of the document. */
export function expressionUses(
  analysis: DocumentAnalysis,
  root: 'steps' | 'inputs',
  name: string,
): [number, number][] {
  const out: [number, number][] = [];
  for (const occurrence of analysis.occurrences) {
    for (const reference of occurrence.references) {
      if (reference.root !== root || reference.path[0] !== name) continue;
      const segment = referenceSegments(analysis.text, reference.start, reference.end)[1];
      if (segment) out.push([segment.start, segment.end]);
    }
  }
  return out;
}

/** Offsets of every `llm.model` value naming `name`. */
function modelUses(analysis: DocumentAnalysis, name: string): [number, number][] {
  return analysis.outline.steps.flatMap((step) => {
    const model = step.node?.getIn(['llm', 'model'], true);
    return isScalar(model) && model.value === name && model.range
      ? [unquoted(analysis.text, model.range[0], model.range[1])]
      : [];
  });
}
