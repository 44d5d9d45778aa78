// The workspace model: files on disk and open documents checked together (duplicate names,
// unknown workflows, cycles), updated when another open file changes, when files change on disk,
// and sub-workflow names resolved to the file that declares them.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Location } from 'vscode-languageserver/node';
import { channelWorkspace, ok } from '../../../helpers/channel-workspace.js';
import { messageOf, startInProcess } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../../helpers/lsp-workspace.js';

const REPLY = yaml('name: polite-reply', 'steps:', '  - id: write', '    transform: hi');
const caller = (callee: string): string =>
  yaml('name: triage', 'steps:', '  - id: draft', `    workflow: { name: ${callee} }`);

test('a call to a workflow that exists only on disk is resolved; a missing one is reported', async (t) => {
  const ws = lspWorkspace(t, { 'flows/reply.workflow.yaml': REPLY });
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, caller('polite-reply'));
  assert.deepEqual(await client.diagnostics(uri), []);
  await client.change(uri, caller('polite-replies'));
  const [unknown] = await client.diagnostics(uri, (d) => d.length === 1);
  assert.equal(unknown?.code, 'unknown-workflow');
  assert.match(messageOf(unknown!), /did you mean 'polite-reply'/);
});

test('cross-file diagnostics update when another open file changes', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const a = ws.uri('a.workflow.yaml');
  const b = ws.uri('b.workflow.yaml');
  await client.open(a, caller('polite-reply'));
  await client.diagnostics(a, (d) => d.some((x) => x.code === 'unknown-workflow'));
  // Another (unsaved) document declares the called workflow: a's error goes away.
  await client.open(b, REPLY);
  await client.waitFor('a re-checked', () =>
    client.lastPublished(a)?.diagnostics.length === 0 ? true : undefined,
  );
  // b now takes a's name: both get a duplicate-name error pointing at the other file.
  await client.change(b, yaml('name: triage', 'steps:', '  - id: x', '    transform: 1'));
  const onA = await client.waitFor('a duplicate on a', () => {
    const d = client.lastPublished(a)?.diagnostics ?? [];
    return d.some((x) => x.code === 'duplicate-workflow-name') ? d : undefined;
  });
  const duplicate = onA.find((x) => x.code === 'duplicate-workflow-name')!;
  assert.equal(duplicate.relatedInformation?.[0]?.location.uri, b);
  assert.match(messageOf(duplicate), /b\.workflow\.yaml/);
  const onB = await client.diagnostics(b);
  assert.ok(onB.some((x) => x.code === 'duplicate-workflow-name'));
});

test('closing a document falls back to its text on disk', async (t) => {
  const ws = lspWorkspace(t, { 'reply.workflow.yaml': REPLY });
  const client = await startInProcess(t, { root: ws.root });
  const main = ws.uri('triage.workflow.yaml');
  const reply = ws.uri('reply.workflow.yaml');
  await client.open(main, caller('polite-reply'));
  assert.deepEqual(await client.diagnostics(main), []);
  // The open copy of reply renames it (unsaved): triage's call breaks…
  await client.open(reply, REPLY.replace('polite-reply', 'renamed'));
  await client.waitFor('triage broken', () =>
    client.lastPublished(main)?.diagnostics.length === 1 ? true : undefined,
  );
  // …and closing it without saving restores the name on disk.
  await client.close(reply);
  await client.waitFor('triage fixed', () =>
    client.lastPublished(main)?.diagnostics.length === 0 ? true : undefined,
  );
});

test('watched-file events: a created file resolves a call, a deleted one breaks it', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, caller('polite-reply'));
  await client.diagnostics(uri, (d) => d.length === 1);
  const created = ws.write('sub/reply.workflow.yaml', REPLY);
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: created, type: 1 }],
  });
  await client.waitFor('resolved', () =>
    client.lastPublished(uri)?.diagnostics.length === 0 ? true : undefined,
  );
  rmSync(ws.path('sub/reply.workflow.yaml'));
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: created, type: 3 }],
  });
  await client.waitFor('broken again', () =>
    client.lastPublished(uri)?.diagnostics.length === 1 ? true : undefined,
  );
});

