import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../../../core/src/validate/config.js';
import { chooseStore } from '../../../../core/src/node/workspace/store-location.js';

test('store: takes a PostgreSQL URL without a password', () => {
  for (const url of [
    'postgres://team@db.internal:5432/lockstep',
    'postgresql://db.internal/lockstep?sslmode=require',
    'POSTGRES://team@db/lockstep',
  ]) {
    const { config, diagnostics } = parseConfigText(`store: ${url}\n`);
    assert.deepEqual(diagnostics, []);
    assert.equal(config.store, url);
  }
});

test('a password in store: is a literal-secret error at the value that never repeats it', () => {
  for (const url of [
    'postgres://team:Hunter-22@db/lockstep',
    'postgres://team@db/lockstep?password=Hunter-22',
    'postgres://team:Hunter-22@[not a host/lockstep',
  ]) {
    const { config, diagnostics } = parseConfigText(`retention: { versions: 3 }\nstore: ${url}\n`);
    assert.deepEqual(config, {}, 'an invalid config is the defaults');
    assert.equal(diagnostics.length, 1, url);
    const [d] = diagnostics;
    assert.equal(d?.code, 'literal-secret');
    assert.equal(d?.severity, 'error');
    assert.deepEqual([d?.range.start.line, d?.range.start.column], [2, 8]);
    assert.match(d!.message, /^store: the URL holds a password .*PGPASSWORD or ~\/\.pgpass/);
    assert.doesNotMatch(d!.message, /Hunter/);
  }
});

test('store: that is not a PostgreSQL URL is a schema error that does not quote it', () => {
  const { diagnostics } = parseConfigText('store: mysql://team:Hunter-22@db/lockstep\n');
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.message]),
    [
      [
        'schema',
        'store: must be a PostgreSQL URL (postgres://user@host:5432/database); leave it out to keep the store in .lockstep/',
      ],
    ],
  );
});

test('the store is the option, else the configured URL, else the files', () => {
  const base = { storeDir: '/w/.lockstep', configFile: '.lockstep/config.yaml' };
  const url = 'postgres://team@db/lockstep';
  assert.deepEqual(chooseStore({ ...base, option: undefined, configured: undefined }), {
    kind: 'files',
    folder: '/w/.lockstep',
  });
  assert.deepEqual(chooseStore({ ...base, option: undefined, configured: url }), {
    kind: 'postgres',
    url,
    chosenBy: 'config',
  });
  assert.deepEqual(chooseStore({ ...base, option: 'postgres://x@y/z', configured: url }), {
    kind: 'postgres',
    url: 'postgres://x@y/z',
    chosenBy: 'option',
  });
  assert.deepEqual(chooseStore({ ...base, option: '/other', configured: url }), {
    kind: 'files',
    folder: '/w/.lockstep',
  });
  assert.throws(
    () => chooseStore({ ...base, option: undefined, configured: 'postgres://t:Hunter-22@db/l' }),
    (error: Error) =>
      /^\.lockstep\/config\.yaml: store: the URL holds a password/.test(error.message) &&
      !error.message.includes('Hunter'),
  );
});
