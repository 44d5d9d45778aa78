// server/src/protocol.ts is the one file the VS Code client imports from the server: its only
// runtime import is vscode-jsonrpc (the client's bundle carries it already), and every custom
// message is a typed constant that both ends use, documented in docs/protocol.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import * as protocol from '../../../server/src/protocol.js';
import * as serviceProtocol from '../../../core/src/service/protocol.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { importsOf, sourceFiles } from '../../helpers/source-imports.js';

const PROTOCOL = path.join(REPO_ROOT, 'server/src/protocol.ts');

test('the protocol file imports only vscode-jsonrpc', () => {
  assert.deepEqual(importsOf(PROTOCOL), ['vscode-jsonrpc']);
  const text = readFileSync(PROTOCOL, 'utf8');
  assert.ok(!/^\s*import\s*['"]/m.test(text), 'a side-effect import');
});

test('every custom message is a typed constant, documented in docs/protocol.md', () => {
  const messages = (
    [...Object.values(protocol), ...Object.values(serviceProtocol)] as unknown[]
  ).filter(
    (value): value is { method: string } =>
      value instanceof NotificationType ||
      value instanceof RequestType ||
      value instanceof RequestType0,
  );
  assert.ok(messages.length >= 10, 'the scan sees the declared messages of both files');
  const docs = readFileSync(path.join(REPO_ROOT, 'docs/protocol.md'), 'utf8');
  for (const message of messages) {
    assert.ok(docs.includes(`\`${message.method}\``), `${message.method} is documented`);
  }
  // No message is sent or handled by a bare method name: a string escapes the compiler's check.
  const untyped = ['server/src', 'client/src', 'core/src/service']
    .flatMap((dir) => sourceFiles(path.join(REPO_ROOT, dir)))
    .filter((file) =>
      /(?:send|on)(?:Notification|Request)\(\s*['"`]lockstep\//.test(readFileSync(file, 'utf8')),
    )
    .map((file) => path.relative(REPO_ROOT, file));
  assert.deepEqual(untyped, []);
});
