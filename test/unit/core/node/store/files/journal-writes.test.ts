// How run journals reach the disk: events appended in one turn go out together, each append
// resolving once its event is in the file; syncs write what is pending first; and new journals
// in one folder share folder syncs without any of them waiting on a sync that began too early.
import assert from 'node:assert/strict';
import fs, { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { StoreError, TamperedError } from '../../../../../../core/src/model/errors.js';
import { SharedFolderSyncs } from '../../../../../../core/src/node/store/files/atomic-file.js';
import { RunJournals } from '../../../../../../core/src/node/store/files/run-journals.js';
import {
  RUN_FORMAT,
  type RunEvent,
  type RunHeader,
} from '../../../../../../core/src/model/runs.js';
import { tempDir } from '../../../../../helpers/temp.js';

function header(id: string): RunHeader {
  return {
    format: RUN_FORMAT,
    id,
    workflow: 'triage',
    version: { id: `sha256:${'0'.repeat(64)}` },
    mode: { kind: 'live' },
    input: {},
    engine: { version: '0.0.0' },
    startedAt: '2026-01-01T00:00:00.000Z',
    writer: { pid: process.pid, host: 'test' },
  };
}

const RUN_ID = '01941f29-7c00-7000-8000-000000000001';

function started(step: string): RunEvent {
  return { type: 'step-started', path: step, step, at: '2026-01-01T00:00:01.000Z' };
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').trimEnd().split('\n');
}

describe('run journal writes', () => {
  test('appends made together resolve with their events in the file, in order', async (t) => {
    const journals = new RunJournals(path.join(tempDir(t), 'runs'));
    const writer = await journals.create(header(RUN_ID));
    const file = journals.file(RUN_ID);
    const appended = ['a', 'b', 'c'].map((step) => writer.append(started(step)));
    await appended[0];
    // The first append resolving means all three (appended in the same turn) are written.
    assert.deepEqual(
      lines(file).map((line) => (JSON.parse(line) as { type: string; path?: string }).path),
      [undefined, 'a', 'b', 'c'],
    );
    await Promise.all(appended);
    await writer.close();
  });

  test('sync and close write pending events before syncing', async (t) => {
    const journals = new RunJournals(path.join(tempDir(t), 'runs'));
    const writer = await journals.create(header(RUN_ID));
    const file = journals.file(RUN_ID);
    const pending = writer.append(started('a'));
    await writer.sync(); // in the same turn as the append: the event must not be left behind
    assert.equal(lines(file).length, 2);
    await pending;
    void writer.append(started('b'));
    await writer.close();
    assert.equal(lines(file).length, 3);
    assert.equal(journals.read(RUN_ID)?.header.id, RUN_ID, 'it reads back as a run');
  });
});

/**
 * Replaces `fs.writeSync` (for the journal writer too: its named import is refreshed) for the
 * rest of the test: `wrap` gets the real one.
 */
function interceptWrites(t: TestContext, wrap: (real: typeof fs.writeSync) => typeof fs.writeSync) {
  const real = fs.writeSync;
  fs.writeSync = wrap(real);
  syncBuiltinESMExports();
  t.after(() => {
    fs.writeSync = real;
    syncBuiltinESMExports();
  });
}

describe('run journal headers and failed writes', () => {
  test('the header goes out in the same write as the first events', async (t) => {
    const journals = new RunJournals(path.join(tempDir(t), 'runs'));
    let writes = 0;
    interceptWrites(
      t,
      (real) =>
        ((...args: Parameters<typeof real>) => {
          writes++;
          return real(...args);
        }) as typeof real,
    );
    const writer = await journals.create(header(RUN_ID));
    const file = journals.file(RUN_ID);
    assert.equal(readFileSync(file, 'utf8'), '', 'nothing written yet in this turn');
    await Promise.all(['a', 'b'].map((step) => writer.append(started(step))));
    assert.equal(writes, 1);
    assert.equal(lines(file).length, 3);
    await writer.close();
    assert.equal(writes, 1);
  });

  test('a journal without events still gets its header by the end of the turn', async (t) => {
    const journals = new RunJournals(path.join(tempDir(t), 'runs'));
    const writer = await journals.create(header(RUN_ID));
    // Before then, a reader is told the run is starting (not that the file is damaged).
    assert.throws(
      () => journals.read(RUN_ID),
      (error: unknown) => error instanceof StoreError && error.code === 'starting-run',
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(journals.read(RUN_ID)?.status, 'running');
    await writer.close();
    assert.equal(lines(journals.file(RUN_ID)).length, 1);
  });

  test('after a failed write every later event is refused: no gap in the journal', async (t) => {
    const journals = new RunJournals(path.join(tempDir(t), 'runs'));
    const writer = await journals.create(header(RUN_ID));
    let failNext = false;
    interceptWrites(
      t,
      (real) =>
        ((...args: Parameters<typeof real>) => {
          if (failNext) {
            failNext = false;
            throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
          }
          return real(...args);
        }) as typeof real,
    );
    await writer.append(started('a'));
    failNext = true;
    await assert.rejects(writer.append(started('b')), /EIO/);
    // The disk is fine again, but 'c' after a lost 'b' would be a journal with a gap.
    await assert.rejects(writer.append(started('c')), /EIO/);
    await assert.rejects(writer.sync(), /EIO/);
    await assert.rejects(writer.close(), /EIO/);
    assert.deepEqual(
      lines(journals.file(RUN_ID)).map((line) => (JSON.parse(line) as { path?: string }).path),
      [undefined, 'a'],
    );
  });
});

test('a journal whose folder cannot be synced is not started, and its file is closed', async (t) => {
  const failing = new SharedFolderSyncs(async () => {
    throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  });
  const journals = new RunJournals(path.join(tempDir(t), 'runs'), failing);
  const openFiles = (): number => readdirSync('/proc/self/fd').length;
  const before = openFiles();
  await assert.rejects(journals.create(header(RUN_ID)), /EIO/);
  assert.equal(openFiles(), before, 'no file left open');
  assert.throws(
    () => journals.read(RUN_ID),
    (error: unknown) => error instanceof StoreError && error.code === 'starting-run',
  );
});

describe('run journal reading', () => {
  test('an event larger than the reused buffers is written and read back whole', async (t) => {
    const journals = new RunJournals(path.join(tempDir(t), 'runs'));
    const writer = await journals.create(header(RUN_ID));
    // 300 000 characters, some beyond Latin-1 (three bytes each in UTF-8): past the 64 KiB
    // buffers on both sides, and past the 1 MiB they keep.
    const big = `${'ticket ⟦x⟧ '.repeat(25_000)}end`;
    await writer.append({
      type: 'step-started',
      path: big,
      step: 'a',
      at: '2026-01-01T00:00:01.000Z',
    });
    await writer.append(started('after'));
    await writer.close();
    assert.equal(journals.read(RUN_ID)?.header.id, RUN_ID);
    const events = lines(journals.file(RUN_ID)).map((line) => JSON.parse(line) as RunEvent);
    assert.equal((events[1] as { path: string }).path, big);
    assert.equal((events[2] as { path: string }).path, 'after');
    // A small journal read after the large one is not mixed with its bytes.
    const other = '01941f29-7c00-7000-8000-000000000002';
    const small = await journals.create(header(other));
    await small.close();
    assert.equal(journals.read(other)?.header.id, other);
  });

  test('a damaged line is reported with its line number; a cut last line is ignored', async (t) => {
    const journals = new RunJournals(path.join(tempDir(t), 'runs'));
    const writer = await journals.create(header(RUN_ID));
    await writer.append(started('a'));
    await writer.close();
    const file = journals.file(RUN_ID);
    const [first, second] = lines(file);
    writeFileSync(file, `${first}\n${second}\n{"type":"step-sta`);
    assert.deepEqual(journals.read(RUN_ID)?.header.id, RUN_ID, 'the cut line is not an event');
    writeFileSync(file, `${first}\n{"type":\n${second}\n`);
    assert.throws(
      () => journals.read(RUN_ID),
      (error: unknown) =>
        error instanceof TamperedError && error.message.includes(`${file}:2: not valid JSON`),
    );
  });
});

describe('shared folder syncs', () => {
  /** A folder sync that finishes when the test says so; counts the syncs started. */
  function controlledSyncs(): {
    readonly syncs: SharedFolderSyncs;
    readonly started: () => number;
    readonly finish: (error?: Error) => void;
  } {
    const waiting: ((error?: Error) => void)[] = [];
    let count = 0;
    const syncs = new SharedFolderSyncs(
      () =>
        new Promise<void>((resolve, reject) => {
          count++;
          waiting.push((error) => (error ? reject(error) : resolve()));
        }),
    );
    return {
      syncs,
      started: () => count,
      finish: (error) => waiting.shift()!(error),
    };
  }

  const settled = (promise: Promise<void>): { done: boolean } => {
    const state = { done: false };
    promise.then(
      () => (state.done = true),
      () => (state.done = true),
    );
    return state;
  };
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  test('callers arriving during a sync share the next one, never the running one', async () => {
    const { syncs, started, finish } = controlledSyncs();
    const first = settled(syncs.sync('/day'));
    assert.equal(started(), 1);
    // These entries may have been created after the running sync began: they wait for another.
    const second = settled(syncs.sync('/day'));
    const third = settled(syncs.sync('/day'));
    assert.equal(started(), 1, 'no second sync while one is running');
    finish();
    await turn();
    assert.equal(first.done, true);
    assert.equal(second.done || third.done, false, 'the later callers wait for their own sync');
    assert.equal(started(), 2, 'one sync for both later callers');
    finish();
    await turn();
    assert.deepEqual([second.done, third.done], [true, true]);
    assert.equal(started(), 2);
  });

  test('a failed sync fails every caller sharing it; the next callers get a new sync', async () => {
    const { syncs, started, finish } = controlledSyncs();
    const first = syncs.sync('/day');
    const shared = [syncs.sync('/day'), syncs.sync('/day')];
    finish();
    await first;
    finish(new Error('EIO'));
    for (const caller of shared) await assert.rejects(caller, /EIO/);
    const later = syncs.sync('/day');
    assert.equal(started(), 3);
    finish();
    await later;
  });

  test('folders are synced independently', async () => {
    const { syncs, started, finish } = controlledSyncs();
    const a = syncs.sync('/day-1');
    const b = syncs.sync('/day-2');
    assert.equal(started(), 2);
    finish();
    finish();
    await Promise.all([a, b]);
  });
});
