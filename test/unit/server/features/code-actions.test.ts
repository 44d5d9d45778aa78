// Quick fixes, applied the way an editor applies them: ask for the actions of the published
// diagnostics, apply the edit, and check the problem is gone.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver/node';
import { startInProcess, type LspTestClient } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml, type LspWorkspace } from '../../../helpers/lsp-workspace.js';

async function opened(
  t: TestContext,
  name: string,
  text: string,
  config?: string,
): Promise<{ client: LspTestClient; uri: string; ws: LspWorkspace }> {
  const ws = lspWorkspace(t, {}, config);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri(name);
  await client.open(uri, text);
  return { client, uri, ws };
}

async function actionsFor(
  client: LspTestClient,
  uri: string,
  diagnostic: Diagnostic,
): Promise<CodeAction[]> {
  return client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: diagnostic.range,
    context: { diagnostics: [diagnostic], only: [CodeActionKind.QuickFix] },
  });
}

/** Applies the only quick fix for the diagnostic with `code`; returns the new text. */
async function applyFix(
  client: LspTestClient,
  uri: string,
  code: string,
): Promise<{ title: string; text: string }> {
  const diagnostic = (await client.diagnostics(uri)).find((d) => d.code === code);
  assert.ok(diagnostic, `no ${code} diagnostic`);
  const actions = await actionsFor(client, uri, diagnostic);
  assert.equal(actions.length, 1, JSON.stringify(actions));
  const [action] = actions;
  assert.equal(action!.kind, CodeActionKind.QuickFix);
  assert.deepEqual(action!.diagnostics, [diagnostic]);
  const text = await client.applyEdits(uri, action!.edit!.changes![uri]!);
  return { title: action!.title, text };
}

test('unknown step, input and model names → the suggested nearest name', async (t) => {
  const { client, uri } = await opened(
    t,
    'triage.workflow.yaml',
    yaml(
      'name: triage',
      'inputs:',
      '  ticket: { type: string }',
      'models:',
      '  fast: { provider: openai, model: m }',
      'steps:',
      '  - id: classify',
      '    llm: { model: fsat, prompt: "${{ inputs.tickt }}" }',
      '  - id: reply',
      '    transform: ${{ steps.clasify.output.category }}',
    ),
  );
  const step = await applyFix(client, uri, 'unknown-step');
  assert.equal(step.title, "Change 'clasify' to 'classify'");
  assert.match(step.text, /\$\{\{ steps\.classify\.output\.category \}\}/);
  const input = await applyFix(client, uri, 'unknown-input');
  assert.match(input.text, /inputs\.ticket/);
  const model = await applyFix(client, uri, 'unknown-model');
  assert.match(model.text, /model: fast,/);
  assert.deepEqual(await client.diagnostics(uri), []);
});

test('a name with no close match gets no fix', async (t) => {
  const { client, uri } = await opened(
    t,
    'x.workflow.yaml',
    yaml('name: x', 'steps:', '  - id: a', '    transform: ${{ steps.zzzzzz.output }}'),
  );
  const [diagnostic] = await client.diagnostics(uri, (d) => d.length === 1);
  assert.deepEqual(await actionsFor(client, uri, diagnostic!), []);
});

test('a missing required key is inserted where the mapping starts', async (t) => {
  const { client, uri } = await opened(
    t,
    'support-triage.workflow.yaml',
    yaml(
      'steps:',
      '  - llm:',
      '      prompt: hi',
      '    when: true',
      'models:',
      '  fast: { provider: openai }',
    ),
  );
  const name = await applyFix(client, uri, 'schema');
  assert.equal(name.title, "Add the missing key 'name'");
  assert.match(name.text, /^name: support-triage\nsteps:/);
  let text = name.text;
  // Then the step's id, the llm's model and the model's model name, one fix at a time.
  for (let round = 0; round < 3; round++) text = (await applyFix(client, uri, 'schema')).text;
  assert.equal(
    text,
    yaml(
      'name: support-triage',
      'steps:',
      '  - id: step1',
      '    llm:',
      '      model: fast',
      '      prompt: hi',
      '    when: true',
      'models:',
      "  fast: { model: '', provider: openai }",
    ),
  );
  const remaining = await client.diagnostics(uri);
  assert.deepEqual(
    remaining.map((d) => d.code),
    ['schema'],
  ); // an empty model name: the fix inserts the key, the user writes the value
});

