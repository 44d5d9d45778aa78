// Malformed, binary, empty, huge and hostile documents never crash or hang the server, and a
// handler that throws is contained: the server answers the next request. Timeouts guard
// against hangs only (a hang is a failure); they are not performance assertions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompletionItem, Position } from 'vscode-languageserver/node';
import { startInProcess, type LspTestClient } from '../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../helpers/lsp-workspace.js';

const GUARD = { timeout: 60_000 };

/** Every feature request the server offers, at `position`. */
async function everyRequest(client: LspTestClient, uri: string, position: Position): Promise<void> {
  const textDocument = { uri };
  const range = { start: position, end: position };
  await client.request('textDocument/completion', { textDocument, position });
  await client.request('textDocument/hover', { textDocument, position });
  await client.request('textDocument/definition', { textDocument, position });
  await client.request('textDocument/references', {
    textDocument,
    position,
    context: { includeDeclaration: true },
  });
  await client.request('textDocument/prepareRename', { textDocument, position });
  await client.request('textDocument/documentSymbol', { textDocument });
  await client.request('textDocument/foldingRange', { textDocument });
  await client.request('textDocument/semanticTokens/full', { textDocument });
  const diagnostics = client.lastPublished(uri)?.diagnostics ?? [];
  await client.request('textDocument/codeAction', {
    textDocument,
    range,
    context: { diagnostics },
  });
}

/** Proves the server is alive: a fresh valid document still gets completions. */
async function stillServes(client: LspTestClient, uri: string): Promise<void> {
  await client.open(uri, yaml('name: alive', 'steps:', '  - id: a', '    transform: ${{  }}'));
  const items = await client.request<CompletionItem[]>('textDocument/completion', {
    textDocument: { uri },
    position: { line: 3, character: 20 },
  });
  assert.ok(items.some((i) => i.label === 'inputs'));
}

const HOSTILE: Record<string, string> = {
  'unclosed flow': 'name: x\nsteps: [ { id: a, transform: ${{ steps. ',
  'tabs and colons': 'name:\t:\n\t- : : :\n  -\n    - ]]]\n',
  'duplicate keys': 'name: a\nname: b\nsteps:\n  - id: a\n    id: b\n',
  'not a mapping': '- just\n- a\n- list\n',
  'a scalar': '${{ inputs.x }}',
  'an alias bomb': `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
    { length: 8 },
    (_, i) =>
      `${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [${Array(9)
        .fill(i === 0 ? '*a' : `*${'b'.repeat(i)}`)
        .join(',')}]`,
  ).join('\n')}\n`,
  'deep brackets': `name: x\nsteps: ${'['.repeat(200_000)}`,
  'deep blocks': `name: x\nsteps:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 2)}k${i}:`).join('\n')}\n`,
  'an expression soup': yaml(
    'name: x',
    'steps:',
    '  - id: a',
    '    transform: "${{ ${{ }} }} ${{ steps..x }} ${{ `unclosed }}"',
    '  - id: b',
    '    foreach: ${{ [ }}',
    '    as: 1',
    '    transform: ${{ $$.$$.steps.a.output[[[ }}',
  ),
  'mixed line endings and a BOM': '\ufeffname: x\r\nsteps:\r  - id: a\n\r    transform: 1\r\n',
};

test('malformed documents get diagnostics and every request is answered', GUARD, async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  let n = 0;
  for (const [what, text] of Object.entries(HOSTILE)) {
    const uri = ws.uri(`hostile-${n++}.workflow.yaml`);
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(uri);
    assert.ok(diagnostics.length > 0, `${what}: no diagnostics`);
    const lines = text.split(/\r\n|\r|\n/);
    for (const position of [
      { line: 0, character: 0 },
      { line: Math.floor(lines.length / 2), character: 3 },
      { line: lines.length - 1, character: lines.at(-1)!.length },
      { line: lines.length + 5, character: 400 },
    ]) {
      await everyRequest(client, uri, position);
    }
  }
  await stillServes(client, ws.uri('alive.workflow.yaml'));
  assert.deepEqual(
    client.logs.filter((l) => / failed: /.test(l)),
    [],
    'a feature threw on hostile input',
  );
});

