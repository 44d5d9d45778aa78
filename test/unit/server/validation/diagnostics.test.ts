// Diagnostics through the protocol: codes, severities, exact 0-based ranges, related places,
// every problem of a file at once, the env allow-list from .lockstep/config.yaml, clearing on close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import { messageOf, startInProcess } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../../helpers/lsp-workspace.js';

const BROKEN = yaml(
  'name: triage',
  'inputs:',
  '  ticket: { type: string }',
  '  unused: { type: string }',
  'models:',
  '  fast: { provider: openai, model: gpt-4o-mini }',
  'steps:',
  '  - id: classify',
  '    llm: { model: fsat, prompt: "${{ inputs.ticket }}" }',
  '  - id: classify',
  '    transform: ${{ steps.clasify.output }}',
);

test('a broken file gets its problems with codes, severities and exact ranges', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, BROKEN);
  const diagnostics = await client.diagnostics(uri);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.source]),
    [
      ['unused-input', DiagnosticSeverity.Warning, 3, 'lockstep'],
      ['unknown-model', DiagnosticSeverity.Error, 8, 'lockstep'],
      ['duplicate-step-id', DiagnosticSeverity.Error, 9, 'lockstep'],
      ['unknown-step', DiagnosticSeverity.Error, 10, 'lockstep'],
    ],
  );
  const model = diagnostics.find((d) => d.code === 'unknown-model')!;
  // Columns are 0-based UTF-16: `fsat` starts at column 18 of line 8.
  assert.deepEqual(model.range, {
    start: { line: 8, character: 18 },
    end: { line: 8, character: 22 },
  });
  assert.match(messageOf(model), /did you mean 'fast'/);
  const duplicate = diagnostics.find((d) => d.code === 'duplicate-step-id')!;
  assert.equal(duplicate.relatedInformation?.[0]?.location.uri, uri);
  assert.equal(duplicate.relatedInformation?.[0]?.location.range.start.line, 7);
  assert.equal(client.lastPublished(uri)?.version, 1);
});

test('a file with 50 errors gets all 50', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const lines = ['name: many', 'steps:', '  - id: first', '    transform: 1'];
  for (let i = 0; i < 50; i++) {
    lines.push(`  - id: s${i}`, `    transform: \${{ steps.missing_${i}.output }}`);
  }
  const uri = ws.uri('many.workflow.yaml');
  await client.open(uri, yaml(...lines));
  const diagnostics = await client.diagnostics(uri);
  assert.equal(diagnostics.length, 50);
  assert.ok(diagnostics.every((d) => d.code === 'unknown-step'));
  assert.deepEqual(
    diagnostics.map((d) => d.range.start.line),
    Array.from({ length: 50 }, (_, i) => 5 + 2 * i),
  );
});

test('a valid file gets an empty list, and a lockstep/validated notification per version', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('ok.workflow.yaml');
  await client.open(uri, yaml('name: ok', 'steps:', '  - id: a', '    transform: 1'));
  assert.deepEqual(await client.diagnostics(uri), []);
  const validated = await client.waitFor('validated', () => client.validated.at(-1));
  assert.deepEqual(validated, { uri, version: 1, name: 'ok', errors: 0, warnings: 0 });
  await client.change(uri, yaml('name: ok', 'steps:', '  - id: a', '    transform: ${{ x }}'));
  await client.diagnostics(uri, (d) => d.length === 1);
  const second = await client.waitFor('second validated', () =>
    client.validated.find((v) => v.version === 2),
  );
  assert.equal(second.errors, 1);
});

test('diagnostics are cleared when a document closes', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, BROKEN);
  await client.diagnostics(uri, (d) => d.length > 0);
  await client.close(uri);
  await client.waitFor('cleared diagnostics', () => {
    const last = client.lastPublished(uri);
    return last?.diagnostics.length === 0 ? last : undefined;
  });
});

