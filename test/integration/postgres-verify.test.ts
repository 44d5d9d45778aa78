// `verify` on a PostgreSQL store reads its blobs a page at a time (together they may be larger
// than memory) and still checks every one: a damaged blob past the first pages is named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { freshDatabase, queryAt } from '../helpers/postgres.js';

test('verify checks every blob of a PostgreSQL store, page by page', async (t) => {
  const url = await freshDatabase(t);
  const store = await openPgStore(url, { create: true });
  t.after(() => store.close());
  const ids = [];
  for (let i = 0; i < 150; i++) ids.push(await store.putBlob(Buffer.from(`blob number ${i}`)));
  const clean = await store.verify();
  assert.equal(clean.ok, true, JSON.stringify(clean.problems));
  assert.equal(clean.checked.blobs, 150);

  const damaged = [...ids].sort().at(-1)!; // on the last page
  await queryAt(url, "UPDATE blobs SET data = 'tampered'::bytea WHERE id = $1", [damaged]);
  const report = await store.verify();
  assert.equal(report.ok, false);
  assert.equal(report.checked.blobs, 150);
  assert.deepEqual(
    report.problems.map((p) => p.where),
    [`${store.info.location} blob ${damaged}`],
  );
});
