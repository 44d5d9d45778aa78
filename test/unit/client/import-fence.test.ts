// The extension host stays small and fast to activate: the client imports from core/ and the
// language server only their protocol files (whose one import, vscode-jsonrpc, the
// language client brings anyway).
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../helpers/paths.js';
import { importsOf, sourceFiles } from '../../helpers/source-imports.js';

const CLIENT = path.join(REPO_ROOT, 'client/src');
const PROTOCOL = path.join(REPO_ROOT, 'server/src/protocol.ts');
const SERVICE_PROTOCOL = path.join(REPO_ROOT, 'core/src/service/protocol.ts');

test('the client imports from the repository only client/ files and the two protocol files', () => {
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
      if (
        target.startsWith(CLIENT + path.sep) ||
        target === PROTOCOL ||
        target === SERVICE_PROTOCOL
      )
        continue;
      crossings.push(`${path.relative(REPO_ROOT, file)} → ${spec}`);
    }
  }
  assert.deepEqual(crossings, []);
});

test('the protocol files the client imports bring only vscode-jsonrpc', () => {
  assert.deepEqual(importsOf(PROTOCOL), ['vscode-jsonrpc']);
  assert.deepEqual(importsOf(SERVICE_PROTOCOL), ['vscode-jsonrpc']);
});

test('the extension bundle stays small (no core, no server)', () => {
  // Built by `npm test` before the tests run. Unminified, vscode-languageclient is ~1 MB;
  // pulling in core/ (ajv, jsonata, yaml, sql.js glue) would add well over 1 MB.
  const size = statSync(path.join(REPO_ROOT, 'dist/extension.js')).size;
  assert.ok(size < 1_500_000, `dist/extension.js is ${size} bytes`);
});
