// The checkpoint of the folded control state is a cache: a store opened from it answers exactly
// as one that read the whole log, goes on from it when the log grew, and ignores or repairs it
// when it is damaged or no longer describes the log. Nothing is lost when it is deleted.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { openFsStore, type FsStore } from '../../../../../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../../../../../core/src/node/store/files/layout.js';
import { readCheckpoint } from '../../../../../../core/src/node/store/files/control-checkpoint.js';
import type { Publication } from '../../../../../../core/src/store/records.js';
import { at, draft, publishOf } from '../../../../../helpers/store-drafts.js';
import { tempDir } from '../../../../../helpers/temp.js';

const WORKFLOWS = ['odd', 'even', 'third'];

/** A store with `count` publications over three workflows and two channel changes. */
async function seeded(t: TestContext, count: number): Promise<string> {
  const root = path.join(tempDir(t), '.lockstep');
  const store = await openFsStore(root, { create: true });
  for (let value = 1; value <= count; value++) {
    await store.publish(publishOf(draft(WORKFLOWS[value % 3]!, value)));
  }
  await changeChannel(store, 0, 1);
  await changeChannel(store, 1, 2);
  await store.close();
  // Reading while seeding may have left one behind; each test makes its own.
  rmSync(storeLayout(root).controlCheckpoint, { force: true });
  return root;
}

async function changeChannel(store: FsStore, revision: number, seq: number): Promise<void> {
  const publication = (await store.listPublications('odd'))[seq - 1]!;
  await store.changeChannel({
    workflow: 'odd',
    channel: 'production',
    action: 'promote',
    expectedRevision: revision,
    to: { stable: { version: publication.version, seq } },
    message: `promote v${seq}`,
    at: at(1000 + revision),
    actor: 'cy <cy@example.com>',
  });
}

/** Everything a store says about its control log, through the Store API. */
async function view(root: string): Promise<unknown> {
  const store = await openFsStore(root);
  try {
    const workflows = await store.listWorkflows();
    const byWorkflow: Record<string, unknown> = {};
    for (const name of workflows) {
      const publications = await store.listPublications(name);
      const last = publications.at(-1)!;
      byWorkflow[name] = {
        publications,
        newest: (await store.getVersion(name, last.version))?.id,
        channels: await store.listChannels(name),
      };
    }
    return { workflows, byWorkflow, log: (await store.readControlLog()).map((e) => e.hash) };
  } finally {
    await store.close();
  }
}

/** The view with neither checkpoint nor control-log index: the log read whole. */
async function viewFromLog(root: string): Promise<unknown> {
  const { controlCheckpoint, controlIndex } = storeLayout(root);
  const saved = [controlCheckpoint, controlIndex].map((f) => [f, readFileSync(f)] as const);
  rmSync(controlCheckpoint);
  rmSync(controlIndex);
  const fromLog = await view(root);
  for (const [file, bytes] of saved) writeFileSync(file, bytes);
  return fromLog;
}

test('opening a store past 128 entries writes a checkpoint, and the next open reads it instead of the log index', async (t) => {
  const root = await seeded(t, 300);
  const { controlCheckpoint, controlIndex, controlLog } = storeLayout(root);
  await (await openFsStore(root)).close();
  assert.equal(existsSync(controlCheckpoint), true);
  const checkpoint = readCheckpoint(controlCheckpoint, () => []);
  assert.equal(checkpoint?.position.consumed, readFileSync(controlLog).length);
  assert.equal(checkpoint?.state.count, 302);

  const expected = await viewFromLog(root);
  rmSync(controlIndex);
  assert.deepEqual(await view(root), expected);
  // A full read writes the log index again; an open from the checkpoint does not read it.
  assert.equal(existsSync(controlIndex), false, 'opened from the checkpoint');
});

