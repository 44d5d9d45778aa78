// The bundled CLI answers `runs` from the index from anywhere: a copy of dist/ far from the
// repository (no node_modules around it) finds its index worker and sql-wasm.wasm beside itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';
import { writeFiles } from '../helpers/cli-workspace.js';
import { tempDir } from '../helpers/temp.js';

const WORKFLOW = `name: greet
inputs:
  who:
    type: string
steps:
  - id: hello
    transform: "Hello \${{ inputs.who }}"
outputs:
  text: \${{ steps.hello.output }}
`;

function run(
  cli: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, LOCKSTEP_STORE: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a copied CLI bundle lists runs through the index from a temp workspace', async (t) => {
  const install = tempDir(t, 'lockstep-install-');
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(install, 'dist'), { recursive: true });
  const cli = path.join(install, 'dist', 'cli.js');
  assert.ok(existsSync(path.join(install, 'dist', 'index-worker.js')));
  assert.ok(existsSync(path.join(install, 'dist', 'sql-wasm.wasm')));

  const workspace = tempDir(t, 'lockstep-workspace-');
  writeFiles(workspace, { 'greet.workflow.yaml': WORKFLOW });
  for (const who of ['Ada', 'Grace', 'Alan']) {
    const result = await run(
      cli,
      ['run', 'greet.workflow.yaml', '--input', `who=${who}`],
      workspace,
    );
    assert.equal(result.code, 0, result.stderr);
  }

  const listed = await run(cli, ['runs', 'greet', '--json'], workspace);
  assert.equal(listed.code, 0, listed.stderr);
  const { runs } = JSON.parse(listed.stdout) as { runs: { id: string; status: string }[] };
  assert.equal(runs.length, 3);
  assert.ok(runs.every((r) => r.status === 'succeeded'));
  // The index answered: its worker wrote the file (a fallback scan would write nothing).
  assert.ok(existsSync(path.join(workspace, '.lockstep/local/index.sqlite')));

  const inspected = await run(cli, ['inspect', runs[0]!.id.slice(0, 13)], workspace);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.match(inspected.stdout, /Hello Alan/);
});
