/** The outline: the workflow's name, its inputs, models, steps (with their kinds) and outputs. */
import { SymbolKind, type DocumentSymbol, type SymbolInformation } from 'vscode-languageserver';
import type { DocumentAnalysis } from '../analysis/document-analysis.js';
import { scalarValue, type OutlineEntry } from '../analysis/outline.js';
import { offsetsToRange } from '../lsp-ranges.js';

/** Hierarchical symbols of a workflow document (empty for a document with no mapping). */
export function documentSymbols(analysis: DocumentAnalysis): DocumentSymbol[] {
  const { document, outline } = analysis;
  const symbol = (
    name: string,
    kind: SymbolKind,
    range: [number, number],
    selection: [number, number],
    detail?: string,
    children?: DocumentSymbol[],
  ): DocumentSymbol => ({
    name: name === '' ? '(unnamed)' : name,
    kind,
    range: offsetsToRange(document, range[0], range[1]),
    selectionRange: offsetsToRange(document, selection[0], selection[1]),
    ...(detail === undefined ? {} : { detail }),
    ...(children === undefined ? {} : { children }),
  });
  const group = (
    entry: OutlineEntry,
    kind: SymbolKind,
    children: DocumentSymbol[],
  ): DocumentSymbol =>
    symbol(entry.name, kind, [entry.start, entry.end], keyOf(entry), undefined, children);
  /** Named members of a section, each with one of its fields (an input's type…) as detail. */
  const members = (
    entries: readonly OutlineEntry[],
    kind: SymbolKind,
    detailField: string,
  ): DocumentSymbol[] =>
    entries.map((member) => {
      const detail = scalarValue(member.value, detailField);
      return symbol(
        member.name,
        kind,
        [member.start, member.end],
        keyOf(member),
        typeof detail === 'string' ? detail : undefined,
      );
    });

  const out: DocumentSymbol[] = [];
  for (const entry of outline.topLevel) {
    switch (entry.name) {
      case 'name':
        out.push(
          symbol(
            outline.name?.value ?? 'name',
            SymbolKind.File,
            [entry.start, entry.end],
            keyOf(entry),
            'workflow',
          ),
        );
        break;
      case 'inputs':
        out.push(
          group(entry, SymbolKind.Namespace, members(outline.inputs, SymbolKind.Variable, 'type')),
        );
        break;
      case 'models':
        out.push(
          group(entry, SymbolKind.Namespace, members(outline.models, SymbolKind.Object, 'model')),
        );
        break;
      case 'steps':
        out.push(
          group(
            entry,
            SymbolKind.Array,
            outline.steps.map((step) =>
              symbol(
                step.id ?? `steps[${step.index}]`,
                SymbolKind.Function,
                [step.start, step.end],
                step.idStart !== undefined && step.idEnd !== undefined
                  ? [step.idStart, step.idEnd]
                  : [step.start, step.start],
                step.kind ?? 'no kind',
              ),
            ),
          ),
        );
        break;
      case 'outputs':
        out.push(
          group(
            entry,
            SymbolKind.Namespace,
            outline.outputs.map((output) =>
              symbol(output.name, SymbolKind.Property, [output.start, output.end], keyOf(output)),
            ),
          ),
        );
        break;
      default:
        out.push(symbol(entry.name, SymbolKind.Property, [entry.start, entry.end], keyOf(entry)));
    }
  }
  return out;
}

/** The same symbols flattened, for clients without hierarchical symbol support. */
export function flatSymbols(uri: string, symbols: DocumentSymbol[]): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const visit = (list: DocumentSymbol[], container?: string): void => {
    for (const s of list) {
      out.push({
        name: s.name,
        kind: s.kind,
        location: { uri, range: s.range },
        ...(container === undefined ? {} : { containerName: container }),
      });
      visit(s.children ?? [], s.name);
    }
  };
  visit(symbols);
  return out;
}

function keyOf(entry: OutlineEntry): [number, number] {
  return [entry.keyStart, entry.keyEnd];
}
