// The pure core never reaches the editor, the file system, processes or the network: only the
// Node-only corners (core/src/node/, core/src/cli/, core/src/service/) may. The engine stays deterministic and
// portable because of this fence, so a test guards it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../helpers/paths.js';
import { importsOf, sourceFiles } from '../../helpers/source-imports.js';

const CORE = path.join(REPO_ROOT, 'core/src');
const NODE_ONLY_CORNERS = ['node', 'cli', 'service'];
/** Node built-ins the pure core may use: hashing only. */
const ALLOWED_BUILTINS = new Set(['node:crypto']);

test('no core file imports vscode or the language server', () => {
  for (const file of sourceFiles(CORE)) {
    for (const spec of importsOf(file)) {
      assert.ok(
        !/^vscode(?:$|-languageserver|-languageclient)/.test(spec),
        `${path.relative(REPO_ROOT, file)} imports ${spec}`,
      );
    }
  }
});

test('only the Node-only corners import Node built-ins other than hashing', () => {
  const offenders: string[] = [];
  for (const file of sourceFiles(CORE)) {
    const corner = path.relative(CORE, file).split(path.sep)[0]!;
    if (NODE_ONLY_CORNERS.includes(corner)) continue;
    for (const spec of importsOf(file)) {
      const builtin =
        spec.startsWith('node:') ||
        ['fs', 'path', 'os', 'child_process', 'net', 'http', 'https'].includes(spec);
      if (builtin && !ALLOWED_BUILTINS.has(spec))
        offenders.push(`${path.relative(REPO_ROOT, file)} → ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the fence test sees the files it guards', () => {
  // A fence that scans nothing passes vacuously: make sure it scans both sides.
  const files = sourceFiles(CORE).map((f) => path.relative(CORE, f));
  assert.ok(files.some((f) => f.startsWith('validate')));
  assert.ok(files.some((f) => f.startsWith('node')));
  assert.ok(importsOf(path.join(CORE, 'node/workspace/read-text.ts')).includes('node:fs/promises'));
});
