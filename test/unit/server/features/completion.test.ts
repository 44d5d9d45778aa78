// Completion through the protocol: schema keys (step kinds among them) where a key is typed,
// values (enums, models, workflow names, channels), and inside ${{ }} the names in scope there.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { CompletionItem, CompletionList, Position } from 'vscode-languageserver/node';
import { startInProcess, type LspTestClient } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../../helpers/lsp-workspace.js';

const BASE = [
  'name: triage',
  'inputs:',
  '  ticket: { type: string, description: The ticket text. }',
  '  customer_id: { type: string }',
  'models:',
  '  fast: { provider: openai, model: gpt-4o-mini, api_key: "${{ secrets.OPENAI_API_KEY }}" }',
  '  smart: { provider: openai, model: gpt-4o }',
  'steps:',
  '  - id: classify',
  '    llm:',
  '      model: fast',
  '      prompt: hi',
  '      output: json',
  '      schema: { type: object, properties: { category: { type: string }, urgency: { type: object, properties: { level: { type: integer } } } } }',
  '  - id: customer',
  '    http:',
  '      url: https://crm.example.com/x',
  '      headers: { authorization: "Bearer ${{ secrets.CRM_TOKEN }}" }',
];

interface Session {
  readonly client: LspTestClient;
  readonly uri: string;
  /** Opens `text` and asks for completions where `‸` is (the mark is removed). */
  at(text: string): Promise<string[]>;
  items(text: string): Promise<CompletionItem[]>;
}

async function session(
  t: TestContext,
  options: { channels?: string[]; config?: string; files?: Record<string, string> } = {},
): Promise<Session> {
  const ws = lspWorkspace(t, options.files ?? {}, options.config);
  const client = await startInProcess(t, {
    root: ws.root,
    ...(options.channels
      ? { server: { channels: async () => ({ names: options.channels!, states: [] }) } }
      : {}),
  });
  const uri = ws.uri('triage.workflow.yaml');
  let opened = false;
  const items = async (marked: string): Promise<CompletionItem[]> => {
    const offset = marked.indexOf('‸');
    assert.notEqual(offset, -1, 'mark the cursor with ‸');
    const text = marked.slice(0, offset) + marked.slice(offset + 1);
    if (opened) await client.change(uri, text);
    else await client.open(uri, text);
    opened = true;
    const before = text.slice(0, offset).split('\n');
    const position: Position = { line: before.length - 1, character: before.at(-1)!.length };
    const result = await client.request<CompletionItem[] | CompletionList | null>(
      'textDocument/completion',
      { textDocument: { uri }, position },
    );
    return Array.isArray(result) ? result : (result?.items ?? []);
  };
  return { client, uri, items, at: async (text) => (await items(text)).map((i) => i.label) };
}

const doc = (...more: string[]): string => yaml(...BASE, ...more);

test('top-level keys that are not there yet', async (t) => {
  const s = await session(t);
  assert.deepEqual(await s.at(doc('‸')), ['description', 'outputs']);
  assert.deepEqual((await s.at('‸')).sort(), [
    'description',
    'inputs',
    'models',
    'name',
    'outputs',
    'steps',
  ]);
});

test('step keys: the kinds while a step has none, only its own keys once it has one', async (t) => {
  const s = await session(t);
  const fresh = await s.items(doc('  - id: notes', '    ‸'));
  const labels = fresh.map((i) => i.label);
  for (const kind of ['llm', 'http', 'transform', 'shell', 'workflow'])
    assert.ok(labels.includes(kind), kind);
  assert.ok(labels.includes('foreach') && labels.includes('when'));
  assert.ok(!labels.includes('id'), 'id is already there');
  assert.ok(!labels.includes('as'), 'as needs foreach');
  const llm = fresh.find((i) => i.label === 'llm')!;
  assert.equal(llm.detail, 'step kind');
  assert.match(JSON.stringify(llm.documentation), /Call a model/);
  assert.deepEqual(
    llm.textEdit && 'range' in llm.textEdit ? llm.textEdit.newText : undefined,
    'llm: ',
  );

  const withKind = await s.at(doc('  - id: notes', '    transform: 1', '    fo‸'));
  assert.ok(withKind.includes('foreach'));
  assert.ok(!withKind.includes('llm') && !withKind.includes('http'));
  assert.ok(
    (await s.at(doc('  - id: notes', '    foreach: [1]', '    transform: 1', '    ‸'))).includes(
      'as',
    ),
  );
  // A new list item: a new step's keys.
  assert.ok((await s.at(doc('  - ‸'))).includes('id'));
});

