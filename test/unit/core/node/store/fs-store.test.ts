// What only the file store has to get right: hand edits, merges, interrupted writes, format
// files, and readers that live longer than one command.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import {
  StoreError,
  StoreFormatError,
  TamperedError,
} from '../../../../../core/src/model/errors.js';
import { contentId } from '../../../../../core/src/hash/canonical.js';
import { openFsStore, type FsStore } from '../../../../../core/src/node/store/fs-store.js';
import { parseLogLine } from '../../../../../core/src/node/store/files/control-log-file.js';
import { sealEntry, type ControlEntry } from '../../../../../core/src/store/records.js';
import { STORE_FORMAT } from '../../../../../core/src/store/format.js';
import type { VerifyReport } from '../../../../../core/src/store/store.js';
import { controlLogLines, controlLogPath, treeOf } from '../../../../helpers/store-files.js';
import { at, definition, draft, publishOf } from '../../../../helpers/store-drafts.js';
import { tempDir } from '../../../../helpers/temp.js';

/** A new store in a temp folder; returns its `.lockstep` path. */
async function newStore(t: TestContext): Promise<{ root: string; store: FsStore }> {
  const root = path.join(tempDir(t), '.lockstep');
  const store = await openFsStore(root, { create: true });
  return { root, store };
}

/** Publishes `triage` versions with these transform values, one entry each, in order. */
async function publishAll(store: FsStore, values: number[], name = 'triage'): Promise<void> {
  for (const value of values) {
    await store.publish(publishOf(draft(name, value), { message: `ship ${value}`, at: at(value) }));
  }
}

/** A copy of the store folder (a second clone, a branch), opened as its own store. */
async function copyOf(t: TestContext, root: string): Promise<{ root: string; store: FsStore }> {
  const copy = path.join(tempDir(t), '.lockstep');
  cpSync(root, copy, { recursive: true });
  return { root: copy, store: await openFsStore(copy) };
}

function errors(report: VerifyReport): { where: string; line?: number; message: string }[] {
  return report.problems
    .filter((p) => p.severity === 'error')
    .map((p) => ({
      where: p.where,
      ...(p.line === undefined ? {} : { line: p.line }),
      message: p.message,
    }));
}

/** Replaces `from` (which must occur exactly once) in `file`. */
function editOnce(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split(from).length, 2, `'${from}' occurs once in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

/** Asserts that publishing into the store at `root` is refused and leaves the log unchanged. */
async function assertPublishRefused(root: string, pattern: RegExp): Promise<void> {
  const before = readFileSync(controlLogPath(root));
  const store = await openFsStore(root);
  await assert.rejects(store.publish(publishOf(draft('triage', 999))), (error: unknown) => {
    assert.ok(error instanceof StoreError, `a StoreError, got ${String(error)}`);
    assert.equal(error.code, 'broken-control-log');
    assert.match(error.message, pattern);
    assert.ok(error.message.includes(controlLogPath(root)), error.message);
    return true;
  });
  assert.deepEqual(readFileSync(controlLogPath(root)), before, 'nothing was appended');
}

describe('file store: hand-edited files', () => {
  for (const [what, from, to] of [
    ['the source', 'transform: 1\\n', 'transform: 2\\n'],
    ['the author', '"author": "ann"', '"author": "ann."'],
  ] as const) {
    test(`an edit to a snapshot's ${what} is reported, not returned`, async (t) => {
      const { root, store } = await newStore(t);
      const { version } = await store.saveVersion(draft('triage', 1, { author: 'ann' }));
      const file = path.join(root, 'local/versions/triage', `${version.id.slice(7)}.json`);
      assert.equal((await store.verify()).ok, true);
      editOnce(file, from, to);

      for (const reader of [store, await openFsStore(root)]) {
        await assert.rejects(reader.getVersion('triage', version.id), (error: unknown) => {
          assert.ok(error instanceof TamperedError, `a TamperedError, got ${String(error)}`);
          assert.equal(error.file, file);
          assert.ok(error.message.startsWith(`${file}: `), error.message);
          assert.match(error.message, /checksum/);
          return true;
        });
      }
      const report = await store.verify();
      assert.equal(report.ok, false);
      assert.deepEqual(
        errors(report).map((p) => p.where),
        [file],
      );
    });
  }

  test('an edited control-log entry is reported with its line, and publish refuses', async (t) => {
    const { root, store } = await newStore(t);
    await publishAll(store, [1, 2]);
    assert.equal((await store.verify()).ok, true);
    const log = controlLogPath(root);
    editOnce(log, '"message":"ship 2"', '"message":"ship 3"');

    const report = await (await openFsStore(root)).verify();
    assert.equal(report.ok, false);
    const found = errors(report);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]?.where, log);
    assert.equal(found[0]?.line, 2);
    assert.match(found[0]?.message ?? '', /hashes to/);

    // Reading the edited publication's record is refused too, naming the line.
    await assert.rejects(
      (await openFsStore(root)).getVersion('triage', contentId(definition('triage', 2))),
      {
        name: 'TamperedError',
        message: new RegExp(`^${escape(log)}:2: `),
      },
    );
    await assertPublishRefused(root, /last entry was changed/);
  });
});

