// Validation scheduling: a burst of edits is coalesced, the last version's diagnostics win and no
// stale version is published after a newer one; a keystroke re-validates only the edited file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageOf, startInProcess } from '../../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../../helpers/lsp-workspace.js';

/** Version `n` of a document: one error naming `n`, so a publish shows which text it is for. */
function versionText(n: number): string {
  return yaml(
    'name: burst',
    'steps:',
    '  - id: a',
    `    transform: \${{ steps.missing_${n}.output }}`,
  );
}

test('a burst of edits: coalesced, the last version wins, versions only increase', async (t) => {
  const ws = lspWorkspace(t);
  const validations: string[] = [];
  const client = await startInProcess(t, {
    root: ws.root,
    server: { onValidate: (key) => validations.push(key) },
  });
  const uri = ws.uri('burst.workflow.yaml');
  await client.open(uri, versionText(1));
  await client.diagnostics(uri);
  const before = validations.length;

  const edits = 30;
  // Queued up while the server was busy: they reach it in one read.
  client.burst(
    uri,
    Array.from({ length: edits }, (_, i) => versionText(i + 2)),
  );

  const last = await client.diagnostics(uri);
  assert.equal(last.length, 1);
  assert.match(messageOf(last[0]!), new RegExp(`missing_${edits + 1}'`));

  const publishes = client.published.filter((p) => p.uri === uri);
  const versions = publishes.map((p) => p.version!);
  assert.deepEqual(
    versions,
    [...versions].sort((a, b) => a - b),
    'a stale version followed a newer one',
  );
  assert.equal(new Set(versions).size, versions.length, 'a version was published twice');
  for (const publish of publishes) {
    // Every publish carries the diagnostics of the text its version names.
    assert.match(messageOf(publish.diagnostics[0]!), new RegExp(`missing_${publish.version}'`));
  }
  const validated = validations.length - before;
  t.diagnostic(`${edits} edits → ${validated} validations, ${publishes.length - 1} publishes`);
  assert.ok(validated < edits, `${validated} validations for ${edits} edits: nothing coalesced`);
});

test('an edit arriving while a validation waits on the workspace is validated instead of the stale one', async (t) => {
  // The first validation of a workspace waits for its files to be read; edits sent meanwhile
  // must not produce diagnostics for the versions they replaced.
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) {
    files[`other-${i}.workflow.yaml`] = yaml(
      `name: other-${i}`,
      'steps:',
      '  - id: a',
      '    transform: 1',
    );
  }
  const ws = lspWorkspace(t, files);
  const client = await startInProcess(t, { root: ws.root });
  const uri = ws.uri('burst.workflow.yaml');
  void client.open(uri, versionText(1));
  void client.change(uri, versionText(2));
  await client.change(uri, versionText(3));
  const diagnostics = await client.diagnostics(uri);
  assert.match(messageOf(diagnostics[0]!), /missing_3'/);
  const versions = client.published.filter((p) => p.uri === uri).map((p) => p.version);
  assert.ok(!versions.includes(1) || versions.indexOf(1) < versions.indexOf(3));
  assert.ok(versions.every((v, i) => i === 0 || v! > versions[i - 1]!));
});

test('one keystroke re-validates only the edited file; the others come from the cache', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 5; i++) {
    files[`flows/f${i}.workflow.yaml`] = yaml(
      `name: f${i}`,
      'steps:',
      '  - id: a',
      '    transform: 1',
    );
  }
  const ws = lspWorkspace(t, files);
  const validations: string[] = [];
  const client = await startInProcess(t, {
    root: ws.root,
    server: { onValidate: (key) => validations.push(key) },
  });
  const uri = ws.uri('main.workflow.yaml');
  const caller = (n: number): string =>
    yaml('name: main', 'steps:', `  - id: call${n}`, '    workflow: { name: f1 }');
  await client.open(uri, caller(1));
  await client.diagnostics(uri);
  // Every file of the workspace was validated once (its summary feeds the workspace checks).
  assert.deepEqual(
    [...new Set(validations)].sort(),
    [...Object.keys(files).map((f) => ws.path(f)), ws.path('main.workflow.yaml')].sort(),
  );
  assert.equal(validations.length, new Set(validations).size, 'a file was validated twice');

  validations.length = 0;
  await client.change(uri, caller(2));
  await client.diagnostics(uri);
  assert.deepEqual(validations, [ws.path('main.workflow.yaml')]);
});
