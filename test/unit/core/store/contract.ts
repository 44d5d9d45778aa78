/**
 * The contract every Store backend must pass (the Store interface points here). A backend's test
 * file calls `storeContract` with a way to open a fresh, empty store for one test.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import type { JsonValue } from '../../../../core/src/model/workflow.js';
import { contentId } from '../../../../core/src/hash/canonical.js';
import { isContentId, type ContentId } from '../../../../core/src/model/content-id.js';
import { STORE_FORMAT } from '../../../../core/src/store/format.js';
import {
  entryHashProblem,
  versionRecordProblem,
  type VersionSummary,
} from '../../../../core/src/store/records.js';
import type { Store } from '../../../../core/src/store/store.js';
import { at, definition, draft, publishOf } from '../../../helpers/store-drafts.js';
import { recordRun, routedBy, runHeader } from '../../../helpers/run-records.js';

/** Opens a fresh store for one test; the contract closes it when the test ends. */
export type OpenStore = (t: TestContext) => Promise<Store>;

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

const idOf = (name: string, value: JsonValue): ContentId => contentId(definition(name, value));

/** Names and ids an attacker (or a typo) hands a store: each must be refused, whatever the method. */
export const HOSTILE = [
  '../../outside',
  '0/../../../../elsewhere/stolen',
  '/etc/passwd',
  'C:\\Windows\\win.ini',
  '..\\..\\outside',
  'triage\0.json',
  '..',
  '.',
  '',
  'Triage',
  'x'.repeat(5_000),
  'sha256:../../x',
];