describe('file store: merged control logs', () => {
  /** A store with one publication, and a branch of it; each then publishes its own version. */
  async function twoBranches(t: TestContext): Promise<{ ours: string; theirs: string }> {
    const { root: ours, store } = await newStore(t);
    await publishAll(store, [1]);
    const { root: theirs, store: branch } = await copyOf(t, ours);
    await publishAll(store, [2]);
    await publishAll(branch, [3]);
    return { ours, theirs };
  }

  test('git conflict markers are reported as a merge conflict, and publish refuses', async (t) => {
    const { ours, theirs } = await twoBranches(t);
    const [base, mine] = controlLogLines(ours);
    const [, other] = controlLogLines(theirs);
    writeFileSync(
      controlLogPath(ours),
      [base, '<<<<<<< HEAD', mine, '=======', other, '>>>>>>> branch', ''].join('\n'),
    );

    const report = await (await openFsStore(ours)).verify();
    assert.equal(report.ok, false);
    const conflicts = errors(report).filter((p) => /merge conflict/.test(p.message));
    assert.deepEqual(
      conflicts.map((p) => p.line),
      [2, 4, 6],
    );
    await assertPublishRefused(ours, /merge conflict/);
  });

  test('two logs concatenated (a repeated entry and seq) are reported', async (t) => {
    const { ours, theirs } = await twoBranches(t);
    // What a "union" merge of the two files gives: both new lines, one after the other.
    appendFileSync(controlLogPath(ours), `${controlLogLines(theirs)[1]}\n`);

    const report = await (await openFsStore(ours)).verify();
    assert.equal(report.ok, false);
    const found = errors(report);
    assert.ok(
      found.some((p) => p.line === 3 && /entry 2 follows entry 2/.test(p.message)),
      JSON.stringify(found),
    );
    assert.ok(
      found.some((p) => p.line === 3 && /triage v2 follows v2/.test(p.message)),
      JSON.stringify(found),
    );
    await assertPublishRefused(ours, /:3: entry 2 follows entry 2/);
  });

  test('an entry that does not link to the one before it is reported', async (t) => {
    const { ours, theirs } = await twoBranches(t);
    const first = parseLogLine(controlLogLines(ours)[0]!).entry!;
    const theirEntry = parseLogLine(controlLogLines(theirs)[1]!).entry!;
    assert.equal(theirEntry.type, 'publish');
    if (theirEntry.type !== 'publish') return;
    // Their publication renumbered to follow ours (index 3, seq 3) but still chained to entry 1.
    const { index: _index, prev: _prev, hash: _hash, ...body } = theirEntry;
    const relinked: ControlEntry = sealEntry({ ...body, seq: 3 }, 3, first.hash);
    appendFileSync(controlLogPath(ours), `${JSON.stringify(relinked)}\n`);

    const report = await (await openFsStore(ours)).verify();
    assert.equal(report.ok, false);
    const found = errors(report);
    assert.deepEqual(
      found.map((p) => p.line),
      [3],
    );
    assert.match(found[0]?.message ?? '', /does not link/);
    await assertPublishRefused(ours, /does not link/);
  });
});