test('binary content and lone surrogates never crash the server', GUARD, async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  let bytes = '';
  for (let i = 0; i < 4096; i++) bytes += String.fromCharCode((i * 7919) % 256);
  const uri = ws.uri('binary.workflow.yaml');
  await client.open(uri, `${bytes}\u0000\ud800\udfff\udc00${bytes}`);
  await client.diagnostics(uri, (d) => d.length > 0);
  await everyRequest(client, uri, { line: 3, character: 5 });
  await client.change(uri, `name: x\nsteps:\n  - id: a\n    transform: "\u0000\ud800"\n`);
  await client.diagnostics(uri);
  await stillServes(client, ws.uri('alive.workflow.yaml'));
});

test('an empty document: one diagnostic, empty answers', GUARD, async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('empty.workflow.yaml');
  await client.open(uri, '');
  const [only] = await client.diagnostics(uri, (d) => d.length > 0);
  assert.equal(only?.code, 'not-a-mapping');
  await everyRequest(client, uri, { line: 0, character: 0 });
  const keys = await client.request<CompletionItem[]>('textDocument/completion', {
    textDocument: { uri },
    position: { line: 0, character: 0 },
  });
  assert.ok(
    keys.some((i) => i.label === 'name'),
    'an empty file offers the top-level keys',
  );
});

test(
  'a huge document (over 2 MiB) is refused with one diagnostic, and edits to it stay cheap',
  GUARD,
  async (t) => {
    const ws = lspWorkspace(t);
    const client = await startInProcess(t, { root: ws.root });
    const step = `  - id: s\n    transform: "${'x'.repeat(1000)} \${{ inputs.a }}"\n`;
    const huge = `name: huge\nsteps:\n${step.repeat(Math.ceil((2 * 1024 * 1024 + 1) / step.length))}`;
    const uri = ws.uri('huge.workflow.yaml');
    await client.open(uri, huge);
    const diagnostics = await client.diagnostics(uri);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['file-too-large'],
    );
    await everyRequest(client, uri, { line: 5000, character: 10 });
    await client.change(uri, `${huge}# more\n`);
    await client.diagnostics(uri);
    await stillServes(client, ws.uri('alive.workflow.yaml'));
  },
);

test(
  'a handler that throws is contained: logged, answered neutrally, the server goes on',
  GUARD,
  async (t) => {
    const ws = lspWorkspace(t);
    let failures = 1;
    const client = await startInProcess(t, {
      root: ws.root,
      server: {
        faultInjector: (feature) => {
          if ((feature === 'hover' || feature === 'didChangeWatchedFiles') && failures-- > 0) {
            throw new Error(`injected ${feature} failure`);
          }
        },
      },
    });
    const uri = ws.uri('a.workflow.yaml');
    await client.open(uri, yaml('name: a', 'steps:', '  - id: a', '    transform: 1'));
    await client.diagnostics(uri);
    const position = { line: 2, character: 5 };
    assert.equal(
      await client.request('textDocument/hover', { textDocument: { uri }, position }),
      null,
    );
    const logged = await client.waitFor('the failure in the log', () =>
      client.logs.find((l) => l.includes('injected hover failure')),
    );
    assert.match(logged, /^hover failed: Error: injected hover failure/);
    // The same request works again, and so does everything else.
    const hover = await client.request<{ contents: { value: string } } | null>(
      'textDocument/hover',
      {
        textDocument: { uri },
        position,
      },
    );
    assert.match(hover?.contents.value ?? '', /step's id/);
    failures = 1;
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: ws.uri('b.workflow.yaml'), type: 1 }],
    });
    await client.waitFor('the notification failure in the log', () =>
      client.logs.find((l) => l.includes('injected didChangeWatchedFiles failure')),
    );
    await stillServes(client, ws.uri('alive.workflow.yaml'));
  },
);