export function storeContract(label: string, open: OpenStore): void {
  const fresh = async (t: TestContext): Promise<Store> => {
    const store = await open(t);
    t.after(() => store.close());
    return store;
  };

  describe(`Store contract: ${label}`, () => {
    test('reports the storage format it uses', async (t) => {
      const store = await fresh(t);
      assert.equal(store.info.format, STORE_FORMAT);
      assert.ok(store.info.location.length > 0);
    });

    test('saveVersion stores a record that getVersion returns byte-exact', async (t) => {
      const store = await fresh(t);
      // CRLF, a comment, extra spaces, non-ASCII and a trailing blank line: kept as written.
      const source =
        '# triage — first draft ✓ 🚀\r\nname:  triage\r\nsteps:\r\n  - id: a   # only step\r\n    transform: 1\r\n\r\n';
      const git = { commit: '0123456789abcdef0123456789abcdef01234567', dirty: true };
      const input = draft('triage', 1, {
        source,
        sourcePath: 'flows/triage.workflow.yaml',
        createdAt: at(1),
        author: 'ann <ann@example.com>',
        git,
      });

      const { version, created } = await store.saveVersion(input);

      assert.equal(created, true);
      assert.equal(version.kind, 'lockstep.version');
      assert.equal(version.id, contentId(input.definition));
      assert.equal(version.name, 'triage');
      assert.ok(isContentId(version.checksum), `checksum ${version.checksum}`);
      assert.equal(versionRecordProblem(version, version.id), undefined);
      assert.equal(version.source, source);
      assert.deepEqual(version.definition, input.definition);
      assert.equal(version.sourcePath, 'flows/triage.workflow.yaml');
      assert.equal(version.createdAt, at(1));
      assert.equal(version.author, 'ann <ann@example.com>');
      assert.deepEqual(version.git, git);

      const read = await store.getVersion('triage', version.id);
      assert.deepEqual(read, version);
      assert.equal(read?.source, source);
    });

    test('saving the same content again returns the stored record unchanged', async (t) => {
      const store = await fresh(t);
      const first = await store.saveVersion(
        draft('triage', 1, { createdAt: at(1), author: 'ann', sourcePath: 'a.workflow.yaml' }),
      );
      const again = await store.saveVersion(
        draft('triage', 1, {
          createdAt: at(2),
          author: 'carol',
          sourcePath: 'b.workflow.yaml',
          git: { commit: 'feedface', dirty: false },
        }),
      );

      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.deepEqual(again.version, first.version);
      assert.equal(again.version.createdAt, at(1));
      assert.equal(again.version.author, 'ann');
      assert.deepEqual(
        (await store.listVersions('triage')).map((v) => v.id),
        [first.version.id],
      );
    });

    test('saving content that is already published returns the published record', async (t) => {
      const store = await fresh(t);
      await store.publish(publishOf(draft('triage', 1, { createdAt: at(1), author: 'ann' })));
      const again = await store.saveVersion(
        draft('triage', 1, { createdAt: at(5), author: 'carol' }),
      );
      assert.equal(again.created, false);
      assert.equal(again.version.createdAt, at(1));
      assert.equal(again.version.author, 'ann');
      assert.equal((await store.listVersions('triage')).length, 1);
    });

    test('a formatting-only change to the source is the same version', async (t) => {
      const store = await fresh(t);
      const tidy = 'name: triage\nsteps:\n  - id: a\n    transform: 1\n';
      const messy = '# reformatted\nname:   "triage"\nsteps: [ { transform: 1, id: a } ]\n';
      const first = await store.saveVersion(draft('triage', 1, { source: tidy }));
      const second = await store.saveVersion(
        draft('triage', 1, { source: messy, createdAt: at(9) }),
      );

      assert.equal(second.created, false);
      assert.equal(second.version.id, first.version.id);
      assert.equal(second.version.source, tidy, 'the first-stored source is kept');

      // A change to the definition itself is a new version.
      const changed = await store.saveVersion(draft('triage', 2));
      assert.equal(changed.created, true);
      assert.notEqual(changed.version.id, first.version.id);
      assert.equal((await store.listVersions('triage')).length, 2);
    });

    test('getVersion returns undefined for an unknown id or another workflow name', async (t) => {
      const store = await fresh(t);
      const saved = (await store.saveVersion(draft('triage', 1))).version;
      const published = await store.publish(publishOf(draft('triage', 2)));
      await store.saveVersion(draft('other', 1));

      assert.equal(await store.getVersion('triage', idOf('triage', 99)), undefined);
      assert.equal(await store.getVersion('nobody', idOf('nobody', 1)), undefined);
      assert.equal(await store.getVersion('other', saved.id), undefined);
      assert.equal(await store.getVersion('other', published.publication.version), undefined);
      // The right names still find them.
      assert.equal((await store.getVersion('triage', saved.id))?.id, saved.id);
      assert.equal(
        (await store.getVersion('triage', published.publication.version))?.id,
        published.publication.version,
      );
    });

    test('listVersions lists newest first, with publications attached', async (t) => {
      const store = await fresh(t);
      const v1 = (await store.saveVersion(draft('triage', 1, { createdAt: at(1) }))).version;
      const v2 = (await store.saveVersion(draft('triage', 2, { createdAt: at(2) }))).version;
      const v3 = (await store.saveVersion(draft('triage', 3, { createdAt: at(3) }))).version;
      await store.saveVersion(draft('other', 1, { createdAt: at(10) }));
      const p2 = await store.publish(
        publishOf(draft('triage', 2, { createdAt: at(50) }), { message: 'ship two', at: at(60) }),
      );
      // Published without a snapshot first.
      const p4 = await store.publish(
        publishOf(draft('triage', 4, { createdAt: at(4) }), { message: 'ship four', at: at(70) }),
      );

      const list = await store.listVersions('triage');
      const v4 = idOf('triage', 4);
      assert.deepEqual(
        list.map((v) => v.id),
        [v4, v3.id, v2.id, v1.id],
      );
      const byId = new Map<ContentId, VersionSummary>(list.map((v) => [v.id, v]));
      assert.deepEqual(byId.get(v2.id)?.publication, p2.publication);
      assert.deepEqual(byId.get(v4)?.publication, p4.publication);
      assert.equal(p2.publication.seq, 1);
      assert.equal(p4.publication.seq, 2);
      assert.equal(p2.publication.message, 'ship two');
      assert.equal(p2.publication.author, 'bob <bob@example.com>');
      assert.equal(byId.get(v2.id)?.createdAt, at(2), 'the snapshot time, not the publish draft');
      assert.equal('publication' in byId.get(v1.id)!, false);
      assert.equal('publication' in byId.get(v3.id)!, false);
      assert.ok(list.every((v) => v.name === 'triage'));
      assert.deepEqual(await store.listVersions('nobody'), []);
    });

    test('findVersions matches id prefixes and returns every match', async (t) => {
      const store = await fresh(t);
      // Two definitions whose ids share their first two hex digits, found by trying values.
      const firstTwo = (value: number): string => idOf('triage', value).slice(7, 9);
      const seen = new Map<string, number>();
      let pair: [number, number] | undefined;
      for (let value = 0; !pair; value++) {
        const earlier = seen.get(firstTwo(value));
        if (earlier !== undefined) pair = [earlier, value];
        else seen.set(firstTwo(value), value);
      }
      const [a, b] = pair;
      const third = [...range(0, 1000)].find((v) => firstTwo(v) !== firstTwo(a))!;
      await store.saveVersion(draft('triage', a));
      await store.publish(publishOf(draft('triage', b)));
      await store.saveVersion(draft('triage', third));
      await store.saveVersion(draft('other', a));
      const shared = `sha256:${firstTwo(a)}`;

      const ambiguous = await store.findVersions('triage', shared);
      assert.deepEqual(
        ambiguous.map((v) => v.id).sort(),
        [idOf('triage', a), idOf('triage', b)].sort(),
      );
      assert.equal(ambiguous.find((v) => v.id === idOf('triage', b))?.publication?.seq, 1);

      const longPrefix = idOf('triage', a).slice(0, 7 + 16);
      assert.deepEqual(
        (await store.findVersions('triage', longPrefix)).map((v) => v.id),
        [idOf('triage', a)],
      );
      assert.deepEqual(
        (await store.findVersions('triage', idOf('triage', third))).map((v) => v.id),
        [idOf('triage', third)],
      );
      assert.deepEqual(
        (await store.findVersions('other', shared)).map((v) => v.id),
        [idOf('other', a)].filter((id) => id.startsWith(shared)),
      );
      const used = new Set([a, b, third].map(firstTwo));
      const unused = range(0, 255)
        .map((n) => n.toString(16).padStart(2, '0'))
        .find((hex) => !used.has(hex))!;
      assert.deepEqual(await store.findVersions('triage', `sha256:${unused}`), []);
      assert.deepEqual(await store.findVersions('nobody', 'sha256:'), []);
    });

    test('listWorkflows names every workflow once, sorted', async (t) => {
      const store = await fresh(t);
      assert.deepEqual(await store.listWorkflows(), []);
      await store.saveVersion(draft('zeta', 1));
      await store.publish(publishOf(draft('alpha', 1)));
      await store.saveVersion(draft('mid', 1));
      await store.publish(publishOf(draft('mid', 1)));
      await store.publish(publishOf(draft('mid', 2)));
      assert.deepEqual(await store.listWorkflows(), ['alpha', 'mid', 'zeta']);
    });

    test('publish numbers each workflow 1, 2, 3 without gaps, independently', async (t) => {
      const store = await fresh(t);
      const order: [string, number][] = [
        ['a', 1],
        ['b', 1],
        ['a', 2],
        ['a', 3],
        ['b', 2],
      ];
      const seqs: string[] = [];
      for (const [name, value] of order) {
        const { publication, created } = await store.publish(publishOf(draft(name, value)));
        assert.equal(created, true);
        assert.equal(publication.workflow, name);
        assert.equal(publication.version, idOf(name, value));
        seqs.push(`${name}${publication.seq}`);
      }
      assert.deepEqual(seqs, ['a1', 'b1', 'a2', 'a3', 'b2']);

      const a = await store.listPublications('a');
      assert.deepEqual(
        a.map((p) => [p.seq, p.version, p.entry]),
        [
          [1, idOf('a', 1), 1],
          [2, idOf('a', 2), 3],
          [3, idOf('a', 3), 4],
        ],
      );
      const b = await store.listPublications('b');
      assert.deepEqual(
        b.map((p) => [p.seq, p.version, p.entry]),
        [
          [1, idOf('b', 1), 2],
          [2, idOf('b', 2), 5],
        ],
      );
      assert.deepEqual(await store.listPublications('nobody'), []);
      assert.equal((await store.readControlLog()).length, 5);
    });

    test('publishing a published version returns its publication and appends nothing', async (t) => {
      const store = await fresh(t);
      const first = await store.publish(
        publishOf(draft('triage', 1), { message: 'first', at: at(10), author: 'bob' }),
      );
      const again = await store.publish(
        publishOf(
          draft('triage', 1, {
            source: 'name: triage\nsteps: [{id: a, transform: 1}]\n',
            createdAt: at(20),
            author: 'carol',
          }),
          { message: 'second', at: at(30), author: 'dave', git: { commit: 'beef', dirty: false } },
        ),
      );
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.deepEqual(again.publication, first.publication);
      assert.equal((await store.readControlLog()).length, 1);
      assert.deepEqual(await store.listPublications('triage'), [first.publication]);
      // The next new version still gets the next number.
      assert.equal((await store.publish(publishOf(draft('triage', 2)))).publication.seq, 2);
    });

    test("publishing a snapshotted version keeps the snapshot's time and author", async (t) => {
      const store = await fresh(t);
      const saved = (
        await store.saveVersion(
          draft('triage', 1, { createdAt: at(1), author: 'ann', sourcePath: 'first.yaml' }),
        )
      ).version;
      const { publication } = await store.publish(
        publishOf(
          draft('triage', 1, {
            createdAt: at(40),
            author: 'zed',
            sourcePath: 'later.yaml',
            source: 'name: triage\nsteps: [{id: a, transform: 1}]\n',
          }),
          { author: 'bob', at: at(50) },
        ),
      );
      assert.equal(publication.author, 'bob');
      assert.equal(publication.at, at(50));
      const record = await store.getVersion('triage', saved.id);
      assert.deepEqual(record, saved);
      const [entry] = await store.readControlLog();
      assert.deepEqual(entry?.type === 'publish' ? entry.record : entry, saved);
      const [summary] = await store.listVersions('triage');
      assert.equal(summary?.createdAt, at(1));
      assert.equal(summary?.author, 'ann');
    });

    test('concurrent publishes get distinct, gapless numbers', async (t) => {
      const store = await fresh(t);
      const values = range(1, 25);
      const results = await Promise.all(
        values.map((value) => store.publish(publishOf(draft('triage', value)))),
      );
      assert.ok(results.every((r) => r.created));
      assert.deepEqual(
        results.map((r) => r.publication.seq).sort((x, y) => x - y),
        values,
      );
      const listed = await store.listPublications('triage');
      assert.deepEqual(
        listed.map((p) => p.seq),
        values,
      );
      assert.deepEqual(
        listed.map((p) => p.version).sort(),
        values.map((v) => idOf('triage', v)).sort(),
      );
      assert.equal((await store.readControlLog()).length, 25);
      assert.equal((await store.verify()).ok, true);
    });

    test('reads running alongside publishes see each publication once', async (t) => {
      const store = await fresh(t);
      const values = range(1, 12);
      // Readers keep reading for as long as the publishes run, so their reads overlap appends.
      let publishing = true;
      let reads = 0;
      const failures: unknown[] = [];
      const reader = async (read: () => Promise<unknown>): Promise<void> => {
        while (publishing && failures.length === 0) {
          await read().catch((error: unknown) => failures.push(error));
          reads++;
          // Let timers and I/O run between reads, as any real reader does: a backend may answer
          // from memory without ever yielding, and a loop of such reads would starve the
          // publishes it is meant to overlap.
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const readers = [
        reader(() => store.listPublications('triage')),
        reader(() => store.readControlLog()),
        reader(() => store.listVersions('triage')),
        reader(() => store.getVersion('triage', idOf('triage', 1))),
      ];
      try {
        const results = await Promise.all(
          values.map((value) => store.publish(publishOf(draft('triage', value)))),
        );
        assert.ok(results.every((r) => r.created));
      } finally {
        publishing = false;
        await Promise.all(readers);
      }
      assert.deepEqual(failures, []);
      assert.ok(reads >= readers.length, 'every reader ran');

      const listed = await store.listPublications('triage');
      assert.deepEqual(
        listed.map((p) => p.seq),
        values,
      );
      const log = await store.readControlLog();
      assert.deepEqual(
        log.map((e) => e.index),
        values,
      );
      const next = await store.publish(publishOf(draft('triage', 100)));
      assert.equal(next.publication.seq, values.length + 1);
      assert.deepEqual((await store.verify()).problems, []);
    });

    test('readControlLog is a hash chain that embeds each published record', async (t) => {
      const store = await fresh(t);
      const snapshotted = (
        await store.saveVersion(draft('triage', 1, { createdAt: at(1), author: 'ann' }))
      ).version;
      const published = [
        await store.publish(publishOf(draft('triage', 1), { message: 'one', author: 'bob' })),
        await store.publish(publishOf(draft('other', 1), { message: 'two', author: 'carol' })),
        await store.publish(publishOf(draft('triage', 2), { message: 'three', author: 'dave' })),
      ].map((r) => r.publication);

      const log = await store.readControlLog();
      assert.equal(log.length, 3);
      for (const [i, entry] of log.entries()) {
        const publication = published[i]!;
        assert.equal(entry.index, i + 1);
        assert.equal(entry.prev, i === 0 ? null : log[i - 1]!.hash);
        assert.ok(isContentId(entry.hash));
        assert.equal(entryHashProblem(entry), undefined, `entry ${entry.index}`);
        assert.equal(entry.type, 'publish');
        if (entry.type !== 'publish') continue;
        assert.equal(entry.workflow, publication.workflow);
        assert.equal(entry.seq, publication.seq);
        assert.equal(entry.version, publication.version);
        assert.equal(entry.message, publication.message);
        assert.equal(entry.actor, publication.author);
        assert.equal(publication.entry, entry.index);
        assert.equal(entry.record.id, entry.version);
        assert.equal(versionRecordProblem(entry.record, entry.version), undefined);
        assert.deepEqual(entry.record, await store.getVersion(entry.workflow, entry.version));
      }
      const first = log[0]!;
      assert.deepEqual(first.type === 'publish' ? first.record : first, snapshotted);
      assert.notEqual(new Set(log.map((e) => e.hash)).size, 1);
      // The checker used above does notice an edit, so the loop cannot pass vacuously.
      assert.notEqual(entryHashProblem({ ...log[1]!, message: 'edited' }), undefined);
    });

    test('verify passes a healthy store and counts what it checked', async (t) => {
      const store = await fresh(t);
      const empty = await store.verify();
      assert.equal(empty.ok, true);
      assert.deepEqual(empty.checked, { versions: 0, entries: 0, blobs: 0 });
      assert.deepEqual(empty.problems, []);

      await store.saveVersion(draft('triage', 1));
      await store.saveVersion(draft('triage', 2));
      await store.publish(publishOf(draft('triage', 1)));
      await store.publish(publishOf(draft('other', 1)));
      await store.putBlob(new TextEncoder().encode('hello'));
      await store.putBlob(new TextEncoder().encode('hello'));

      const report = await store.verify();
      assert.equal(report.ok, true);
      assert.deepEqual(report.problems, []);
      // Three distinct versions (triage 1 is both a snapshot and published), two entries, one blob.
      assert.deepEqual(report.checked, { versions: 3, entries: 2, blobs: 1 });
    });

    test('putBlob stores bytes under their sha256 and getBlob returns them exactly', async (t) => {
      const store = await fresh(t);
      const bytes = Uint8Array.from(range(0, 255));
      const expected = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

      const id = await store.putBlob(bytes);
      assert.equal(id, expected);
      assert.equal(await store.putBlob(Uint8Array.from(bytes)), id, 'same bytes, same id');
      bytes[0] = 42; // the caller's array is not the stored copy
      const read = await store.getBlob(id);
      assert.ok(read instanceof Uint8Array);
      assert.deepEqual(Buffer.from(read), Buffer.from(range(0, 255)));
      read[1] = 42; // nor is the array handed out
      assert.deepEqual(Buffer.from((await store.getBlob(id))!), Buffer.from(range(0, 255)));

      const empty = await store.putBlob(new Uint8Array(0));
      assert.equal((await store.getBlob(empty))?.length, 0);
      const text = await store.putBlob(new TextEncoder().encode('naïve ✓\n'));
      assert.notEqual(text, id);
      assert.equal(new TextDecoder().decode(await store.getBlob(text)), 'naïve ✓\n');

      const unknown =
        `sha256:${createHash('sha256').update('never stored').digest('hex')}` as const;
      assert.equal(await store.getBlob(unknown), undefined);
      assert.equal((await store.verify()).checked.blobs, 3);
    });

    test('names and ids from outside are parsed to their grammar before anything is read', async (t) => {
      const store = await fresh(t);
      await store.saveVersion(draft('triage', 1));
      const validRun = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
      const validId = idOf('triage', 1);
      const calls: [string, () => Promise<unknown>, (bad: string) => () => Promise<unknown>][] = [
        [
          'getVersion',
          () => store.getVersion('triage', validId),
          (bad) => () => store.getVersion(bad, validId),
        ],
        [
          'getVersion id',
          () => store.getVersion('triage', validId),
          (bad) => () => store.getVersion('triage', bad as ContentId),
        ],
        [
          'listVersions',
          () => store.listVersions('triage'),
          (bad) => () => store.listVersions(bad),
        ],
        [
          'findVersions',
          () => store.findVersions('triage', 'sha256:0'),
          (bad) => () => store.findVersions(bad, 'sha256:0'),
        ],
        [
          'findVersions prefix',
          () => store.findVersions('triage', 'sha256:0'),
          (bad) => () => store.findVersions('triage', bad),
        ],
        [
          'listPublications',
          () => store.listPublications('triage'),
          (bad) => () => store.listPublications(bad),
        ],
        ['getRun', () => store.getRun(validRun), (bad) => () => store.getRun(bad)],
        ['findRunIds', () => store.findRunIds('0193'), (bad) => () => store.findRunIds(bad)],
        [
          'listRuns',
          () => store.listRuns({ workflow: 'triage' }),
          (bad) => () => store.listRuns({ workflow: bad }),
        ],
        [
          'listRuns channel',
          () => store.listRuns({ workflow: 'triage', channel: 'production' }),
          (bad) => () => store.listRuns({ workflow: 'triage', channel: bad }),
        ],
        ['getBlob', () => store.getBlob(validId), (bad) => () => store.getBlob(bad as ContentId)],
        [
          'saveVersion',
          async () => undefined,
          (bad) => () =>
            store.saveVersion({
              ...draft('triage', 2),
              definition: { ...definition('triage', 2), name: bad },
            }),
        ],
      ];
      for (const [method, valid, withBad] of calls) {
        await valid(); // the same call with a well-formed argument is answered
        for (const bad of HOSTILE) {
          await assert.rejects(withBad(bad), (error: Error & { code?: string }) => {
            assert.ok(
              ['bad-name', 'bad-run-id', 'bad-ref'].includes(error.code ?? ''),
              `${method}(${JSON.stringify(bad)}): ${error.code} ${error.message}`,
            );
            assert.ok(!error.message.includes('\0'), 'a NUL byte is never printed as it is');
            assert.ok(error.message.length < 400, 'an over-long name is cut in the message');
            return true;
          });
        }
      }
    });

    test('pruneSnapshots keeps the newest, and never a published version or one a run ran', async (t) => {
      const store = await fresh(t);
      for (let i = 1; i <= 6; i++)
        await store.saveVersion(draft('triage', i, { createdAt: at(i) }));
      await store.saveVersion(draft('other', 1, { createdAt: at(1) }));
      // v2 is published, v3 was run: both stay whatever their age.
      await store.publish(
        publishOf(draft('triage', 2, { createdAt: at(2) }), { message: 'second' }),
      );
      const ran = runHeader({ workflow: 'triage', version: { id: idOf('triage', 3) } });
      await (await store.createRun(ran)).close();

      const removed = await store.pruneSnapshots('triage', 2);
      assert.deepEqual(removed, [idOf('triage', 1), idOf('triage', 4)]);
      const left = (await store.listVersions('triage')).map((v) => v.id).sort();
      assert.deepEqual(
        left,
        [idOf('triage', 2), idOf('triage', 3), idOf('triage', 5), idOf('triage', 6)].sort(),
      );
      assert.equal(await store.getVersion('triage', idOf('triage', 1)), undefined);
      assert.ok(await store.getVersion('triage', idOf('triage', 3)), 'the run can still replay');
      assert.equal((await store.listVersions('other')).length, 1, 'other workflows untouched');
      assert.deepEqual(await store.pruneSnapshots('triage', 2), [], 'nothing more to remove');
      assert.equal((await store.verify()).ok, true);
    });

    test('runs: counted per version, filtered by mode, with the tokens of their model calls', async (t) => {
      const store = await fresh(t);
      const v1 = { id: idOf('triage', 1), seq: 1 };
      const v2 = { id: idOf('triage', 2) };
      for (const [version, mode, minutes] of [
        [v1, 'live', 1],
        [v1, 'scripted', 2],
        [v2, 'live', 3],
      ] as const) {
        const at = new Date(Date.UTC(2026, 0, 1, 12, minutes));
        await recordRun(store, {
          workflow: 'triage',
          version,
          at,
          mode: mode === 'live' ? { kind: 'live' } : { kind: 'scripted', fixtures: v1.id },
        });
      }
      await recordRun(store, { workflow: 'other', version: v1 });
      const withTokens = runHeader({
        workflow: 'triage',
        version: v2,
        at: new Date(Date.UTC(2026, 0, 1, 12, 4)),
      });
      const writer = await store.createRun(withTokens);
      for (const usage of [
        { input: 10, output: 2 },
        { input: 5, output: 1 },
      ]) {
        await writer.append({
          type: 'effect',
          effect: {
            path: 'ask',
            kind: 'llm',
            key: `rk1:${usage.input}`,
            occurrence: 0,
            request: null,
            response: 'ok',
            latencyMs: 1,
            usage,
            at: withTokens.startedAt,
          },
        });
      }
      await writer.append({
        type: 'run-finished',
        status: 'succeeded',
        output: 'ok',
        at: withTokens.startedAt,
      });
      await writer.close();

      assert.deepEqual(
        [...(await store.runCountsByVersion('triage'))].sort(),
        [
          [v1.id, 2],
          [v2.id, 2],
        ].sort(),
      );
      assert.deepEqual(await store.runCountsByVersion('nobody'), new Map());
      const scripted = await store.listRuns({ workflow: 'triage', mode: 'scripted' });
      assert.deepEqual(
        scripted.map((r) => r.mode),
        ['scripted'],
      );
      const [newest] = await store.listRuns({ workflow: 'triage', limit: 1 });
      assert.equal(newest?.id, withTokens.id);
      assert.deepEqual(newest?.tokens, { input: 15, output: 3 });
      const live = await store.listRuns({ workflow: 'triage', mode: 'live', version: v2.id });
      assert.equal(live.length, 2);
      const plain = live.find((r) => r.id !== withTokens.id);
      assert.equal(plain?.tokens, undefined, 'a run without model calls has no tokens');
    });

    test('runs: a routed run says which channel routed it, and runs are listed by channel', async (t) => {
      const store = await fresh(t);
      const v1 = { id: idOf('triage', 1), seq: 1 };
      const v2 = { id: idOf('triage', 2), seq: 2 };
      const when = (minutes: number): Date => new Date(Date.UTC(2026, 0, 1, 12, minutes));
      const stable = await recordRun(store, {
        workflow: 'triage',
        version: v1,
        at: when(1),
        routing: routedBy('production', 4123, 'stable', v1.id),
      });
      // A child's inherited, non-sticky bucket is summarised the same way.
      const candidate = await recordRun(store, {
        workflow: 'triage',
        version: v2,
        at: when(2),
        routing: {
          ...routedBy('production', 9999, 'candidate', v2.id),
          sticky: false,
          inherited: true,
        },
      });
      // Bucket 0 and another channel: neither is mistaken for no routing.
      const staging = await recordRun(store, {
        workflow: 'triage',
        version: v2,
        at: when(3),
        routing: routedBy('staging', 0, 'stable', v2.id),
      });
      const unrouted = await recordRun(store, { workflow: 'triage', version: v2, at: when(4) });
      const other = await recordRun(store, {
        workflow: 'other',
        version: v1,
        at: when(5),
        routing: routedBy('production', 17, 'stable', v1.id),
      });

      const listed = await store.listRuns({ workflow: 'triage' });
      assert.deepEqual(
        listed.map((r) => [r.id, r.routing ?? null]),
        [
          [unrouted, null],
          [staging, { channel: 'staging', bucket: 0, target: 'stable' }],
          [candidate, { channel: 'production', bucket: 9999, target: 'candidate' }],
          [stable, { channel: 'production', bucket: 4123, target: 'stable' }],
        ],
      );
      assert.ok(!('routing' in listed[0]!), 'a run no channel routed has no routing key at all');

      const ids = async (query: Parameters<Store['listRuns']>[0]): Promise<string[]> =>
        (await store.listRuns(query)).map((r) => r.id);
      assert.deepEqual(await ids({ workflow: 'triage', channel: 'production' }), [
        candidate,
        stable,
      ]);
      assert.deepEqual(await ids({ channel: 'production' }), [other, candidate, stable]);
      assert.deepEqual(await ids({ workflow: 'triage', channel: 'staging' }), [staging]);
      assert.deepEqual(
        await ids({ workflow: 'triage', version: v2.id, channel: 'production' }),
        [candidate],
        'with the version too: the health figures of one version on one channel',
      );
      assert.deepEqual(await ids({ workflow: 'triage', channel: 'production', limit: 1 }), [
        candidate,
      ]);
      assert.deepEqual(await ids({ workflow: 'triage', channel: 'canary' }), []);
      assert.deepEqual(
        await ids({ workflow: 'triage', channel: 'production', status: 'failed' }),
        [],
      );
    });
  });
}
