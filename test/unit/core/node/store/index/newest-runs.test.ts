// The newest-runs file answers a fresh process's first page of runs without the index worker:
// exactly as a scan of the journals would, after catching up with what changed since the worker
// wrote it, and it declines (the worker answers) whenever it cannot be sure.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { openFsStore, type FsStore } from '../../../../../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../../../../../core/src/node/store/files/layout.js';
import { RunJournals } from '../../../../../../core/src/node/store/files/run-journals.js';
import { listNewestRuns } from '../../../../../../core/src/node/store/index/newest-runs.js';
import { filterRuns } from '../../../../../../core/src/store/listing.js';
import type { RunQuery } from '../../../../../../core/src/store/store.js';
import { runWorkflow, writeJournals } from '../../../../../helpers/journal-fill.js';
import { daysAgo, finishRun, recordRun, startRun } from '../../../../../helpers/run-records.js';
import { tempDir } from '../../../../../helpers/temp.js';

const DAY = 86_400_000;
const PAGES: readonly RunQuery[] = [
  {},
  { limit: 3 },
  { limit: 100 },
  { limit: 0 },
  { workflow: runWorkflow(3) },
  { workflow: runWorkflow(3), limit: 7 },
  { workflow: 'triage' },
  { workflow: 'nobody' },
];

function scan(root: string, query: RunQuery): ReturnType<typeof filterRuns> {
  return filterRuns(new RunJournals(storeLayout(root).runs).summaries(), query);
}

function fromFile(root: string, query: RunQuery): ReturnType<typeof filterRuns> | undefined {
  const layout = storeLayout(root);
  return listNewestRuns(layout.newestRuns, layout.runs, query);
}

/** Every page, answered from the file (not declined), equals the scan. */
function assertPagesMatchScan(root: string, pages: readonly RunQuery[] = PAGES): void {
  for (const query of pages) {
    const answer = fromFile(root, query);
    assert.ok(answer, `answered from the file: ${JSON.stringify(query)}`);
    assert.deepEqual(answer, scan(root, query), JSON.stringify(query));
  }
}

/** Marks every day folder as last changed a minute ago (times the index trusts). */
function settleDays(root: string): void {
  const runs = storeLayout(root).runs;
  const past = new Date(Date.now() - 60_000);
  for (const day of readdirSync(runs)) utimesSync(path.join(runs, day), past, past);
}

/**
 * 600 runs of 20 workflows over the last 10 days, one left running by this process; the index
 * worker caught up and wrote its files when the store closed.
 */
async function written(t: TestContext): Promise<{ root: string; running: RunningRun }> {
  const root = path.join(tempDir(t), '.lockstep');
  const store = await openFsStore(root, { create: true });
  writeJournals(storeLayout(root).runs, 0, 600, {
    origin: Date.now() - 10 * DAY,
    spacingMs: (10 * DAY - 3_600_000) / 600,
    writer: { pid: 999_999, host: 'gone.example' },
  });
  const running = await startRun(store, { workflow: 'triage', at: new Date() });
  t.after(() => running.writer.close());
  settleDays(root);
  await store.index.listRuns({ limit: 1 });
  await store.close();
  return { root, running };
}

type RunningRun = Awaited<ReturnType<typeof startRun>>;

async function reopen(t: TestContext, root: string): Promise<FsStore> {
  const store = await openFsStore(root);
  t.after(() => store.close());
  return store;
}