test('a cycle through a file on disk is reported on the call that closes it', async (t) => {
  const ws = lspWorkspace(t, {
    'reply.workflow.yaml': yaml(
      'name: polite-reply',
      'steps:',
      '  - id: back',
      '    workflow: { name: triage }',
    ),
  });
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, caller('polite-reply'));
  const [cycle] = await client.diagnostics(uri, (d) => d.length > 0);
  assert.equal(cycle?.code, 'workflow-cycle');
  assert.match(messageOf(cycle!), /triage → polite-reply → triage/);
});

test('go to definition on a sub-workflow name opens the file that declares it', async (t) => {
  const ws = lspWorkspace(t, { 'flows/reply.workflow.yaml': REPLY });
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, caller('polite-reply'));
  await client.diagnostics(uri);
  const locations = await client.request<Location[]>('textDocument/definition', {
    textDocument: { uri },
    position: client.positionOf(uri, 'polite-reply', 3),
  });
  assert.deepEqual(locations, [
    {
      uri: ws.uri('flows/reply.workflow.yaml'),
      range: { start: { line: 0, character: 6 }, end: { line: 0, character: 18 } },
    },
  ]);
  // And references of that name, from its declaration, list every call in the workspace.
  const reply = ws.uri('flows/reply.workflow.yaml');
  await client.open(reply, REPLY);
  const uses = await client.request<Location[]>('textDocument/references', {
    textDocument: { uri: reply },
    position: client.positionOf(reply, 'polite-reply', 1),
    context: { includeDeclaration: true },
  });
  assert.deepEqual(
    uses.map((l) => [l.uri, l.range.start.line]),
    [
      [reply, 0],
      [uri, 3],
    ],
  );
});

test('the revalidate command re-reads the disk for clients that do not watch files', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root, capabilities: {} });
  const commands = client.initializeResult?.capabilities.executeCommandProvider?.commands;
  assert.deepEqual(commands, ['lockstep.server.revalidateAll']);
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(uri, caller('polite-reply'));
  await client.diagnostics(uri, (d) => d.length === 1);
  ws.write('reply.workflow.yaml', REPLY); // no watched-file event
  await client.request('workspace/executeCommand', { command: 'lockstep.server.revalidateAll' });
  await client.waitFor('resolved after the command', () =>
    client.lastPublished(uri)?.diagnostics.length === 0 ? true : undefined,
  );
});

test('an added workspace folder is read and validated ahead of any document', async (t) => {
  const ws = lspWorkspace(t);
  const other = lspWorkspace(t, { 'x.workflow.yaml': REPLY });
  const validated: string[] = [];
  const client = await startInProcess(t, {
    root: ws.root,
    server: { onValidate: (key) => validated.push(key) },
  });
  await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
    event: { added: [{ uri: pathToFileURL(other.root).href, name: 'other' }], removed: [] },
  });
  await client.waitFor('the new folder’s file validated', () =>
    validated.includes(other.path('x.workflow.yaml')) ? true : undefined,
  );
});

test('a call is checked against the inputs the called file declares, and re-checked when they change', async (t) => {
  const ws = lspWorkspace(t);
  const client = await startInProcess(t, { root: ws.root });
  const reply = ws.uri('reply.workflow.yaml');
  const withInput = (name: string): string =>
    yaml(
      'name: polite-reply',
      'inputs:',
      `  ${name}: { type: string }`,
      'steps:',
      '  - id: write',
      `    transform: \${{ inputs.${name} }}`,
    );
  await client.open(reply, withInput('topic'));
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(
    uri,
    yaml(
      'name: triage',
      'steps:',
      '  - id: draft',
      '    workflow: { name: polite-reply, inputs: { topic: billing } }',
    ),
  );
  assert.deepEqual(await client.diagnostics(uri), []);
  // The called workflow renames its input (unsaved): the call now gives one it does not know
  // and misses the one it requires.
  await client.change(reply, withInput('subject'));
  const problems = await client.waitFor('the call re-checked', () => {
    const d = client.lastPublished(uri)?.diagnostics ?? [];
    return d.length === 2 ? d : undefined;
  });
  assert.deepEqual(problems.map((d) => d.code).sort(), [
    'missing-call-input',
    'unknown-call-input',
  ]);
  assert.match(
    messageOf(problems.find((d) => d.code === 'unknown-call-input')!),
    /'polite-reply' has no input 'topic' \(its inputs: subject\)/,
  );
  assert.equal(problems.find((d) => d.code === 'unknown-call-input')?.range.start.line, 3);
});

