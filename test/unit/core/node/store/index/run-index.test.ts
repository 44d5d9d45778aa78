// The file store's index (local/index.sqlite, kept by a worker thread) must answer history
// queries exactly as a scan of the journals would, catch up with what other writers added,
// follow runs as they finish or are interrupted, and survive being deleted, damaged or outdated.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import initSqlJs, { type Database } from 'sql.js';
import { openFsStore, type FsStore } from '../../../../../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../../../../../core/src/node/store/files/layout.js';
import { RunJournals, runDay } from '../../../../../../core/src/node/store/files/run-journals.js';
import { INDEX_SCHEMA_VERSION } from '../../../../../../core/src/node/store/index/index-database.js';
import type { RoutingDecision } from '../../../../../../core/src/model/runs.js';
import { filterRuns } from '../../../../../../core/src/store/listing.js';
import type { RunQuery } from '../../../../../../core/src/store/store.js';
import { draft, publishOf, at } from '../../../../../helpers/store-drafts.js';
import { runWorkflow, writeJournals } from '../../../../../helpers/journal-fill.js';
import {
  daysAgo,
  deadWriter,
  finishRun,
  recordInterruptedRun,
  recordRun,
  routedBy,
  runHeader,
  startRun,
  versionId,
} from '../../../../../helpers/run-records.js';
import { tempDir } from '../../../../../helpers/temp.js';

/** A new store; closed (index worker stopped) when the test ends. */
async function newStore(t: TestContext): Promise<{ root: string; store: FsStore }> {
  const root = path.join(tempDir(t), '.lockstep');
  const store = await openFsStore(root, { create: true });
  t.after(() => store.close());
  return { root, store };
}

/** Another instance on the same folder, as another process would open it. */
async function reopen(t: TestContext, root: string): Promise<FsStore> {
  const store = await openFsStore(root);
  t.after(() => store.close());
  return store;
}

/** What the plain scan of the journals answers (the reference). */
function scan(root: string, query: RunQuery): ReturnType<typeof filterRuns> {
  return filterRuns(new RunJournals(storeLayout(root).runs).summaries(), query);
}

function scanIds(root: string, prefix: string): string[] {
  return new RunJournals(storeLayout(root).runs)
    .ids()
    .filter((id) => id.startsWith(prefix))
    .sort();
}

const QUERIES: readonly RunQuery[] = [
  {},
  { limit: 1000 },
  { limit: 3 },
  { workflow: 'triage' },
  { workflow: 'triage', limit: 2 },
  { workflow: 'summarize' },
  { workflow: 'nobody' },
  { workflow: 'triage', status: 'failed' },
  { status: 'running' },
  { status: 'interrupted' },
  { status: 'succeeded', limit: 4 },
  { version: versionId('triage-v2') },
  { workflow: 'triage', version: versionId('triage-v2'), status: 'succeeded' },
  { workflow: 'triage', channel: 'production' },
  { workflow: 'triage', version: versionId('triage-v2'), channel: 'production' },
  { workflow: 'triage', channel: 'production', limit: 1 },
  { channel: 'staging' },
  { channel: 'canary' },
  { limit: 0 },
];

/**
 * Every query answered by the index itself (not the store's fallback to the scan) equals the
 * scan's answer; returns how many runs the broadest query saw.
 */
async function assertMatchesScan(store: FsStore, root: string): Promise<number> {
  for (const query of QUERIES) {
    assert.deepEqual(
      await store.index.listRuns(query),
      scan(root, query),
      `listRuns(${JSON.stringify(query)})`,
    );
  }
  const all = scanIds(root, '');
  const prefixes = ['', '0', 'f', 'zz', ...all.slice(0, 3).flatMap((id) => [id.slice(0, 8), id])];
  for (const prefix of prefixes) {
    assert.deepEqual(await store.index.findRunIds(prefix), scanIds(root, prefix), `'${prefix}'`);
  }
  return (await store.index.listRuns({ limit: 100_000 })).length;
}

/**
 * A store with several workflows, versions, modes and every status, over several days: returns
 * the writer of the run left running (the caller finishes it or leaves it).
 */
