/**
 * Semantic highlighting of `${{ … }}` expressions: the delimiters, the scope roots (`inputs`,
 * `steps`, `env`, `secrets`), the names under them, a foreach item and `index`, and the fields
 * read from a result. The rest of the file is left to the editor's YAML grammar.
 */
import {
  SemanticTokensBuilder,
  type SemanticTokens,
  type SemanticTokensLegend,
} from 'vscode-languageserver';
import type { DocumentAnalysis } from '../analysis/document-analysis.js';
import { referenceSegments } from '../analysis/reference-segments.js';

/** Token types, by index: the order is the protocol's (the legend is sent at initialize). */
const TOKEN_TYPES = ['operator', 'namespace', 'variable', 'parameter', 'property'] as const;
type TokenType = (typeof TOKEN_TYPES)[number];

/** The token types the server uses, announced in `initialize`. */
export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = {
  tokenTypes: [...TOKEN_TYPES],
  tokenModifiers: [],
};

const SCOPE_ROOTS = new Set(['inputs', 'steps', 'env', 'secrets']);

interface Token {
  readonly start: number;
  readonly end: number;
  readonly type: TokenType;
}

/** The tokens of every `${{ … }}` of the document, encoded relative to each other (LSP). */
export function semanticTokens(analysis: DocumentAnalysis): SemanticTokens {
  const { document, text, outline } = analysis;
  const itemNames = new Set(outline.steps.flatMap((s) => (s.itemName ? [s.itemName] : [])));
  const tokens: Token[] = [];
  for (const occurrence of analysis.occurrences) {
    tokens.push({ start: occurrence.start, end: occurrence.start + 3, type: 'operator' });
    for (const reference of occurrence.references) {
      referenceSegments(text, reference.start, reference.end).forEach((segment, index) => {
        const type: TokenType =
          index === 0
            ? SCOPE_ROOTS.has(segment.name)
              ? 'namespace'
              : segment.name === 'index' || itemNames.has(segment.name)
                ? 'parameter'
                : 'variable'
            : index === 1 && SCOPE_ROOTS.has(reference.root)
              ? 'variable'
              : 'property';
        tokens.push({ start: segment.start, end: segment.end, type });
      });
    }
    tokens.push({ start: occurrence.end - 2, end: occurrence.end, type: 'operator' });
  }
  tokens.sort((a, b) => a.start - b.start);
  const builder = new SemanticTokensBuilder();
  for (const token of tokens) {
    const start = document.positionAt(token.start);
    const end = document.positionAt(token.end);
    if (start.line !== end.line || token.end <= token.start) continue; // tokens are single-line
    builder.push(
      start.line,
      start.character,
      end.character - start.character,
      TOKEN_TYPES.indexOf(token.type),
      0,
    );
  }
  return builder.build();
}
