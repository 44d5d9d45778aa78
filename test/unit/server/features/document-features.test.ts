// Document symbols (the outline), folding ranges and semantic tokens of expressions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SymbolKind,
  type DocumentSymbol,
  type FoldingRange,
  type SemanticTokens,
  type SymbolInformation,
} from 'vscode-languageserver/node';
import { startInProcess } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../../helpers/lsp-workspace.js';

const TEXT = yaml(
  'name: triage',
  'inputs:',
  '  ticket: { type: string }',
  'models:',
  '  fast: { provider: openai, model: gpt-4o-mini }',
  'steps:',
  '  - id: classify',
  '    llm:',
  '      model: fast',
  '      prompt: |',
  '        Ticket: ${{ inputs.ticket }}',
  '        More text.',
  '  - id: notes',
  '    foreach: ${{ steps.classify.output }}',
  '    as: para',
  '    transform: ${{ para & index }}',
  'outputs:',
  '  notes: ${{ steps.notes.output }}',
);

test('document symbols: inputs, models and steps with their kinds', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, TEXT);
  const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', {
    textDocument: { uri },
  });
  const shape = (list: DocumentSymbol[]): unknown[] =>
    list.map((s) => [
      s.name,
      kindName(s.kind),
      s.detail ?? null,
      ...(s.children ? [shape(s.children)] : []),
    ]);
  assert.deepEqual(shape(symbols), [
    ['triage', 'File', 'workflow'],
    ['inputs', 'Namespace', null, [['ticket', 'Variable', 'string']]],
    ['models', 'Namespace', null, [['fast', 'Object', 'gpt-4o-mini']]],
    [
      'steps',
      'Array',
      null,
      [
        ['classify', 'Function', 'llm'],
        ['notes', 'Function', 'transform'],
      ],
    ],
    ['outputs', 'Namespace', null, [['notes', 'Property', null]]],
  ]);
  const classify = symbols[3]!.children![0]!;
  assert.deepEqual(classify.selectionRange, {
    start: { line: 6, character: 8 },
    end: { line: 6, character: 16 },
  });
  assert.equal(classify.range.start.line, 6);
  assert.equal(classify.range.end.line, 12);
});

test('clients without hierarchical symbols get a flat list with containers', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root, capabilities: {} });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, TEXT);
  const symbols = await client.request<SymbolInformation[]>('textDocument/documentSymbol', {
    textDocument: { uri },
  });
  const classify = symbols.find((s) => s.name === 'classify');
  assert.equal(classify?.containerName, 'steps');
  assert.equal(classify?.location.uri, uri);
});

test('folding ranges: multi-line mappings, list items and block text', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, TEXT);
  const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', {
    textDocument: { uri },
  });
  const pairs = ranges.map((r) => [r.startLine, r.endLine]);
  for (const expected of [
    [1, 2], // inputs
    [3, 4], // models
    [5, 15], // steps
    [6, 11], // the first step
    [7, 11], // llm
    [9, 11], // the prompt's block text
    [12, 15], // the second step
  ]) {
    assert.ok(
      pairs.some(([a, b]) => a === expected[0] && b === expected[1]),
      `missing ${expected} in ${JSON.stringify(pairs)}`,
    );
  }
  assert.ok(ranges.every((r) => r.endLine > r.startLine));
});

test('semantic tokens: delimiters, scope roots, names and fields inside ${{ }}', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  const legend = client.initializeResult!.capabilities.semanticTokensProvider!.legend.tokenTypes;
  await client.open(uri, TEXT);
  const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', {
    textDocument: { uri },
  });
  // Decode the relative encoding into [line, character, text, type].
  const lines = TEXT.split('\n');
  const decoded: [number, string, string][] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [deltaLine, deltaStart, length, type] = tokens.data.slice(i, i + 4) as [
      number,
      number,
      number,
      number,
    ];
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaStart : deltaStart;
    decoded.push([line, lines[line]!.slice(character, character + length), legend[type]!]);
  }
  assert.deepEqual(decoded, [
    [10, '${{', 'operator'],
    [10, 'inputs', 'namespace'],
    [10, 'ticket', 'variable'],
    [10, '}}', 'operator'],
    [13, '${{', 'operator'],
    [13, 'steps', 'namespace'],
    [13, 'classify', 'variable'],
    [13, 'output', 'property'],
    [13, '}}', 'operator'],
    [15, '${{', 'operator'],
    [15, 'para', 'parameter'],
    [15, 'index', 'parameter'],
    [15, '}}', 'operator'],
    [17, '${{', 'operator'],
    [17, 'steps', 'namespace'],
    [17, 'notes', 'variable'],
    [17, 'output', 'property'],
    [17, '}}', 'operator'],
  ]);
});

function kindName(kind: SymbolKind): string | undefined {
  return Object.entries(SymbolKind).find(([, value]) => value === kind)?.[0];
}