async function populate(
  store: FsStore,
): Promise<{ running: Awaited<ReturnType<typeof startRun>> }> {
  const triage2 = { id: versionId('triage-v2'), seq: 2 };
  const parent = await recordRun(store, { workflow: 'triage', at: daysAgo(3) });
  await recordRun(store, { workflow: 'triage', at: daysAgo(3, 1000), version: triage2 });
  await recordRun(store, { workflow: 'triage', at: daysAgo(2), version: triage2 }, 'failed');
  await recordRun(
    store,
    { workflow: 'polite-reply', at: daysAgo(2, 500), parent: { run: parent, step: 'draft' } },
    'succeeded',
  );
  await recordRun(
    store,
    {
      workflow: 'summarize',
      at: daysAgo(1),
      version: { id: versionId('summarize-snapshot') },
      mode: { kind: 'scripted', fixtures: versionId('fixtures') },
    },
    'cancelled',
  );
  await recordInterruptedRun(store, { workflow: 'triage', at: daysAgo(1, 2000) });
  // Two runs started in the same millisecond: ordered by id.
  const same = daysAgo(1, 3000);
  await recordRun(store, { workflow: 'triage', at: same, version: triage2 });
  await recordRun(store, { workflow: 'triage', at: same, version: triage2 });
  // Runs a channel routed: to the stable version and the candidate, bucket 0, another channel.
  const triage1 = { id: versionId('triage'), seq: 1 };
  await recordRun(store, {
    workflow: 'triage',
    at: daysAgo(1, 4000),
    version: triage1,
    routing: routedBy('production', 0, 'stable', triage1.id),
  });
  await recordRun(
    store,
    {
      workflow: 'triage',
      at: daysAgo(1, 5000),
      version: triage2,
      routing: routedBy('production', 9876, 'candidate', triage2.id),
    },
    'failed',
  );
  await recordInterruptedRun(store, {
    workflow: 'summarize',
    at: daysAgo(1, 6000),
    routing: routedBy('staging', 17, 'candidate', versionId('summarize')),
  });
  // A hand-edited decision (fields of other types): the scan lists the run without routing.
  const edited = runHeader({ workflow: 'triage', at: daysAgo(1, 7000), version: triage1 });
  const routing = { channel: 7, bucket: '12', target: 'both' } as unknown as RoutingDecision;
  await finishRun(await store.createRun({ ...edited, routing }), 'succeeded', daysAgo(1, 7000));
  const running = await startRun(store, {
    workflow: 'summarize',
    at: new Date(),
    routing: routedBy('production', 4123, 'stable', versionId('summarize')),
  });
  return { running };
}

/** The routed runs `populate` recorded, as listings summarise them. */
const POPULATED_ROUTING = [
  { channel: 'production', bucket: 4123, target: 'stable' },
  { channel: 'staging', bucket: 17, target: 'candidate' },
  { channel: 'production', bucket: 9876, target: 'candidate' },
  { channel: 'production', bucket: 0, target: 'stable' },
];

/** A populated store whose index file was written and closed; `before` is what it listed. */
async function populatedIndexFile(
  t: TestContext,
): Promise<{ root: string; before: Awaited<ReturnType<FsStore['listRuns']>> }> {
  const { root, store } = await newStore(t);
  await populate(store).then(({ running }) => t.after(() => running.writer.close()));
  const before = await store.index.listRuns({ limit: 100 });
  await store.close();
  return { root, before };
}

/** Changes the index file of the store at `root` as another Lockstep (or a person) might. */
async function editIndexFile(root: string, edit: (db: Database) => void): Promise<void> {
  const file = storeLayout(root).index;
  const sql = await initSqlJs({
    locateFile: (f: string) => createRequire(import.meta.url).resolve(`sql.js/dist/${f}`),
  });
  const db = new sql.Database(readFileSync(file));
  try {
    edit(db);
    writeFileSync(file, db.export());
  } finally {
    db.close();
  }
}

