// Hover, go to definition, find references and rename, through the protocol.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  ResponseError,
  type Hover,
  type Location,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { startInProcess, type LspTestClient } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../../helpers/lsp-workspace.js';

const TRIAGE = yaml(
  'name: triage',
  'inputs:',
  '  ticket:',
  '    type: string',
  '    description: The ticket text as the customer wrote it.',
  'models:',
  '  fast: { provider: openai, model: gpt-4o-mini, base_url: "http://127.0.0.1:11434/v1" }',
  'steps:',
  '  - id: classify',
  '    llm:',
  '      model: fast',
  '      prompt: |',
  '        Classify this ticket as billing, bug or how-to.',
  '        Ticket: ${{ inputs.ticket }}',
  '      output: json',
  '  - id: customer',
  '    http:',
  '      method: POST',
  '      url: https://crm.example.com/customers',
  '      body: { text: "${{ inputs.ticket }}", category: "${{ steps.classify.output.category }}" }',
  '  - id: draft',
  '    when: ${{ steps.classify.output.category != "bug" }}',
  '    llm: { model: fast, prompt: "${{ steps.customer.output.body }}" }',
  'outputs:',
  '  category: ${{ steps.classify.output.category }}',
);

async function open(t: TestContext): Promise<{ client: LspTestClient; uri: string }> {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, TRIAGE);
  return { client, uri };
}

function lines(locations: Location[] | null): number[] {
  return (locations ?? []).map((l) => l.range.start.line);
}

test('hover on a step reference: the kind and a one-line summary', async (t) => {
  const { client, uri } = await open(t);
  const at = async (marker: string, delta: number, occurrence = 0): Promise<string | undefined> => {
    const hover = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: client.positionOf(uri, marker, delta, occurrence),
    });
    const contents = hover?.contents;
    return contents && typeof contents === 'object' && 'value' in contents
      ? contents.value
      : undefined;
  };
  assert.equal(
    await at('steps.classify', 8),
    '**llm** step `classify`: model `fast` · Classify this ticket as billing, bug or how-to.',
  );
  assert.equal(
    await at('steps.customer', 8),
    '**http** step `customer`: POST https://crm.example.com/customers',
  );
  assert.equal(
    await at('inputs.ticket', 8),
    '**input** `ticket`: string\n\nThe ticket text as the customer wrote it.',
  );
  assert.equal(
    await at('model: fast', 8),
    '**model** `fast`: openai gpt-4o-mini at http://127.0.0.1:11434/v1',
  );
  // A key: its description from the schema.
  assert.match((await at('    when', 6))!, /^\*\*when\*\*\n\nRun the step only when this is true/);
  assert.match((await at('    http', 5))!, /Call an HTTP endpoint/);
  assert.equal(await at('billing', 2), undefined);
});

test('go to definition: step ids, inputs and models', async (t) => {
  const { client, uri } = await open(t);
  const definition = (marker: string, delta: number, occurrence = 0): Promise<Location[]> =>
    client.request<Location[]>('textDocument/definition', {
      textDocument: { uri },
      position: client.positionOf(uri, marker, delta, occurrence),
    });
  const [step] = await definition('steps.classify', 8);
  assert.deepEqual(step, {
    uri,
    range: { start: { line: 8, character: 8 }, end: { line: 8, character: 16 } },
  });
  assert.deepEqual(lines(await definition('inputs.ticket', 9)), [2]);
  assert.deepEqual(lines(await definition('model: fast', 8, 1)), [6]);
  assert.deepEqual(await definition('Classify this', 2), []);
});

test('find references: every use of a step, an input, a model', async (t) => {
  const { client, uri } = await open(t);
  const references = (
    marker: string,
    delta: number,
    includeDeclaration: boolean,
  ): Promise<Location[]> =>
    client.request<Location[]>('textDocument/references', {
      textDocument: { uri },
      position: client.positionOf(uri, marker, delta),
      context: { includeDeclaration },
    });
  assert.deepEqual(lines(await references('id: classify', 5, true)), [8, 19, 21, 24]);
  assert.deepEqual(lines(await references('id: classify', 5, false)), [19, 21, 24]);
  assert.deepEqual(lines(await references('inputs.ticket', 8, true)), [2, 13, 19]);
  assert.deepEqual(lines(await references('fast:', 1, true)), [6, 10, 22]);
  const [use] = await references('steps.customer', 7, false);
  // Just the id inside the reference, not the whole `steps.customer.output.body`.
  assert.deepEqual(use?.range, {
    start: { line: 22, character: 43 },
    end: { line: 22, character: 51 },
  });
});

test('rename a step id: the id and every reference; anything else is refused', async (t) => {
  const { client, uri } = await open(t);
  const prepare = await client.request<{ range: Range; placeholder: string } | null>(
    'textDocument/prepareRename',
    { textDocument: { uri }, position: client.positionOf(uri, 'steps.classify', 10) },
  );
  assert.deepEqual(prepare, {
    range: { start: { line: 19, character: 65 }, end: { line: 19, character: 73 } },
    placeholder: 'classify',
  });
  for (const [marker, delta] of [
    ['inputs.ticket', 9],
    ['model: fast', 8],
    ['Classify this', 3],
    ['name: triage', 7],
  ] as const) {
    const refused = await client.request('textDocument/prepareRename', {
      textDocument: { uri },
      position: client.positionOf(uri, marker, delta),
    });
    assert.equal(refused, null, marker);
  }

  const edit = await client.request<WorkspaceEdit>('textDocument/rename', {
    textDocument: { uri },
    position: client.positionOf(uri, 'id: classify', 6),
    newName: 'triage_ticket',
  });
  const text = await client.applyEdits(uri, edit.changes![uri]!);
  assert.equal((text.match(/classify/g) ?? []).length, 0);
  assert.equal((text.match(/triage_ticket/g) ?? []).length, 4);
  assert.match(text, /steps\.triage_ticket\.output\.category != "bug"/);
  assert.deepEqual(await client.diagnostics(uri), []);

  await assert.rejects(
    client.request('textDocument/rename', {
      textDocument: { uri },
      position: client.positionOf(uri, 'id: customer', 5),
      newName: 'not valid',
    }),
    (error: unknown) => error instanceof ResponseError && /not a valid step id/.test(error.message),
  );
  await assert.rejects(
    client.request('textDocument/rename', {
      textDocument: { uri },
      position: client.positionOf(uri, 'id: customer', 5),
      newName: 'draft',
    }),
    /already exists/,
  );
});
