// Bearer tokens of lockstep serve: created tokens are shown once and stored as hashes only, scopes
// nest (read < run < admin), a new line is seen without a restart, and a damaged file is named.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  createToken,
  parseScope,
  scopeAllows,
  TokenFile,
} from '../../../../../core/src/node/team/serve/tokens.js';
import { tempDir } from '../../../../helpers/temp.js';

test('a created token is stored as its hash, readable by its owner only, and answers with its scope', async (t) => {
  const file = path.join(tempDir(t), 'tokens');
  const run = await createToken(file, 'run', 'checkout');
  const read = await createToken(file, 'read', 'dashboards');
  assert.match(run, /^lst_[A-Za-z0-9_-]{43}$/);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(run) && !text.includes(read), 'no token in clear');
  assert.match(text, /^sha256:[0-9a-f]{64} run checkout\nsha256:[0-9a-f]{64} read dashboards\n$/);
  if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
  const tokens = new TokenFile(file);
  assert.equal(await tokens.scopeOf(run), 'run');
  assert.equal(await tokens.scopeOf(read), 'read');
  assert.equal(await tokens.scopeOf(`${run}x`), undefined);
  assert.equal(await tokens.scopeOf(''), undefined);
});

test('a token added while the server runs works at once; a removed one stops working', async (t) => {
  const file = path.join(tempDir(t), 'tokens');
  const first = await createToken(file, 'admin', 'first');
  const tokens = new TokenFile(file);
  await tokens.load();
  const second = await createToken(file, 'read', 'second');
  assert.equal(await tokens.scopeOf(second), 'read');
  const lines = readFileSync(file, 'utf8').split('\n');
  writeFileSync(file, `${lines[1]}\n# revoked: first\n`);
  // The file's modification time decides when it is read again: make sure it moved.
  const later = new Date(Date.now() + 2000);
  utimesSync(file, later, later);
  assert.equal(await tokens.scopeOf(first), undefined);
  assert.equal(await tokens.scopeOf(second), 'read');
});

test('scopes nest: read < run < admin; an unknown scope is refused with the choices', () => {
  assert.ok(
    scopeAllows('admin', 'run') && scopeAllows('run', 'read') && scopeAllows('read', 'read'),
  );
  assert.ok(!scopeAllows('read', 'run') && !scopeAllows('run', 'admin'));
  assert.throws(() => parseScope('write'), /read, run or admin/);
});

test('a damaged tokens file, or a missing one, is an error naming the file and line', async (t) => {
  const file = path.join(tempDir(t), 'tokens');
  await assert.rejects(
    new TokenFile(file).load(),
    /no tokens file: create one with lockstep serve token create/,
  );
  writeFileSync(file, '# tokens\n');
  appendFileSync(file, 'lst_plaintext-token run\n');
  await assert.rejects(new TokenFile(file).load(), new RegExp(`${file}:2: not a token line`));
  await assert.rejects(createToken(file, 'run', 'two words'), /one word/);
});