test('keys inside a kind, by indentation under the key above', async (t) => {
  const s = await session(t);
  const keys = await s.at(doc('  - id: notes', '    llm:', '      model: fast', '      ‸'));
  assert.ok(keys.includes('prompt') && keys.includes('output') && keys.includes('system'));
  assert.ok(!keys.includes('model'));
  assert.ok((await s.at(doc('  - id: call', '    http:', '      ‸'))).includes('url'));
});

test('values: enums, booleans, model names, workflow names and channels', async (t) => {
  const s = await session(t, {
    channels: ['production', 'staging'],
    files: {
      'reply.workflow.yaml': yaml('name: polite-reply', 'steps:', '  - id: a', '    transform: 1'),
    },
  });
  assert.deepEqual(
    await s.at(doc('  - id: call', '    http:', '      url: x', '      method: ‸')),
    ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  );
  assert.deepEqual(await s.at(doc('  - id: n', '    llm: { model: fast, prompt: x, output: ‸ }')), [
    'text',
    'json',
  ]);
  assert.deepEqual(await s.at(doc('  - id: n', '    llm:', '      model: ‸')), ['fast', 'smart']);
  assert.deepEqual(await s.at(doc('  - id: n', '    llm:', '      model: sm‸')), ['fast', 'smart']);
  assert.deepEqual(
    await s.at(doc('  - id: n', '    llm:', '      model: fast', '      prompt: x', '    when: ‸')),
    ['true', 'false'],
  );
  assert.deepEqual(await s.at(doc('  - id: d', '    workflow:', '      name: ‸')), [
    'polite-reply',
  ]);
  assert.deepEqual(
    await s.at(doc('  - id: d', '    workflow:', '      name: polite-reply', '      version: ‸')),
    ['production', 'staging'],
  );
});

test('a store without channels offers none', async (t) => {
  const s = await session(t);
  assert.deepEqual(
    await s.at(doc('  - id: d', '    workflow:', '      name: x', '      version: ‸')),
    [],
  );
});

test('inside ${{ }}: roots, inputs, earlier steps, output and its known fields', async (t) => {
  const s = await session(t);
  assert.deepEqual(await s.at(doc('  - id: n', '    transform: ${{ ‸ }}')), [
    'inputs',
    'steps',
    'env',
    'secrets',
  ]);
  const inputs = await s.items(doc('  - id: n', '    transform: ${{ inputs.‸ }}'));
  assert.deepEqual(
    inputs.map((i) => [i.label, i.detail]),
    [
      ['ticket', 'string'],
      ['customer_id', 'string'],
    ],
  );
  assert.deepEqual(await s.at(doc('  - id: n', '    transform: ${{ steps.‸ }}')), [
    'classify',
    'customer',
  ]);
  assert.deepEqual(await s.at(doc('  - id: n', '    transform: ${{ steps.cla‸ }}')), [
    'classify',
    'customer',
  ]);
  assert.deepEqual(await s.at(doc('  - id: n', '    transform: ${{ steps.classify.‸ }}')), [
    'output',
  ]);
  assert.deepEqual(await s.at(doc('  - id: n', '    transform: ${{ steps.classify.output.‸ }}')), [
    'category',
    'urgency',
  ]);
  assert.deepEqual(
    await s.at(doc('  - id: n', '    transform: ${{ steps.classify.output.urgency.‸ }}')),
    ['level'],
  );
  assert.deepEqual(await s.at(doc('  - id: n', '    transform: ${{ steps.customer.output.‸ }}')), [
    'status',
    'headers',
    'body',
  ]);
  // Only earlier steps: the first step sees none.
  assert.deepEqual(
    await s.at(yaml(...BASE.slice(0, 8), '  - id: first', '    transform: ${{ steps.‸ }}')),
    [],
  );
  // In outputs, every step; in a prompt (a multi-line block), the same names.
  assert.deepEqual(await s.at(doc('outputs:', '  x: ${{ steps.‸ }}')), ['classify', 'customer']);
  assert.deepEqual(
    await s.at(
      doc(
        '  - id: n',
        '    llm:',
        '      model: fast',
        '      prompt: |',
        '        Use ${{ inputs.‸ }}',
      ),
    ),
    ['ticket', 'customer_id'],
  );
});

