// The bundled server runs on its own: `node dist/server.js --stdio` serves any LSP client
// (Neovim, Helix, Emacs…), which gets pushed diagnostics for a broken file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { startChildProcess } from '../../helpers/lsp-client.js';
import { lspWorkspace, yaml } from '../../helpers/lsp-workspace.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const SERVER = path.join(REPO_ROOT, 'dist/server.js');

test(
  'node dist/server.js --stdio publishes diagnostics for a broken file',
  { timeout: 60_000 },
  async (t) => {
    const ws = lspWorkspace(t);
    // A minimal client, like Neovim 0.7: no dynamic registration, no pull diagnostics.
    const client = await startChildProcess(t, SERVER, { root: ws.root, capabilities: {} });
    assert.equal(client.initializeResult?.serverInfo?.name, 'lockstep-language-server');
    assert.equal(client.registrations.length, 0);
    const uri = ws.uri('broken.workflow.yaml');
    await client.open(
      uri,
      yaml(
        'name: broken',
        'steps:',
        '  - id: a',
        '    transform: ${{ steps.nope.output }}',
        '  - id: b',
      ),
    );
    const diagnostics = await client.diagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [
        ['unknown-step', 3],
        ['step-kind', 4],
      ],
    );
  },
);