describe('file store: interrupted writes', () => {
  /** A store with three publications, and the line a fourth publication would append. */
  async function withNextLine(t: TestContext): Promise<{ root: string; next: string }> {
    const { root, store } = await newStore(t);
    await publishAll(store, [1, 2, 3]);
    const { root: copy, store: other } = await copyOf(t, root);
    await publishAll(other, [4]);
    const next = controlLogLines(copy)[3]!;
    assert.equal(parseLogLine(next).entry?.index, 4);
    return { root, next };
  }

  test('a partial last line is set aside by the next publish, which continues the chain', async (t) => {
    const { root, next } = await withNextLine(t);
    const log = controlLogPath(root);
    const complete = readFileSync(log);
    const partial = next.slice(0, Math.floor(next.length / 2));
    appendFileSync(log, partial); // a writer killed mid-append: no newline

    const store = await openFsStore(root);
    assert.deepEqual(
      (await store.listPublications('triage')).map((p) => p.seq),
      [1, 2, 3],
    );
    assert.equal((await store.readControlLog()).length, 3);
    const report = await store.verify();
    assert.equal(report.ok, true);
    assert.equal(report.problems.length, 1);
    assert.equal(report.problems[0]?.severity, 'warning');
    assert.equal(report.problems[0]?.line, 4);
    assert.match(report.problems[0]?.message ?? '', /incomplete/);

    const { publication, created } = await store.publish(publishOf(draft('triage', 5)));
    assert.equal(created, true);
    assert.equal(publication.seq, 4);
    assert.equal(publication.entry, 4);

    const quarantine = path.join(root, 'local/quarantine');
    const kept = readdirSync(quarantine);
    assert.equal(kept.length, 1);
    assert.equal(readFileSync(path.join(quarantine, kept[0]!), 'utf8'), partial);
    const after = readFileSync(log);
    assert.deepEqual(after.subarray(0, complete.length), complete);
    assert.ok(!after.includes(Buffer.from(partial)), 'the partial bytes are gone from the log');
    assert.equal(controlLogLines(root).length, 4);
    assert.equal(after.at(-1), 10, 'the log ends with a newline');
    assert.deepEqual((await store.verify()).problems, []);
    assert.deepEqual((await (await openFsStore(root)).verify()).problems, []);
  });

  test('a complete last entry missing only its newline is kept', async (t) => {
    const { root, next } = await withNextLine(t);
    appendFileSync(controlLogPath(root), next);

    const store = await openFsStore(root);
    assert.equal((await store.verify()).ok, true);
    const { publication } = await store.publish(publishOf(draft('triage', 5)));
    assert.equal(publication.seq, 5);
    assert.equal(publication.entry, 5);
    assert.equal(existsSync(path.join(root, 'local/quarantine')), false, 'nothing set aside');
    assert.equal(controlLogLines(root)[3], next);
    assert.deepEqual(
      (await store.listPublications('triage')).map((p) => p.version),
      [1, 2, 3, 4, 5].map((v) => contentId(definition('triage', v))),
    );
    assert.deepEqual((await (await openFsStore(root)).verify()).problems, []);
  });

  test('a temporary file left in a versions folder is a warning', async (t) => {
    const { root, store } = await newStore(t);
    const { version } = await store.saveVersion(draft('triage', 1));
    const temp = path.join(
      root,
      'local/versions/triage',
      `.tmp-${version.id.slice(7)}.json-123-abcd`,
    );
    writeFileSync(temp, '{"kind":"lockstep.ver'); // cut short

    const report = await store.verify();
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.problems.map((p) => [p.severity, p.where]),
      [['warning', temp]],
    );
    assert.deepEqual(
      (await store.listVersions('triage')).map((v) => v.id),
      [version.id],
    );
  });
});