test('inside ${{ }} after a function, a filter or a variable: nothing, not the scope', async (t) => {
  const s = await session(t);
  for (const typed of ['$spl‸', '$x.‸', 'steps.classify.output[0].‸', '(inputs.ticket).‸']) {
    assert.deepEqual(
      await s.at(doc('  - id: n', `    when: \${{ ${typed} }}`, '    transform: 1')),
      [],
      typed,
    );
  }
  assert.deepEqual(
    await s.at(doc('  - id: n', '    when: ${{ inputs.ticket = ‸ }}', '    transform: 1')),
    ['inputs', 'steps', 'env', 'secrets'],
  );
});

test('inside a foreach step: the item (or its `as` name) and index, but not in its own foreach', async (t) => {
  const s = await session(t);
  const inside = await s.at(
    doc('  - id: n', '    foreach: ${{ steps.classify.output }}', '    transform: ${{ ‸ }}'),
  );
  assert.deepEqual(inside, ['inputs', 'steps', 'env', 'secrets', 'item', 'index']);
  const renamed = await s.at(
    doc('  - id: n', '    foreach: [1, 2]', '    as: paragraph', '    transform: ${{ ‸ }}'),
  );
  assert.ok(
    renamed.includes('paragraph') && renamed.includes('index') && !renamed.includes('item'),
  );
  const header = await s.at(doc('  - id: n', '    foreach: ${{ ‸ }}', '    transform: 1'));
  assert.ok(!header.includes('item'));
});

test('env names from the allow-list; secret names from the config, names only', async (t) => {
  const s = await session(t, {
    config: yaml(
      'env:',
      '  allow: [OLLAMA_URL, REGION]',
      'secrets:',
      '  OPENAI_API_KEY:',
      '  CRM_TOKEN: { hosts: [crm.example.com] }',
    ),
    files: {
      // A secret a file reads but the config does not list is not offered.
      'other.workflow.yaml': yaml(
        'name: other',
        'steps:',
        '  - id: a',
        '    http: { url: x, headers: { x-key: "${{ secrets.OTHER_KEY }}" } }',
      ),
    },
  });
  assert.deepEqual(await s.at(doc('  - id: n', '    transform: ${{ env.‸ }}')), [
    'OLLAMA_URL',
    'REGION',
  ]);
  const secrets = await s.items(
    doc('  - id: n', '    http: { url: x, headers: { a: "${{ secrets.‸ }}" } }'),
  );
  assert.deepEqual(secrets.map((i) => i.label).sort(), ['CRM_TOKEN', 'OPENAI_API_KEY']);
  assert.ok(secrets.every((i) => !JSON.stringify(i).includes('sk-')));
});

test('a completion replaces exactly the word typed so far', async (t) => {
  const s = await session(t);
  const [first] = await s.items(doc('  - id: n', '    transform: ${{ steps.cla‸ }}'));
  assert.ok(first?.textEdit && 'range' in first.textEdit);
  const line = BASE.length + 1;
  assert.deepEqual(first.textEdit.range, {
    start: { line, character: 25 },
    end: { line, character: 28 },
  });
});
