// An llm step's tools in the editor, through the protocol: tool_choice completes auto, none and
// the step's tool names; a tool's keys offer one runner; the loop's keys appear once there are
// tools; `args` is offered inside a runner's expressions; hovering a tool's name, where it is
// declared or named by tool_choice, shows its description and parameters.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { CompletionItem, CompletionList, Hover, Position } from 'vscode-languageserver/node';
import { startInProcess, type LspTestClient } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../../helpers/lsp-workspace.js';

const HEAD = [
  'name: agent',
  'models:',
  '  fast: { provider: openai, model: gpt-4o-mini }',
  'steps:',
  '  - id: research',
  '    llm:',
  '      model: fast',
  '      prompt: Where is my order?',
  '      max_turns: 3',
];

const TOOLS = [
  '      tools:',
  '        - name: lookup',
  '          description: Looks up an order by its id.',
  '          parameters:',
  '            type: object',
  '            properties: { order_id: { type: string } }',
  '          http: { url: "https://orders.example.com/${{ args.order_id }}" }',
  '        - name: policy',
  '          description: The refund policy.',
  '          parameters: { type: object }',
  '          transform: 30 days',
];

async function session(t: TestContext): Promise<{
  client: LspTestClient;
  uri: string;
  items: (marked: string) => Promise<CompletionItem[]>;
}> {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('agent.workflow.yaml');
  let opened = false;
  const items = async (marked: string): Promise<CompletionItem[]> => {
    const offset = marked.indexOf('‸');
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
  return { client, uri, items };
}

const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);

test('tool_choice completes auto, none and the step’s tools', async (t) => {
  const s = await session(t);
  const items = await s.items(yaml(...HEAD, ...TOOLS, '      tool_choice: ‸'));
  assert.deepEqual(labels(items), ['auto', 'none', 'lookup', 'policy']);
  const lookup = items.find((i) => i.label === 'lookup')!;
  assert.equal(lookup.detail, 'tool (http)');
  assert.match(JSON.stringify(lookup.documentation), /Looks up an order by its id/);
});

test('a tool’s keys: one runner; the loop’s keys only once the step has tools', async (t) => {
  const s = await session(t);
  const fresh = labels(
    await s.items(yaml(...HEAD, '      tools:', '        - name: x', '          ‸')),
  );
  for (const key of ['description', 'parameters', 'http', 'workflow', 'transform', 'shell'])
    assert.ok(fresh.includes(key), key);
  const withRunner = labels(
    await s.items(
      yaml(...HEAD, '      tools:', '        - name: x', '          transform: 1', '          ‸'),
    ),
  );
  assert.ok(withRunner.includes('parameters'));
  assert.ok(!withRunner.includes('http') && !withRunner.includes('shell'));

  const without = labels(await s.items(yaml(...HEAD.slice(0, -1), '      ‸')));
  assert.ok(without.includes('tools'));
  assert.ok(!without.includes('tool_choice') && !without.includes('concurrency'));
  const withTools = labels(await s.items(yaml(...HEAD, ...TOOLS, '      ‸')));
  assert.ok(withTools.includes('tool_choice') && withTools.includes('concurrency'));
});

test('args is in scope inside a tool’s runner only', async (t) => {
  const s = await session(t);
  const inRunner = labels(
    await s.items(
      yaml(
        ...HEAD,
        '      tools:',
        '        - name: x',
        '          parameters: { type: object }',
        '          transform: ${{ ‸ }}',
      ),
    ),
  );
  assert.ok(inRunner.includes('args'));
  const inPrompt = labels(await s.items(yaml(...HEAD.slice(0, -2), '      prompt: ${{ ‸ }}')));
  assert.ok(!inPrompt.includes('args'));
});

test('hovering a tool’s name shows its runner, description and parameters', async (t) => {
  const s = await session(t);
  const text = yaml(...HEAD, '      tool_choice: lookup', ...TOOLS);
  await s.client.open(s.uri, text);
  const hoverAt = async (marker: string, occurrence: number): Promise<string | undefined> => {
    const hover = await s.client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri: s.uri },
      position: s.client.positionOf(s.uri, marker, 2, occurrence),
    });
    const contents = hover?.contents;
    return contents && typeof contents === 'object' && 'value' in contents
      ? contents.value
      : undefined;
  };
  const expected = [
    '**tool** `lookup` (http)',
    '',
    'Looks up an order by its id.',
    '',
    'Parameters:',
    '',
    '```yaml',
    'type: object',
    'properties: { order_id: { type: string } }',
    '```',
  ].join('\n');
  assert.equal(await hoverAt('lookup', 0), expected, 'named by tool_choice');
  assert.equal(await hoverAt('lookup', 1), expected, 'where it is declared');
});
