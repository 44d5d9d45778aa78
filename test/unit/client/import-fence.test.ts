// The extension host stays small and fast to activate: the client imports nothing from core/ and,
// from the language server, only its protocol file (whose one import, vscode-jsonrpc, the
// language client brings anyway).
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../helpers/paths.js';
import { importsOf, sourceFiles } from '../../helpers/source-imports.js';

const CLIENT = path.join(REPO_ROOT, 'client/src');
const PROTOCOL = path.join(REPO_ROOT, 'server/src/protocol.ts');

test('the client imports from the repository only client/ files and the protocol', () => {
  const files = sourceFiles(CLIENT);
  assert.ok(
    files.some((f) => f.endsWith('extension.ts')),
    'the fence sees the client',
  );
  const crossings: string[] = [];
  for (const file of files) {
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      if (target.startsWith(CLIENT + path.sep) || target === PROTOCOL) continue;
      crossings.push(`${path.relative(REPO_ROOT, file)} → ${spec}`);
    }
  }
  assert.deepEqual(crossings, []);
});

test('the protocol file the client imports brings only vscode-jsonrpc', () => {
  assert.deepEqual(importsOf(PROTOCOL), ['vscode-jsonrpc']);
});

test('the extension bundle stays small (no core, no server)', () => {
  // Built by `npm test` before the tests run. Unminified, vscode-languageclient is ~1 MB;
  // pulling in core/ (ajv, jsonata, yaml, sql.js glue) would add well over 1 MB.
  const size = statSync(path.join(REPO_ROOT, 'dist/extension.js')).size;
  assert.ok(size < 1_500_000, `dist/extension.js is ${size} bytes`);
});