test('a literal credential → ${{ secrets.NAME }}', async (t) => {
  const { client, uri } = await opened(
    t,
    'keys.workflow.yaml',
    yaml(
      'name: keys',
      'models:',
      '  fast: { provider: openai, model: m, api_key: sk-abcdefghijklmnopqrstuvwxyz123456 }',
      'steps:',
      '  - id: crm',
      '    http:',
      '      url: https://crm.example.com',
      '      headers: { authorization: "Bearer abcdefghijklmnop1234567890" }',
      '  - id: ask',
      '    llm: { model: fast, prompt: hi }',
    ),
  );
  const first = await applyFix(client, uri, 'literal-secret');
  assert.equal(first.title, 'Replace with ${{ secrets.FAST_API_KEY }}');
  assert.match(first.text, /api_key: '\$\{\{ secrets\.FAST_API_KEY \}\}' \}/);
  const second = await applyFix(client, uri, 'literal-secret');
  assert.match(second.text, /authorization: "Bearer \$\{\{ secrets\.CRM_TOKEN \}\}"/);
  // Both are secrets now, which the workspace does not list yet: the next fix lists them.
  const unlisted = await client.diagnostics(uri, (d) => d.length === 2);
  assert.deepEqual(
    unlisted.map((d) => d.code),
    ['unknown-secret', 'unknown-secret'],
  );
});

test('an unlisted secret → listed in .lockstep/config.yaml, created or extended', async (t) => {
  const text = yaml(
    'name: keys',
    'models:',
    '  fast: { provider: openai, model: m, api_key: "${{ secrets.FAST_KEY }}" }',
    'steps:',
    '  - id: ask',
    '    llm: { model: fast, prompt: hi }',
  );
  // No config yet: the file is created with the secret listed.
  const fresh = await opened(t, 'keys.workflow.yaml', text);
  const [missing] = await fresh.client.diagnostics(fresh.uri, (d) => d.length === 1);
  assert.equal(missing?.code, 'unknown-secret');
  const [create] = await actionsFor(fresh.client, fresh.uri, missing!);
  assert.equal(create?.title, 'List FAST_KEY under secrets in .lockstep/config.yaml');
  const configUri = fresh.ws.uri('.lockstep/config.yaml');
  assert.deepEqual(create!.edit!.documentChanges, [
    { kind: 'create', uri: configUri, options: { ignoreIfExists: true } },
    {
      textDocument: { uri: configUri, version: null },
      edits: [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          newText: 'secrets:\n  - FAST_KEY\n',
        },
      ],
    },
  ]);
  // A config with a comment and other secrets: extended, the comment kept; once the file says
  // so, the diagnostic is gone.
  const config = '# Team settings\nsecrets:\n  - OTHER # for the CRM\n';
  const existing = await opened(t, 'keys.workflow.yaml', text, config);
  const [unlisted] = await existing.client.diagnostics(existing.uri, (d) => d.length === 1);
  const [extend] = await actionsFor(existing.client, existing.uri, unlisted!);
  const configEdit = extend!.edit!.changes![existing.ws.uri('.lockstep/config.yaml')]![0]!;
  assert.equal(
    configEdit.newText,
    '# Team settings\nsecrets:\n  - OTHER # for the CRM\n  - FAST_KEY\n',
  );
  existing.ws.write('.lockstep/config.yaml', configEdit.newText);
  await existing.client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: existing.ws.uri('.lockstep/config.yaml'), type: 2 }],
  });
  assert.deepEqual(await existing.client.diagnostics(existing.uri, (d) => d.length === 0), []);
});

test('a credential in a block value keeps its place; a password inside a URL gets no fix', async (t) => {
  const { client, uri } = await opened(
    t,
    'deploy.workflow.yaml',
    yaml(
      'name: deploy',
      'steps:',
      '  - id: push',
      '    shell:',
      '      run: ./deploy.sh',
      '      env:',
      '        DEPLOY_TOKEN: ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      '  - id: ping',
      '    http: { url: "https://admin:hunter2hunter2@example.com/ping" }',
    ),
  );
  const fixed = await applyFix(client, uri, 'literal-secret');
  assert.match(fixed.text, /\n {8}DEPLOY_TOKEN: \$\{\{ secrets\.DEPLOY_TOKEN \}\}\n/);
  const after = await client.diagnostics(uri, (d) => d.length === 2);
  assert.deepEqual(after.map((d) => d.code).sort(), ['literal-secret', 'unknown-secret']);
  const url = after.find((d) => d.code === 'literal-secret');
  assert.deepEqual(await actionsFor(client, uri, url!), []);
});
