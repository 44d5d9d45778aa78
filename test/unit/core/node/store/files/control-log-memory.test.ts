// What the file store keeps in memory about its control log, and that keeping it there changes
// nothing a reader or a publisher sees: records stay on disk, and the last line (served from
// memory) is still checked against the file before the chain is extended.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { StoreError } from '../../../../../../core/src/model/errors.js';
import { contentId } from '../../../../../../core/src/hash/canonical.js';
import { ControlLogFile } from '../../../../../../core/src/node/store/files/control-log-file.js';
import { openFsStore } from '../../../../../../core/src/node/store/fs-store.js';
import { controlLogPath } from '../../../../../helpers/store-files.js';
import { at, definition, draft, publishOf } from '../../../../../helpers/store-drafts.js';
import { tempDir } from '../../../../../helpers/temp.js';

test('the log index holds entry heads, while readers still get whole records', async (t) => {
  const root = path.join(tempDir(t), '.lockstep');
  const store = await openFsStore(root, { create: true });
  for (const value of [1, 2, 3]) {
    await store.publish(publishOf(draft('triage', value), { message: `ship ${value}` }));
  }

  const delta = await new ControlLogFile(controlLogPath(root)).readNew();
  assert.deepEqual(
    delta.lines.map((l) => (l.entry?.type === 'publish' ? l.entry.seq : undefined)),
    [1, 2, 3],
  );
  for (const line of delta.lines) assert.equal('record' in (line.entry ?? {}), false);

  // The newest record (the last line, read from memory) and an older one (read from the file),
  // by the store that wrote them and by a fresh one.
  for (const reader of [store, await openFsStore(root)]) {
    for (const value of [3, 1]) {
      const record = await reader.getVersion('triage', contentId(definition('triage', value)));
      assert.deepEqual(record?.definition, definition('triage', value));
    }
    assert.deepEqual(
      (await reader.readControlLog()).map((e) => (e.type === 'publish' ? e.record.definition : e)),
      [1, 2, 3].map((value) => definition('triage', value)),
    );
  }
});

test('a long-lived store refuses to extend a chain whose last line was edited in place', async (t) => {
  const root = path.join(tempDir(t), '.lockstep');
  const store = await openFsStore(root, { create: true });
  for (const value of [1, 2]) {
    await store.publish(publishOf(draft('triage', value), { message: `ship ${value}` }));
  }
  // Same length, so only the bytes of the last line differ from what the store wrote.
  const log = controlLogPath(root);
  const text = readFileSync(log, 'utf8');
  assert.equal(text.split('"message":"ship 2"').length, 2);
  writeFileSync(log, text.replace('"message":"ship 2"', '"message":"ship 9"'));

  await assert.rejects(
    store.publish(publishOf(draft('triage', 3), { at: at(3) })),
    (error: unknown) => {
      assert.ok(error instanceof StoreError, String(error));
      assert.equal(error.code, 'broken-control-log');
      assert.match(error.message, /last entry was changed/);
      return true;
    },
  );
  assert.equal(readFileSync(log, 'utf8').split('\n').length - 1, 2, 'nothing was appended');
  const report = await store.verify();
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.problems.filter((p) => p.severity === 'error').map((p) => p.line),
    [2],
  );
});