test('a call pinned to a channel the store does not know is flagged; a known one is not', async (t) => {
  const ws = lspWorkspace(t, { 'flows/reply.workflow.yaml': REPLY });
  const client = await startInProcess(t, {
    root: ws.root,
    server: { channels: async () => ({ names: ['production', 'staging'], states: [] }) },
  });
  const uri = ws.uri('triage.workflow.yaml');
  const pinned = (version: string): string =>
    yaml(
      'name: triage',
      'steps:',
      '  - id: draft',
      `    workflow: { name: polite-reply, version: ${version} }`,
    );
  await client.open(uri, pinned('production'));
  assert.deepEqual(await client.diagnostics(uri), []);
  await client.change(uri, pinned('prodution'));
  const [unknown] = await client.diagnostics(uri, (d) => d.length === 1);
  assert.equal(unknown?.code, 'unknown-channel');
  assert.equal(unknown?.severity, 2, 'a warning: the channel may be set later');
  assert.match(
    messageOf(unknown!),
    /no channel 'prodution' in the store \(channels: production, staging\)/,
  );
  assert.match(messageOf(unknown!), /did you mean 'production'/);
  assert.equal(unknown?.range.start.line, 3);
  // Published numbers and hashes are not channels.
  await client.change(uri, pinned('3'));
  assert.deepEqual(await client.diagnostics(uri, (d) => d.length === 0), []);
});

test('with the store in PostgreSQL (config store:) no channel is checked: the server reads only files', async (t) => {
  const ws = lspWorkspace(t, {
    'flows/reply.workflow.yaml': REPLY,
    '.lockstep/config.yaml': 'store: postgres://team@db.internal:5432/lockstep\n',
  });
  let asked = 0;
  const client = await startInProcess(t, {
    root: ws.root,
    server: {
      channels: async () => {
        asked++;
        return { names: [], states: [] };
      },
    },
  });
  const uri = ws.uri('triage.workflow.yaml');
  await client.open(
    uri,
    yaml(
      'name: triage',
      'steps:',
      '  - id: draft',
      '    workflow: { name: polite-reply, version: prodution }',
      '  - id: other',
      '    workflow: { name: polite-reply, version: 3 }',
    ),
  );
  assert.deepEqual(await client.diagnostics(uri), []);
  assert.equal(asked, 0, 'the files of .lockstep/ are not the store');
});

test('a channel set from the CLI clears its unknown-channel warning without an edit; the log is watched', async (t) => {
  const dir = await channelWorkspace(t);
  const client = await startInProcess(t, { root: dir });
  const uri = pathToFileURL(path.join(dir, 'triage.workflow.yaml')).href;
  await client.open(
    uri,
    yaml(
      'name: triage',
      'steps:',
      '  - id: draft',
      '    workflow: { name: greet, version: production, inputs: { who: Ada } }',
    ),
  );
  const [unknown] = await client.diagnostics(uri, (d) => d.length === 1);
  assert.equal(unknown?.code, 'unknown-channel');
  assert.match(messageOf(unknown!), /the store has no channels yet/);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  const log = pathToFileURL(path.join(dir, '.lockstep/control.jsonl')).href;
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: log, type: 2 }],
  });
  const cleared = await client.waitFor('the warning cleared', () => {
    const last = client.lastPublished(uri);
    return last?.diagnostics.length === 0 ? last : undefined;
  });
  assert.equal(cleared.version, 1, 'the same version of the document: no edit');
  // The log gone (a checkout of a branch without it, say): the warning is back.
  rmSync(path.join(dir, '.lockstep/control.jsonl'));
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: log, type: 3 }],
  });
  await client.waitFor('the warning back', () =>
    client.lastPublished(uri)?.diagnostics[0]?.code === 'unknown-channel' ? true : undefined,
  );
});
