// Hover on a channel a call is pinned to (`workflow.version: production`), through the protocol,
// against a real store whose channels the CLI changed: where the channel sends the called
// workflow's runs now and its latest change, or plainly that it has nothing for that workflow.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Hover } from 'vscode-languageserver/node';
import { channelWorkspace, ok } from '../../../helpers/channel-workspace.js';
import { startInProcess, type LspTestClient } from '../../../helpers/lsp-client.js';
import { yaml } from '../../../helpers/lsp-workspace.js';

const CALLER = yaml(
  'name: caller',
  'steps:',
  '  - id: block',
  '    workflow:',
  '      name: greet',
  '      version: production',
  '      inputs: { who: Ada }',
  '  - id: other',
  '    workflow: { name: answer, version: "production" }',
  '  - id: unknown',
  '    workflow: { name: greet, version: staging }',
  '  - id: number',
  '    workflow: { name: greet, version: 2, inputs: { who: Ada } }',
);

interface Session {
  readonly dir: string;
  /** The hover's markdown at `marker` (its `occurrence`-th), and the text its range covers. */
  hover(marker: string, occurrence?: number): Promise<{ text: string; covers: string } | null>;
}

async function session(t: TestContext): Promise<Session> {
  const dir = await channelWorkspace(t);
  const client: LspTestClient = await startInProcess(t, { root: dir });
  const uri = pathToFileURL(path.join(dir, 'caller.workflow.yaml')).href;
  await client.open(uri, CALLER);
  return {
    dir,
    hover: async (marker, occurrence = 0) => {
      const hover = await client.request<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: client.positionOf(uri, marker, 1, occurrence),
      });
      if (!hover) return null;
      const contents = hover.contents as { kind: string; value: string };
      assert.equal(contents.kind, 'markdown');
      const lines = CALLER.split('\n');
      const range = hover.range!;
      assert.equal(range.start.line, range.end.line);
      const covers = lines[range.start.line]!.slice(range.start.character, range.end.character);
      return { text: contents.value, covers };
    },
  };
}

test('hover on a channel a call is pinned to: its targets for that workflow and its latest change', async (t) => {
  const s = await session(t);
  await ok(s.dir, ['promote', 'greet@1', '--channel', 'production', '-m', 'First release']);
  // A message is free text: markdown in it shows as itself.
  const canary = ['canary', 'greet@2', '--channel', 'production', '--weight', '10'];
  await ok(s.dir, [...canary, '--sticky', 'inputs.who', '-m', 'Shorter *replies*']);
  const hover = await s.hover('production');
  assert.equal(hover?.covers, 'production');
  const [where, change] = hover!.text.split('\n\n');
  assert.equal(where, '**production** → `greet` v1 90% · v2 10%, sticky inputs.who');
  assert.match(
    change ?? '',
    /^revision 2 · last change: canary by Ada Lovelace \\<ada@example\.com\\>, \d{4}-\d\d-\d\d \d\d:\d\d UTC — "Shorter \\\*replies\\\*"$/,
  );
  // The log changed since: the hover reads it again (no edit, no watcher event needed).
  await ok(s.dir, ['rollback', 'greet', '--channel', 'production', '-m', 'Too short']);
  const after = await s.hover('production');
  assert.match(
    after!.text,
    /^\*\*production\*\* → `greet` v1 100%\n\nrevision 3 · last change: rollback of revision 2 by /,
  );
  // A published number is not a channel: nothing to say there.
  assert.equal(await s.hover(' 2,'), null);
});

test('hover on a channel with nothing for the called workflow says so', async (t) => {
  const s = await session(t);
  assert.equal(
    (await s.hover('production'))?.text,
    '**production**: no such channel in the store (the store has no channels yet)',
  );
  await ok(s.dir, ['promote', 'greet@1', '--channel', 'production', '-m', 'First release']);
  const other = await s.hover('production', 1);
  assert.equal(other?.covers, 'production', 'inside the quotes');
  assert.equal(
    other?.text,
    '**production**: not set for `answer`; the store has it for `greet` only',
  );
  assert.equal(
    (await s.hover('staging'))?.text,
    "**staging**: no such channel in the store (the store's channels: production)",
  );
  // Rolling back the channel's first change empties it.
  await ok(s.dir, ['rollback', 'greet', '--channel', 'production', '-m', 'Not yet']);
  const emptied = await s.hover('production');
  assert.match(
    emptied!.text,
    /^\*\*production\*\* → nothing for `greet` \(a rollback emptied it\)\n\nrevision 2 · last change: rollback of revision 1 by Ada Lovelace .* — "Not yet"$/,
  );
});
