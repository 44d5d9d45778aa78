// Several processes publishing into one store at once: nothing is lost, no seq is shared, and the
// control log stays one intact chain.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { contentId } from '../../core/src/hash/canonical.js';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { entryHashProblem } from '../../core/src/store/records.js';
import type { Store } from '../../core/src/store/store.js';
import { runLockstep } from '../helpers/cli.js';
import { definition } from '../helpers/store-drafts.js';
import {
  publicationsOf,
  startWorker,
  WORKER_WORKFLOW,
  type WorkerExit,
} from '../helpers/store-workers.js';
import { tempDir } from '../helpers/temp.js';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function assertChainIntact(store: Store, length: number): Promise<void> {
  const log = await store.readControlLog();
  assert.deepEqual(
    log.map((e) => e.index),
    range(1, length),
  );
  for (const [i, entry] of log.entries()) {
    assert.equal(entry.prev, i === 0 ? null : log[i - 1]!.hash, `entry ${entry.index} links`);
    assert.equal(entryHashProblem(entry), undefined, `entry ${entry.index} hash`);
  }
}

test(
  '6 processes × 15 publishes into one store lose nothing and share no seq',
  { timeout: 180_000 },
  async (t) => {
    const WORKERS = 6;
    const EACH = 15;
    const root = path.join(tempDir(t), '.lockstep');
    await (await openFsStore(root, { create: true })).close();

    const workers = range(1, WORKERS).map((n) => startWorker(root, `w${n}`, EACH));
    const exits: WorkerExit[] = await Promise.all(workers.map((w) => w.exited));
    for (const [i, exit] of exits.entries()) {
      assert.equal(exit.code, 0, `worker w${i + 1} failed: ${exit.stderr}`);
    }

    // What the workers were told matches: every publish got its own seq.
    const reported = exits.flatMap((exit) => publicationsOf(exit.stdout));
    assert.equal(reported.length, WORKERS * EACH);
    assert.deepEqual(
      reported.map((p) => p.seq).sort((a, b) => a - b),
      range(1, WORKERS * EACH),
    );

    const store = await openFsStore(root);
    t.after(() => store.close());
    const publications = await store.listPublications(WORKER_WORKFLOW);
    assert.equal(publications.length, WORKERS * EACH);
    assert.deepEqual(
      publications.map((p) => p.seq),
      range(1, WORKERS * EACH),
    );
    const expected = range(1, WORKERS).flatMap((n) =>
      range(0, EACH - 1).map((index) =>
        contentId(definition(WORKER_WORKFLOW, { worker: `w${n}`, index })),
      ),
    );
    assert.deepEqual(publications.map((p) => p.version).sort(), [...expected].sort());
    const bySeq = new Map(publications.map((p) => [p.seq, p.version]));
    for (const p of reported) assert.equal(bySeq.get(p.seq), p.version, `seq ${p.seq}`);

    const report = await store.verify();
    assert.equal(report.ok, true);
    assert.deepEqual(report.problems, []);
    assert.equal(report.checked.entries, WORKERS * EACH);
    await assertChainIntact(store, WORKERS * EACH);
  },
);

test(
  '4 CLI publishes of one workflow name at once get 4 distinct, gapless seqs',
  { timeout: 120_000 },
  async (t) => {
    const COPIES = 4;
    const workspace = tempDir(t);
    mkdirSync(path.join(workspace, '.lockstep'));
    const files = range(1, COPIES).map((n) => {
      // Not `*.workflow.yaml`: the workspace check refuses two workflow files with one name, and
      // here four copies of one workflow (four checkouts, say) are published on purpose.
      const file = path.join(`copy-${n}`, 'shared.yaml');
      mkdirSync(path.join(workspace, `copy-${n}`));
      writeFileSync(
        path.join(workspace, file),
        `name: shared\nsteps:\n  - id: a\n    transform: ${n}\n`,
      );
      return file;
    });

    const results = await Promise.all(
      files.map((file, i) =>
        runLockstep(['publish', file, '-m', `copy ${i + 1}`, '--json'], {
          cwd: workspace,
          env: { LOCKSTEP_AUTHOR: `writer-${i + 1}` },
        }),
      ),
    );
    const outputs = results.map((result, i) => {
      assert.equal(result.code, 0, `publish ${files[i]} failed: ${result.stdout}${result.stderr}`);
      return JSON.parse(result.stdout) as {
        created: boolean;
        publication: { seq: number; version: string; author: string };
      };
    });
    assert.ok(outputs.every((o) => o.created));
    assert.deepEqual(
      outputs.map((o) => o.publication.seq).sort((a, b) => a - b),
      range(1, COPIES),
    );

    const store = await openFsStore(path.join(workspace, '.lockstep'));
    t.after(() => store.close());
    const publications = await store.listPublications('shared');
    assert.deepEqual(
      publications.map((p) => p.seq),
      range(1, COPIES),
    );
    for (const [i, output] of outputs.entries()) {
      const publication = publications.find((p) => p.seq === output.publication.seq)!;
      assert.equal(publication.version, output.publication.version);
      assert.equal(publication.author, `writer-${i + 1}`);
      const record = await store.getVersion('shared', publication.version);
      assert.equal(record?.source, readFileSync(path.join(workspace, files[i]!), 'utf8'));
    }
    assert.equal(new Set(publications.map((p) => p.version)).size, COPIES);
    assert.deepEqual((await store.verify()).problems, []);
    await assertChainIntact(store, COPIES);
  },
);