test('env names are checked against the allow-list in .lockstep/config.yaml, which is watched', async (t) => {
  const ws = lspWorkspace(t, {}, yaml('env:', '  allow: [OLLAMA_URL]'));
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('env.workflow.yaml');
  await client.open(
    uri,
    yaml(
      'name: env-use',
      'steps:',
      '  - id: a',
      '    transform: ${{ env.OLLAMA_URL }}',
      '  - id: b',
      '    transform: ${{ env.HOME_DIR }}',
    ),
  );
  const diagnostics = await client.diagnostics(uri);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range.start.line]),
    [['env-not-allowed', 5]],
  );
  ws.write('.lockstep/config.yaml', yaml('env:', '  allow: [OLLAMA_URL, HOME_DIR]'));
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: ws.uri('.lockstep/config.yaml'), type: 2 }],
  });
  await client.waitFor('diagnostics after the settings changed', () =>
    client.lastPublished(uri)?.diagnostics.length === 0 ? true : undefined,
  );
});

test('an open settings document gets its own diagnostics and drives the allow-list', async (t) => {
  const ws = lspWorkspace(t, {}, yaml('env:', '  allow: []'));
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('env.workflow.yaml');
  await client.open(uri, yaml('name: e', 'steps:', '  - id: a', '    transform: ${{ env.X1 }}'));
  await client.diagnostics(uri, (d) => d.length === 1);
  const config = ws.uri('.lockstep/config.yaml');
  await client.open(config, yaml('env:', '  allow: [X1]', 'bogus: 1'));
  const configDiagnostics = await client.diagnostics(config);
  assert.deepEqual(
    configDiagnostics.map((d) => d.code),
    ['unknown-key'],
  );
  await client.change(config, yaml('env:', '  allow: [X1]'));
  await client.waitFor('the workflow re-checked with the new allow-list', () =>
    client.lastPublished(uri)?.diagnostics.length === 0 ? true : undefined,
  );
});

test('a password in the settings’ store: URL is an error at the value, never repeated', async (t) => {
  const ws = lspWorkspace(t, {});
  const client = await startInProcess(t, { root: ws.root });
  const config = ws.uri('.lockstep/config.yaml');
  await client.open(config, yaml('store: postgres://team:Hunter-22@db.internal/lockstep'));
  const [found] = await client.diagnostics(config, (d) => d.length === 1);
  assert.equal(found?.code, 'literal-secret');
  assert.equal(found?.severity, DiagnosticSeverity.Error);
  assert.deepEqual(found?.range.start, { line: 0, character: 7 });
  assert.match(messageOf(found!), /^store: the URL holds a password .*PGPASSWORD or ~\/\.pgpass/);
  assert.doesNotMatch(messageOf(found!), /Hunter/);
  await client.change(config, yaml('store: postgres://team@db.internal/lockstep'));
  await client.diagnostics(config, (d) => d.length === 0);
});

test('the server asks to watch workflow files, settings, the control log and prompt and schema files when the client allows it', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const registration = (await client.waitFor('a registration', () => client.registrations[0])) as {
    method: string;
    registerOptions: { watchers: { globPattern: string }[] };
  };
  assert.equal(registration.method, 'workspace/didChangeWatchedFiles');
  assert.deepEqual(
    registration.registerOptions.watchers.map((w) => w.globPattern),
    [
      '**/*.workflow.{yaml,yml}',
      '**/.lockstep/config.yaml',
      '**/.lockstep/control.jsonl',
      '**/*.{md,txt,prompt,tmpl,j2,jinja,json,yaml,yml}',
    ],
  );
});

test('other YAML files a client sends are left alone', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const compose = ws.uri('docker-compose.yml');
  await client.open(compose, yaml('services:', '  web: { image: nginx }'));
  const uri = ws.uri('ok.workflow.yml');
  await client.open(uri, yaml('name: ok', 'steps:', '  - id: a', '    transform: 1'));
  // Documents are validated in the order they changed: once the workflow's diagnostics are
  // in, the compose file has been looked at, and nothing was published for it.
  assert.deepEqual(await client.diagnostics(uri), []);
  assert.equal(client.lastPublished(compose), undefined);
  const items = await client.request<unknown[]>('textDocument/completion', {
    textDocument: { uri: compose },
    position: { line: 2, character: 0 },
  });
  assert.deepEqual(items, []);
});