test('what other processes appended after the checkpoint is read from the log', async (t) => {
  const root = await seeded(t, 200);
  await (await openFsStore(root)).close();
  const before = readFileSync(storeLayout(root).controlCheckpoint);

  const writer = await openFsStore(root);
  for (let value = 1001; value <= 1010; value++) {
    await writer.publish(publishOf(draft(WORKFLOWS[value % 3]!, value)));
  }
  await changeChannel(writer, 2, 5);
  await writer.close();
  assert.deepEqual(readFileSync(storeLayout(root).controlCheckpoint), before, 'not rewritten yet');

  const reader = await openFsStore(root);
  const odd = await reader.listPublications('odd');
  assert.equal(odd.length, 66 + 3);
  assert.equal((await reader.getChannel('odd', 'production'))?.revision, 3);
  // The next seq follows the checkpoint and what came after it.
  const { publication } = await reader.publish(publishOf(draft('odd', 2000)));
  assert.equal(publication.seq, 70);
  await reader.close();
  assert.deepEqual(await view(root), await viewFromLog(root));
});

test('a damaged or foreign checkpoint is ignored and written again; a damaged workflow section is read from the log', async (t) => {
  const root = await seeded(t, 150);
  await (await openFsStore(root)).close();
  const { controlCheckpoint } = storeLayout(root);
  const good = readFileSync(controlCheckpoint);
  const expected = await viewFromLog(root);

  // Garbage, a cut file, a flipped byte in the header: the log is read, the checkpoint rewritten.
  for (const bad of [
    Buffer.from('not a checkpoint'),
    good.subarray(0, good.length - 100),
    flip(good, 60),
  ]) {
    writeFileSync(controlCheckpoint, bad);
    assert.deepEqual(await view(root), expected);
    assert.deepEqual(readFileSync(controlCheckpoint), good, 'written again from the log');
  }

  // A flipped byte in the last section (a workflow's publications): that workflow is read from
  // the log's lines, and the answers are the same.
  writeFileSync(controlCheckpoint, flip(good, good.length - 10));
  assert.deepEqual(await view(root), expected);
  assert.deepEqual(readFileSync(controlCheckpoint), good, 'and the checkpoint is written again');
});

test('a checkpoint of another history (the log was rewritten by a checkout) is not used', async (t) => {
  const root = await seeded(t, 140);
  await (await openFsStore(root)).close();
  const { controlLog, controlCheckpoint } = storeLayout(root);
  const log = readFileSync(controlLog);
  // Keep the first 100 lines, as a checkout of an older commit would.
  let end = 0;
  for (let i = 0; i < 100; i++) end = log.indexOf(10, end) + 1;
  writeFileSync(controlLog, log.subarray(0, end));
  const store = await openFsStore(root);
  const all = (await Promise.all(WORKFLOWS.map((w) => store.listPublications(w)))).flat();
  assert.equal(all.length, 100);
  assert.deepEqual(
    (await store.readControlLog()).map((e) => e.index),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  await store.close();
  const stale = readCheckpoint(controlCheckpoint, () => [])!;
  assert.ok(stale.position.consumed > end, 'left until the log has moved on far enough');
});

test('no checkpoint is written for a log whose chain is broken', async (t) => {
  const root = await seeded(t, 140);
  const { controlLog, controlCheckpoint } = storeLayout(root);
  const lines = readFileSync(controlLog, 'utf8').split('\n');
  lines.splice(5, 1); // entry 6 is gone: 7 no longer links to 5
  writeFileSync(controlLog, lines.join('\n'));
  const store = await openFsStore(root);
  assert.equal((await store.verify()).ok, false);
  await store.close();
  assert.equal(existsSync(controlCheckpoint), false);
});

test('a workflow section is read only when that workflow is asked about', async (t) => {
  const root = await seeded(t, 150);
  await (await openFsStore(root)).close();
  const asked: number[][] = [];
  const checkpoint = readCheckpoint(storeLayout(root).controlCheckpoint, (entries) => {
    asked.push([...entries]);
    return [];
  })!;
  const lastSeqs = Object.fromEntries(checkpoint.publications.lastSeqs);
  assert.deepEqual(lastSeqs, { odd: 50, even: 50, third: 50 });
  const even: readonly Publication[] = checkpoint.publications.publications('even');
  assert.deepEqual(
    even.map((p) => p.seq),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  const third = checkpoint.publications.publications('third').at(-1)!;
  assert.deepEqual(checkpoint.publications.publicationOfVersion(third.version), third);
  assert.deepEqual(asked, [], 'no section was damaged, so nothing was read from the log');
});

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}
