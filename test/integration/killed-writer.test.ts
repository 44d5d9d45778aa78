// A publisher killed at an arbitrary moment (SIGKILL: no cleanup) must never leave the store
// unreadable, with a gap in a sequence, or unable to take the next publication.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { controlLogLines } from '../helpers/store-files.js';
import { draft, publishOf } from '../helpers/store-drafts.js';
import { pollUntil } from '../helpers/store-wait.js';
import { startWorker, WORKER_WORKFLOW } from '../helpers/store-workers.js';
import { tempDir } from '../helpers/temp.js';

/** How many new log entries to wait for before each kill: varied, so kills land differently. */
const KILL_AFTER = [1, 4, 2, 7, 1, 3, 5, 2];
/** Warnings an interrupted writer may leave; anything else would be a finding. */
const EXPECTED_WARNINGS = /incomplete|temporary file/;

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

test(
  'a publisher killed at varied moments leaves a consistent, writable store',
  { timeout: 400_000 },
  async (t) => {
    const root = path.join(tempDir(t), '.lockstep');
    // A long-lived reader (the editor) that stays open across every kill.
    const watcher = await openFsStore(root, { create: true });
    t.after(() => watcher.close());

    for (const [round, k] of KILL_AFTER.entries()) {
      const before = controlLogLines(root).length;
      const worker = startWorker(root, `round-${round}`, 'forever');
      let exitedEarly = false;
      void worker.exited.then(() => (exitedEarly = true));
      // Polling at a round-dependent interval varies where in a publish the kill lands.
      await pollUntil(
        () => {
          if (exitedEarly) throw new Error(`worker of round ${round} exited before being killed`);
          return controlLogLines(root).length >= before + k;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 1 + (round % 4),
          what: `${k} new entries in round ${round}`,
        },
      );
      worker.child.kill('SIGKILL');
      const exit = await worker.exited;
      assert.equal(exit.signal, 'SIGKILL', `round ${round}: ${exit.stderr}`);

      const lockLeft = existsSync(path.join(root, 'local/control.lock'));

      // A fresh open, as the next command would do.
      const store = await openFsStore(root);
      const publications = await store.listPublications(WORKER_WORKFLOW);
      const n = publications.length;
      assert.ok(
        n >= before + k,
        `round ${round}: ${n} publications, expected at least ${before + k}`,
      );
      assert.deepEqual(
        publications.map((p) => p.seq),
        range(1, n),
        `round ${round}: gapless`,
      );
      for (const publication of publications) {
        const record = await store.getVersion(WORKER_WORKFLOW, publication.version);
        assert.equal(record?.id, publication.version, `round ${round}: seq ${publication.seq}`);
      }
      for (const summary of await store.listVersions(WORKER_WORKFLOW)) {
        assert.equal((await store.getVersion(WORKER_WORKFLOW, summary.id))?.id, summary.id);
      }
      const report = await store.verify();
      assert.equal(report.ok, true, `round ${round}: ${JSON.stringify(report.problems)}`);
      for (const problem of report.problems) {
        assert.match(problem.message, EXPECTED_WARNINGS, `round ${round}: ${problem.where}`);
      }

      // The next publish succeeds with the next number, taking over a lock the killed process
      // may have left behind (local/control.lock) once it is stale.
      const started = Date.now();
      const { publication, created } = await store.publish(
        publishOf(draft(WORKER_WORKFLOW, `after kill ${round}`), {
          message: `after kill ${round}`,
        }),
      );
      assert.equal(created, true);
      assert.equal(publication.seq, n + 1, `round ${round}: next seq`);
      await store.close();
      t.diagnostic(
        `round ${round}: killed after ${n - before} new entries; lock left: ${lockLeft}; ` +
          `warnings: ${report.problems.length}; next publish took ${Date.now() - started} ms`,
      );

      assert.deepEqual(
        (await watcher.listPublications(WORKER_WORKFLOW)).map((p) => p.seq),
        range(1, n + 1),
        `round ${round}: the long-lived reader caught up`,
      );
      const after = await watcher.verify();
      assert.equal(after.ok, true, `round ${round}: ${JSON.stringify(after.problems)}`);
      assert.ok(
        after.problems.every((p) => /temporary file/.test(p.message)),
        `round ${round}: a publish settles any partial line: ${JSON.stringify(after.problems)}`,
      );
    }
  },
);