describe('the newest-runs file', () => {
  test('written with the index, it answers every plain page as the scan, without the worker', async (t) => {
    const { root } = await written(t);
    assertPagesMatchScan(root);
    for (const query of PAGES) {
      const store = await reopen(t, root);
      assert.deepEqual(await store.listRuns(query), scan(root, query));
      assert.equal(store.index.workerStarted, false, 'the first listing needs no worker');
      await store.close();
    }
  });

  test("a store's later listings go to the worker, which keeps up off the thread that asks", async (t) => {
    const { root } = await written(t);
    const store = await reopen(t, root);
    assert.deepEqual(await store.listRuns({ limit: 5 }), scan(root, { limit: 5 }));
    assert.equal(store.index.workerStarted, false);
    assert.deepEqual(await store.listRuns({ limit: 5 }), scan(root, { limit: 5 }));
    assert.equal(store.index.workerStarted, true);
  });

  test('declines queries it cannot answer, and the worker answers them', async (t) => {
    const { root } = await written(t);
    for (const query of [
      { limit: 101 },
      { status: 'failed' },
      { workflow: runWorkflow(1), mode: 'live' },
      { channel: 'production' },
      { limit: 2.5 },
    ] as RunQuery[]) {
      assert.equal(fromFile(root, query), undefined, JSON.stringify(query));
    }
    const store = await reopen(t, root);
    assert.deepEqual(await store.listRuns({ status: 'failed' }), scan(root, { status: 'failed' }));
    assert.equal(store.index.workerStarted, true);
  });

  test('catches up with runs recorded since, in the newest day and in a new one', async (t) => {
    const { root } = await written(t);
    const other = await reopen(t, root);
    const today = await recordRun(other, { workflow: runWorkflow(3), at: new Date() });
    const tomorrow = await recordRun(other, {
      workflow: 'triage',
      at: new Date(Date.now() + DAY),
    });
    assertPagesMatchScan(root);
    assert.equal(fromFile(root, {})?.[0]?.id, tomorrow);
    assert.equal(fromFile(root, { workflow: runWorkflow(3) })?.[0]?.id, today);
  });

  test('follows an open run as it finishes, and one whose writer is gone turns interrupted', async (t) => {
    const { root, running } = await written(t);
    assert.equal(fromFile(root, { workflow: 'triage' })?.[0]?.status, 'running');
    await finishRun(running.writer, 'failed');
    assertPagesMatchScan(root);
    assert.equal(fromFile(root, { workflow: 'triage' })?.[0]?.status, 'failed');
  });

  test('a run that was running when the file was written, whose writer stopped, is interrupted', async (t) => {
    const root = path.join(tempDir(t), '.lockstep');
    const store = await openFsStore(root, { create: true });
    await recordRun(store, { workflow: 'triage', at: daysAgo(1) });
    const remote = await startRun(store, {
      workflow: 'triage',
      writer: { pid: 1, host: 'another-machine.example' },
    });
    settleDays(root);
    await store.index.listRuns({ limit: 1 });
    await store.close();
    assert.equal(fromFile(root, {})?.[0]?.status, 'running');
    await remote.writer.close(); // its heartbeat stops
    const stale = new Date(Date.now() - 60_000);
    utimesSync(new RunJournals(storeLayout(root).runs).file(remote.id), stale, stale);
    assert.equal(fromFile(root, {})?.[0]?.status, 'interrupted');
    assertPagesMatchScan(root);
  });

  test('runs removed since (a journal, an old day folder) leave the answers', async (t) => {
    const { root } = await written(t);
    const journals = new RunJournals(storeLayout(root).runs);
    const newest = scan(root, { workflow: runWorkflow(3) })[0]!.id;
    rmSync(journals.file(newest));
    const days = readdirSync(storeLayout(root).runs).sort();
    rmSync(path.join(storeLayout(root).runs, days[0]!), { recursive: true });
    // A full page of 100 is declined: one of the 100 saved runs went (see the next tests).
    assertPagesMatchScan(
      root,
      PAGES.filter((q) => q.limit !== 100),
    );
    assert.notEqual(fromFile(root, { workflow: runWorkflow(3) })?.[0]?.id, newest);
  });

  test('declines when an older day folder changed, when there is much to read, or when too many saved runs went', async (t) => {
    const { root } = await written(t);
    const runsRoot = storeLayout(root).runs;
    const days = readdirSync(runsRoot).sort();
    const store = await reopen(t, root);

    // A run imported into an old day (its folder's journals are not in the file).
    await recordRun(store, { workflow: runWorkflow(3), at: new Date(Date.parse(days[1]!) + 1000) });
    assert.equal(fromFile(root, {}), undefined, 'an older day folder changed');
    assert.deepEqual(await store.listRuns({}), scan(root, {}), 'the worker answers');
    await store.close();

    // Once the folder's time is trusted, the worker's next catch-up writes the file again.
    settleDays(root);
    const again = await reopen(t, root);
    await again.listRuns({ status: 'failed' });
    await again.close();
    assertPagesMatchScan(root);

    // 70 new journals: more than a reader catches up with.
    writeJournals(runsRoot, 10_000, 10_070, {
      origin: Date.now() - 1000,
      spacingMs: 1,
      writer: { pid: 999_999, host: 'gone.example' },
    });
    assert.equal(fromFile(root, {}), undefined, 'too many new journals');
  });

  test('declines when so many of the saved runs were removed that older ones may be among the newest', async (t) => {
    const { root } = await written(t);
    const journals = new RunJournals(storeLayout(root).runs);
    for (const run of scan(root, { limit: 60 })) rmSync(journals.file(run.id));
    assert.equal(fromFile(root, { limit: 50 }), undefined, '40 saved runs left, 50 asked for');
    assert.deepEqual(fromFile(root, { limit: 40 }), scan(root, { limit: 40 }));
  });

  test('a damaged file is not used; the answers stay right', async (t) => {
    const { root } = await written(t);
    const file = storeLayout(root).newestRuns;
    const good = readFileSync(file);
    for (const at of [40, good.length - 5]) {
      const bad = Buffer.from(good);
      bad[at] = bad[at]! ^ 0xff;
      writeFileSync(file, bad);
      for (const query of PAGES) {
        const answer = fromFile(root, query);
        if (answer) assert.deepEqual(answer, scan(root, query));
      }
      const store = await reopen(t, root);
      assert.deepEqual(await store.listRuns({}), scan(root, {}));
      await store.close();
    }
    writeFileSync(file, 'garbage');
    assert.equal(fromFile(root, {}), undefined);
  });
});