describe('file store: format file and opening', () => {
  test('a store written in a newer format is refused and left unchanged', async (t) => {
    const { root, store } = await newStore(t);
    await store.saveVersion(draft('triage', 1));
    await publishAll(store, [2]);
    await store.putBlob(new TextEncoder().encode('blob'));
    writeFileSync(path.join(root, 'store.json'), '{"lockstep":"store","format":2}\n');
    const before = treeOf(root);

    for (const create of [false, true]) {
      await assert.rejects(openFsStore(root, { create }), (error: unknown) => {
        assert.ok(error instanceof StoreFormatError, `a StoreFormatError, got ${String(error)}`);
        assert.equal(error.code, 'newer-format');
        assert.match(error.message, /newer Lockstep \(store format 2;/);
        assert.ok(error.message.includes(root), error.message);
        return true;
      });
    }
    assert.deepEqual(treeOf(root), before);
  });

  for (const [what, text] of [
    ['not JSON', '{"lockstep": "store", "format": 1'],
    ['not a store', '{"lockstep": "cache", "format": 1}'],
    ['a format of 0', '{"lockstep": "store", "format": 0}'],
  ] as const) {
    test(`a format file that is ${what} is refused`, async (t) => {
      const { root, store } = await newStore(t);
      await publishAll(store, [1]);
      const formatFile = path.join(root, 'store.json');
      writeFileSync(formatFile, text);
      const before = treeOf(root);
      await assert.rejects(openFsStore(root, { create: true }), (error: unknown) => {
        assert.ok(error instanceof StoreFormatError, `a StoreFormatError, got ${String(error)}`);
        assert.equal(error.code, 'bad-format-file');
        assert.ok(error.message.startsWith(formatFile), error.message);
        return true;
      });
      assert.deepEqual(treeOf(root), before);
    });
  }

  test('opening a missing folder without create fails and creates nothing', async (t) => {
    const parent = tempDir(t);
    const root = path.join(parent, '.lockstep');
    await assert.rejects(openFsStore(root), (error: unknown) => {
      assert.ok(error instanceof StoreError, `a StoreError, got ${String(error)}`);
      assert.equal(error.code, 'no-store');
      assert.ok(error.message.includes(root), error.message);
      return true;
    });
    assert.deepEqual(readdirSync(parent), []);

    // With create, the same call makes an empty store of the current format.
    const store = await openFsStore(root, { create: true });
    assert.deepEqual(JSON.parse(readFileSync(path.join(root, 'store.json'), 'utf8')), {
      lockstep: 'store',
      format: STORE_FORMAT,
    });
    assert.deepEqual(await store.listWorkflows(), []);
  });
});

describe('file store: blobs', () => {
  test('a blob whose bytes changed is refused and reported', async (t) => {
    const { root, store } = await newStore(t);
    const data = Uint8Array.from([0, 1, 2, 3, 255]);
    const id = await store.putBlob(data);
    const hex = id.slice(7);
    const file = path.join(root, 'local/blobs', hex.slice(0, 2), hex.slice(2));
    assert.deepEqual(readFileSync(file), Buffer.from(data));
    writeFileSync(file, Uint8Array.from([0, 1, 2, 3, 254]));

    await assert.rejects(store.getBlob(id), (error: unknown) => {
      assert.ok(error instanceof TamperedError, `a TamperedError, got ${String(error)}`);
      assert.equal(error.file, file);
      return true;
    });
    const report = await store.verify();
    assert.equal(report.ok, false);
    assert.deepEqual(
      errors(report).map((p) => p.where),
      [file],
    );
  });
});

describe('file store: long-lived readers', () => {
  test('an open store sees what another process published, without reopening', async (t) => {
    const { root, store: editor } = await newStore(t);
    await publishAll(editor, [1]);
    assert.equal((await editor.listPublications('triage')).length, 1);

    const cli = await openFsStore(root);
    const { publication } = await cli.publish(publishOf(draft('triage', 2)));
    assert.equal(publication.seq, 2);
    await cli.publish(publishOf(draft('other', 1)));

    assert.deepEqual(
      (await editor.listPublications('triage')).map((p) => p.seq),
      [1, 2],
    );
    assert.deepEqual(await editor.listWorkflows(), ['other', 'triage']);
    assert.equal((await editor.getVersion('triage', publication.version))?.id, publication.version);
    assert.equal((await editor.readControlLog()).length, 3);
    // And it extends the chain from where the other left it.
    const next = await editor.publish(publishOf(draft('triage', 3)));
    assert.equal(next.publication.seq, 3);
    assert.equal(next.publication.entry, 4);
    assert.deepEqual(
      (await cli.listPublications('triage')).map((p) => p.seq),
      [1, 2, 3],
    );
    assert.deepEqual((await cli.verify()).problems, []);
  });

  test('an open store with nothing published sees the first publication of another', async (t) => {
    const { root, store: editor } = await newStore(t);
    // Asked twice while there is no log: the second answer comes from the cheaper check.
    assert.deepEqual(await editor.listPublications('triage'), []);
    assert.deepEqual(await editor.listPublications('triage'), []);

    const cli = await openFsStore(root);
    await cli.publish(publishOf(draft('triage', 1)));

    assert.deepEqual(
      (await editor.listPublications('triage')).map((p) => p.seq),
      [1],
    );
    const next = await editor.publish(publishOf(draft('triage', 2)));
    assert.equal(next.publication.seq, 2);
    assert.deepEqual((await editor.verify()).problems, []);
  });

  test('an open store notices when the log is cut back underneath it', async (t) => {
    const { root, store: editor } = await newStore(t);
    await publishAll(editor, [1, 2, 3]);
    assert.equal((await editor.listPublications('triage')).length, 3);
    const [first] = controlLogLines(root);
    writeFileSync(controlLogPath(root), `${first}\n`); // `git checkout` of an older log

    assert.deepEqual(
      (await editor.listPublications('triage')).map((p) => p.seq),
      [1],
    );
    assert.equal((await editor.readControlLog()).length, 1);
    assert.equal(
      await editor.getVersion('triage', contentId(definition('triage', 3))),
      undefined,
      'a publication that is no longer in the log is gone',
    );
    const { publication } = await editor.publish(publishOf(draft('triage', 7)));
    assert.equal(publication.seq, 2);
    assert.equal(publication.entry, 2);
    assert.deepEqual((await editor.verify()).problems, []);
  });

  test('an open store notices when the log is replaced by a longer, different one', async (t) => {
    const { root, store: editor } = await newStore(t);
    await publishAll(editor, [1]);
    const { root: branch, store: other } = await copyOf(t, root);
    await publishAll(editor, [2]);
    await publishAll(other, [10, 11, 12]);
    assert.equal((await editor.readControlLog()).length, 2);
    // The file now holds the other branch's history: longer, and different from line 2 on.
    writeFileSync(controlLogPath(root), readFileSync(controlLogPath(branch)));

    assert.deepEqual(
      (await editor.listPublications('triage')).map((p) => p.version),
      [1, 10, 11, 12].map((v) => contentId(definition('triage', v))),
    );
    assert.deepEqual(
      (await editor.readControlLog()).map((e) => e.hash),
      controlLogLines(branch).map((l) => parseLogLine(l).entry!.hash),
    );
    const { publication } = await editor.publish(publishOf(draft('triage', 2)));
    assert.equal(publication.seq, 5, 'v2 of the replaced history is published afresh');
    assert.deepEqual((await editor.verify()).problems, []);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
