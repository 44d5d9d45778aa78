// The local index of the control log is a cache: opening with it, without it, or with a wrong one
// gives the same store, and nothing is lost when it is deleted, stale or damaged.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openFsStore } from '../../../../../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../../../../../core/src/node/store/files/layout.js';
import { loadIndex } from '../../../../../../core/src/node/store/files/control-log-index.js';
import type { Store } from '../../../../../../core/src/store/store.js';
import { draft, publishOf } from '../../../../../helpers/store-drafts.js';
import { tempDir } from '../../../../../helpers/temp.js';

async function seeded(t: import('node:test').TestContext, count: number): Promise<string> {
  const root = path.join(tempDir(t), '.lockstep');
  const store = await openFsStore(root, { create: true });
  for (let value = 1; value <= count; value++) {
    await store.publish(publishOf(draft(value % 2 === 0 ? 'even' : 'odd', value)));
  }
  return root;
}

async function view(store: Store): Promise<unknown> {
  return {
    odd: (await store.listPublications('odd')).map((p) => [p.seq, p.version, p.entry]),
    even: (await store.listPublications('even')).map((p) => [p.seq, p.version, p.entry]),
    log: (await store.readControlLog()).map((e) => e.hash),
  };
}

test('publishing keeps the index in step with the log, and opening reads it', async (t) => {
  const root = await seeded(t, 6);
  const { controlIndex } = storeLayout(root);
  assert.deepEqual(
    loadIndex(controlIndex).lines.map((l) => l.entry?.index),
    [1, 2, 3, 4, 5, 6],
  );
  const withIndex = await view(await openFsStore(root));
  rmSync(controlIndex);
  const rebuilt = await view(await openFsStore(root));
  assert.deepEqual(rebuilt, withIndex);
  assert.equal(loadIndex(controlIndex).lines.length, 6, 'a full read writes the index again');
});

test('a damaged, stale or foreign index is ignored and the log is read instead', async (t) => {
  const root = await seeded(t, 4);
  const { controlIndex, controlLog } = storeLayout(root);
  const expected = await view(await openFsStore(root));
  const good = readFileSync(controlIndex, 'utf8');

  // Garbage.
  writeFileSync(controlIndex, 'not json\n{"o": 99}\n');
  assert.deepEqual(await view(await openFsStore(root)), expected);

  // An index that claims a different last entry (as after `git checkout` of another history).
  writeFileSync(controlIndex, good.replace(/"hash":"sha256:[0-9a-f]{6}/g, '"hash":"sha256:ffffff'));
  assert.deepEqual(await view(await openFsStore(root)), expected);

  // An index that covers more than the log now holds (the log was cut back).
  writeFileSync(controlIndex, good);
  const log = readFileSync(controlLog);
  const firstTwo = log.subarray(0, log.indexOf(10, log.indexOf(10) + 1) + 1);
  writeFileSync(controlLog, firstTwo);
  const shorter = await openFsStore(root);
  assert.deepEqual(
    (await shorter.readControlLog()).map((e) => e.index),
    [1, 2],
  );
  assert.equal(existsSync(controlIndex), true);
  assert.deepEqual(
    loadIndex(controlIndex).lines.map((l) => l.entry?.index),
    [1, 2],
    'the index is rebuilt for the log as it is',
  );
});

test('an index behind the log (another process published) is caught up from the log', async (t) => {
  const root = await seeded(t, 3);
  const { controlIndex } = storeLayout(root);
  const three = readFileSync(controlIndex, 'utf8');
  const writer = await openFsStore(root);
  await writer.publish(publishOf(draft('odd', 99)));
  writeFileSync(controlIndex, three); // as if the writer had not updated the index
  const reader = await openFsStore(root);
  assert.deepEqual(
    (await reader.listPublications('odd')).map((p) => p.seq),
    [1, 2, 3],
  );
  assert.deepEqual(
    loadIndex(controlIndex).lines.map((l) => l.entry?.index),
    [1, 2, 3, 4],
  );
});

test('lines indexed twice by concurrent readers are read once; a torn last line is ignored', async (t) => {
  const root = await seeded(t, 3);
  const { controlIndex } = storeLayout(root);
  const lines = readFileSync(controlIndex, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  writeFileSync(controlIndex, `${lines[0]}\n${lines[1]}\n${lines[1]}\n${lines[0]}\n${lines[2]}\n`);
  appendFileSync(controlIndex, lines[2]!.slice(0, 20));
  assert.deepEqual(
    loadIndex(controlIndex).lines.map((l) => l.entry?.index),
    [1, 2, 3],
  );
  const store = await openFsStore(root);
  assert.deepEqual(
    (await store.readControlLog()).map((e) => e.index),
    [1, 2, 3],
  );
});

test('an edit inside an indexed line that keeps its length is caught when its record is read', async (t) => {
  const root = await seeded(t, 3);
  const { controlLog } = storeLayout(root);
  const text = readFileSync(controlLog, 'utf8');
  const lines = text.split('\n');
  // Same length, different content, in the middle entry's embedded record.
  lines[1] = lines[1]!.replace('"transform":2', '"transform":7');
  assert.notEqual(lines.join('\n'), text);
  writeFileSync(controlLog, lines.join('\n'));
  const store = await openFsStore(root);
  await assert.rejects(store.readControlLog(), /control\.jsonl:2/);
  const report = await store.verify();
  assert.equal(report.ok, false);
});

test('a line of the index damaged on disk, its offsets still fitting the log, is noticed and the index written again', async (t) => {
  // Found by the hostile-input suite: a version id changed inside the index made the store
  // unusable (bad-ref), though the index is only a cache.
  const root = await seeded(t, 4);
  const { controlIndex } = storeLayout(root);
  const expected = await view(await openFsStore(root));
  const good = readFileSync(controlIndex, 'utf8');
  const damaged = good.replace(/"version":"sha256:([0-9a-f]{10})/, '"version":"sha256:$1zz');
  assert.notEqual(damaged, good);
  writeFileSync(controlIndex, damaged);
  assert.equal(loadIndex(controlIndex).damaged, true);
  assert.deepEqual(await view(await openFsStore(root)), expected);
  assert.equal(readFileSync(controlIndex, 'utf8'), good, 'written again from the log, whole');
  assert.equal(loadIndex(controlIndex).damaged, false);
});
