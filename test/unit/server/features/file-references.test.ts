// Prompts and schemas in files in the editor: diagnostics at the reference, go to definition on
// `file:`, and a re-check when a referenced file changes on disk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Location } from 'vscode-languageserver/node';
import { startInProcess } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../../helpers/lsp-workspace.js';

const FLOW = yaml(
  'name: refs',
  'models:',
  '  fast: { provider: openai, model: small-1 }',
  'steps:',
  '  - id: a',
  '    llm:',
  '      model: fast',
  '      system: { file: prompts/system.md }',
  '      prompt: { file: prompts/later.md }',
  '      output: json',
  '      schema: { file: ../../outside.json }',
);

test('a bad reference is reported at its file:, go to definition opens the file, and creating it re-checks', async (t) => {
  const ws = lspWorkspace(t, { 'flows/prompts/system.md': 'You sort tickets.\n' });
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('flows/refs.workflow.yaml');
  await client.open(uri, FLOW);

  const found = (await client.diagnostics(uri, (d) => d.length === 2)).map(
    (d) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)}`,
  );
  assert.deepEqual(found, ['8:22 file-not-found', '10:22 file-outside-workspace']);

  const [target] = await client.request<Location[]>('textDocument/definition', {
    textDocument: { uri },
    position: client.positionOf(uri, 'prompts/system.md', 3),
  });
  assert.equal(target?.uri, ws.uri('flows/prompts/system.md'));
  const none = await client.request<Location[]>('textDocument/definition', {
    textDocument: { uri },
    position: client.positionOf(uri, 'prompts/later.md', 3),
  });
  assert.deepEqual(none, [], 'a missing file has no definition');

  // The missing file appears on disk: the workflow is checked again without an edit.
  const created = ws.write('flows/prompts/later.md', 'Classify: ${{ 1 + 1 }}\n');
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: created, type: 1 }],
  });
  const after = await client.diagnostics(uri, (d) => d.length === 1);
  assert.equal(after[0]?.code, 'file-outside-workspace');
});