describe('the run index', () => {
  test('built from scratch, it answers exactly as the scan', async (t) => {
    const { root, store } = await newStore(t);
    const { running } = await populate(store);
    t.after(() => running.writer.close());
    assert.equal(await assertMatchesScan(store, root), 13);
    const routed = (await store.index.listRuns({ limit: 100 })).filter((r) => r.routing);
    assert.deepEqual(
      routed.map((r) => r.routing),
      POPULATED_ROUTING,
    );
    const statuses = new Set((await store.listRuns({ limit: 100 })).map((r) => r.status));
    assert.deepEqual([...statuses].sort(), [
      'cancelled',
      'failed',
      'interrupted',
      'running',
      'succeeded',
    ]);
    const stats = await store.index.stats();
    assert.equal(stats.opened, 'created');
    assert.equal(stats.runs, 13);
    assert.equal(stats.openRuns, 3, 'the running and the interrupted runs');
  });

  test('a fresh process reading the index file answers the same', async (t) => {
    const { root, store } = await newStore(t);
    const { running } = await populate(store);
    t.after(() => running.writer.close());
    await assertMatchesScan(store, root);
    await store.close();
    assert.ok(existsSync(storeLayout(root).index), 'closing wrote the index file');
    assert.deepEqual(
      readdirSync(storeLayout(root).local).filter((f) => f.startsWith('.tmp-')),
      [],
      'no temporary file left',
    );

    const again = await reopen(t, root);
    await assertMatchesScan(again, root);
    assert.equal((await again.index.stats()).opened, 'loaded');
  });

  test('catches up with runs another store instance adds, reading only what changed', async (t) => {
    const { root, store } = await newStore(t);
    for (let day = 10; day >= 1; day--) {
      await recordRun(store, { workflow: 'triage', at: daysAgo(day) });
      await recordRun(store, { workflow: 'summarize', at: daysAgo(day, 60_000) });
    }
    // Day folders last changed a while ago, so their times are trusted.
    const past = new Date(Date.now() - 60_000);
    for (const day of readdirSync(storeLayout(root).runs)) {
      utimesSync(path.join(storeLayout(root).runs, day), past, past);
    }
    assert.equal(await assertMatchesScan(store, root), 20);
    await store.index.listRuns({});
    assert.equal((await store.index.stats()).lastCatchUp.daysListed, 0, 'nothing changed');

    // Another writer (as another process would) adds a run to an existing day.
    const other = await reopen(t, root);
    const added = await recordRun(other, { workflow: 'triage', at: daysAgo(4, 5000) });
    const [newest] = await store.index
      .listRuns({ workflow: 'triage', limit: 100 })
      .then((runs) => runs.filter((r) => r.id === added));
    assert.equal(newest?.status, 'succeeded');
    const { lastCatchUp } = await store.index.stats();
    assert.equal(lastCatchUp.daysListed, 1, 'only the day folder that changed was listed');
    assert.equal(lastCatchUp.journalsRead, 1, 'only the new journal was read');
    assert.equal(lastCatchUp.runsAdded, 1);
    assert.equal(await assertMatchesScan(store, root), 21);
  });

  test('a running run shows as running, then as finished once it finishes', async (t) => {
    const { root, store } = await newStore(t);
    const { id, writer } = await startRun(store, { workflow: 'triage' });
    assert.equal((await store.index.listRuns({}))[0]?.status, 'running');
    await assertMatchesScan(store, root);

    await writer.append({ type: 'step-started', path: 'late', step: 'late', at: at(5) });
    assert.equal((await store.index.listRuns({}))[0]?.status, 'running');
    await finishRun(writer, 'failed');
    const [finished] = await store.index.listRuns({});
    assert.equal(finished?.id, id);
    assert.equal(finished?.status, 'failed');
    assert.ok(finished?.finishedAt, 'with its finishing time');
    assert.equal((await store.index.stats()).openRuns, 0, 'finished runs are not re-read');
    await assertMatchesScan(store, root);
  });

  test('a run whose writer stops beating its heart turns interrupted', async (t) => {
    const { root, store } = await newStore(t);
    // A writer on another machine: only its heartbeat (the journal's time) tells it is alive.
    const { id, writer } = await startRun(store, {
      workflow: 'triage',
      writer: { pid: 1, host: 'another-machine.example' },
    });
    t.after(() => writer.close());
    assert.equal((await store.index.listRuns({}))[0]?.status, 'running');
    await writer.close(); // stops the heartbeat without finishing the run
    const file = new RunJournals(storeLayout(root).runs).file(id);
    const stale = new Date(Date.now() - 60_000);
    utimesSync(file, stale, stale);
    assert.equal((await store.index.listRuns({}))[0]?.status, 'interrupted');
    await assertMatchesScan(store, root);
  });

  test('a journal not readable yet is left out, then listed once it is', async (t) => {
    const { root, store } = await newStore(t);
    await recordRun(store, { workflow: 'triage', at: daysAgo(1) });
    const { id, writer } = await startRun(store, { workflow: 'triage' }, 0);
    await finishRun(writer);
    const file = new RunJournals(storeLayout(root).runs).file(id);
    const whole = readFileSync(file);
    // The header line cut short, as a writer killed mid-write would leave it.
    writeFileSync(file, whole.subarray(0, 40));
    assert.deepEqual(
      (await store.index.listRuns({})).map((r) => r.id),
      scan(root, {}).map((r) => r.id),
    );
    assert.equal((await store.index.listRuns({})).length, 1);
    assert.deepEqual(await store.index.findRunIds(id), [id], 'its id is known all the same');
    writeFileSync(file, whole);
    assert.equal((await store.index.listRuns({})).length, 2);
    await assertMatchesScan(store, root);
  });

  test('a deleted journal and a deleted day folder leave the index', async (t) => {
    const { root, store } = await newStore(t);
    const first = await recordRun(store, { workflow: 'triage', at: daysAgo(2) });
    const second = await recordRun(store, { workflow: 'triage', at: daysAgo(1) });
    await recordRun(store, { workflow: 'triage', at: daysAgo(1, 1000) });
    assert.equal(await assertMatchesScan(store, root), 3);
    const journals = new RunJournals(storeLayout(root).runs);
    const { rmSync } = await import('node:fs');
    rmSync(journals.file(second));
    assert.equal(await assertMatchesScan(store, root), 2);
    rmSync(path.join(storeLayout(root).runs, runDay(first)), { recursive: true });
    assert.equal(await assertMatchesScan(store, root), 1);
  });

  for (const [what, damage] of [
    ['deleted', (file: string) => import('node:fs').then((fs) => fs.rmSync(file))],
    [
      'replaced by garbage',
      async (file: string) => writeFileSync(file, 'not a database\n'.repeat(500)),
    ],
    [
      'cut in half',
      async (file: string) => {
        const bytes = readFileSync(file);
        writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      },
    ],
    ['emptied', async (file: string) => writeFileSync(file, '')],
  ] as const) {
    test(`an index file ${what} is rebuilt from the journals, nothing lost`, async (t) => {
      const { root, store } = await newStore(t);
      const { running } = await populate(store);
      t.after(() => running.writer.close());
      const before = await store.index.listRuns({ limit: 100 });
      await store.close();
      const file = storeLayout(root).index;
      assert.ok(existsSync(file));
      await damage(file);

      const again = await reopen(t, root);
      assert.deepEqual(await again.index.listRuns({ limit: 100 }), before);
      await assertMatchesScan(again, root);
      const { opened } = await again.index.stats();
      assert.ok(opened !== 'loaded', `rebuilt (${opened})`);
      await again.close();
      const third = await reopen(t, root);
      await assertMatchesScan(third, root);
      assert.equal((await third.index.stats()).opened, 'loaded', 'the rebuilt index was written');
    });
  }

  test('an index file of another schema version is rebuilt', async (t) => {
    const { root, before } = await populatedIndexFile(t);
    // Rewrite the file as a different Lockstep would have: same tables, another schema number,
    // and a run row that the journals do not have (so serving it would show).
    await editIndexFile(root, (db) => {
      db.run("UPDATE meta SET value = ? WHERE key = 'schema'", [INDEX_SCHEMA_VERSION + 1]);
      db.run('DELETE FROM runs');
    });

    const again = await reopen(t, root);
    assert.deepEqual(await again.index.listRuns({ limit: 100 }), before);
    assert.equal((await again.index.stats()).opened, 'rebuilt-schema');
    await assertMatchesScan(again, root);
  });

  test('an index file of the schema before routing is rebuilt, and lists routing', async (t) => {
    const { root, before } = await populatedIndexFile(t);
    // The file as the previous Lockstep left it: schema 2 (the last without routing; a file in
    // the wild says 2, so a schema that did not move on from it would load it), and runs rows
    // without the routing columns (kept: served as they are, they would list no routing).
    await editIndexFile(root, (db) => {
      db.run("UPDATE meta SET value = 2 WHERE key = 'schema'");
      for (const column of ['channel', 'bucket', 'candidate']) {
        db.run(`ALTER TABLE runs DROP COLUMN ${column}`);
      }
      assert.equal(db.exec('SELECT count(*) FROM runs')[0]?.values[0]?.[0], 13, 'rows kept');
    });

    const again = await reopen(t, root);
    const listed = await again.index.listRuns({ limit: 100 });
    assert.deepEqual(listed, before);
    assert.deepEqual(
      listed.filter((r) => r.routing).map((r) => r.routing),
      POPULATED_ROUTING,
    );
    assert.equal((await again.index.stats()).opened, 'rebuilt-schema');
    await assertMatchesScan(again, root);
  });

  test('a day folder changed moments before its listing is listed again next time', async (t) => {
    const { root, store } = await newStore(t);
    await recordRun(store, { workflow: 'triage' });
    await store.index.listRuns({});
    // The folder's time is too close to the listing to be trusted (a journal created in the same
    // clock tick would not change it): listed again although its time did not change.
    await store.index.listRuns({});
    assert.equal((await store.index.stats()).lastCatchUp.daysListed, 1);
    const dir = path.join(storeLayout(root).runs, readdirSync(storeLayout(root).runs)[0]!);
    const past = new Date(Date.now() - 60_000);
    utimesSync(dir, past, past);
    await store.index.listRuns({});
    assert.equal((await store.index.stats()).lastCatchUp.daysListed, 1, 'its time changed');
    await store.index.listRuns({});
    assert.equal((await store.index.stats()).lastCatchUp.daysListed, 0, 'now trusted');
    await assertMatchesScan(store, root);
  });

  test('the thread that asks keeps running while the index is rebuilt', async (t) => {
    const { root, store } = await newStore(t);
    writeJournals(storeLayout(root).runs, 0, 2_000, {
      origin: Date.now() - 30 * 86_400_000,
      spacingMs: 600_000,
      writer: deadWriter(),
    });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const started = performance.now();
    const runs = await store.listRuns({ workflow: runWorkflow(3), limit: 50 });
    const elapsed = performance.now() - started;
    clearInterval(ticker);
    assert.equal(runs.length, 50);
    assert.equal((await store.index.stats()).runs, 2_000);
    // Reading 2 000 journals takes a while; a rebuild on this thread would leave no tick at all.
    assert.ok(
      ticks >= Math.min(20, elapsed / 20),
      `${ticks} timer ticks in ${elapsed.toFixed(0)} ms`,
    );
  });

  test('an index file that cannot be written leaves queries working', async (t) => {
    const { root, store } = await newStore(t);
    // A folder where the file should be: every write of the index fails.
    mkdirSync(storeLayout(root).index, { recursive: true });
    await recordRun(store, { workflow: 'triage' });
    await assertMatchesScan(store, root);
    await assert.rejects(store.index.flush());
    await store.close(); // never throws: the index is only a cache
    const again = await reopen(t, root);
    await assertMatchesScan(again, root);
  });

  test('without its index the store answers from the journals', async (t) => {
    const { root, store } = await newStore(t);
    const id = await recordRun(store, { workflow: 'triage' });
    await store.index.close();
    assert.deepEqual(
      await store.listRuns({ workflow: 'triage' }),
      scan(root, { workflow: 'triage' }),
    );
    assert.deepEqual(await store.findRunIds(id.slice(0, 8)), [id]);
  });

  test('listRuns and findRunIds of the store use the index', async (t) => {
    const { root, store } = await newStore(t);
    await recordRun(store, { workflow: 'triage' });
    const [run] = await store.listRuns({ workflow: 'triage' });
    assert.ok(run);
    assert.deepEqual(await store.findRunIds(run.id.slice(0, 8)), [run.id]);
    const stats = await store.index.stats();
    assert.equal(stats.runs, 1, 'the index answered (a fallback scan would leave it empty)');
    await store.close();
    assert.ok(existsSync(storeLayout(root).index));
  });
});

describe('the version index', () => {
  test('lists versions as listVersions does, and catches up with publications', async (t) => {
    const { root, store } = await newStore(t);
    for (const value of [1, 2, 3]) {
      await store.saveVersion(draft('triage', value, { createdAt: at(value) }));
    }
    await store.publish(publishOf(draft('triage', 2), { message: 'ship 2', at: at(20) }));
    await store.publish(publishOf(draft('triage', 7), { message: 'ship 7', at: at(21) }));
    await store.saveVersion(draft('other', 1));
    assert.deepEqual(await store.index.listVersions('triage'), await store.listVersions('triage'));
    assert.deepEqual(await store.index.listVersions('other'), await store.listVersions('other'));
    assert.deepEqual(await store.index.listVersions('nobody'), []);

    const other = await reopen(t, root);
    await other.publish(publishOf(draft('triage', 3), { message: 'ship 3', at: at(22) }));
    await other.saveVersion(draft('triage', 9, { createdAt: at(9) }));
    const listed = await store.index.listVersions('triage');
    assert.deepEqual(listed, await store.listVersions('triage'));
    assert.equal(listed.filter((v) => v.publication).length, 3);
    assert.equal((await store.index.stats()).versions, 6);
  });
});
