/**
 * Run in a fresh Node process by the index benchmark: opens a file store the way a CLI command
 * does, lists the newest runs of one workflow (the index file and the newest-runs file are
 * present: the newest-runs file answers a plain page; a query with a status filter starts the
 * index worker, which loads the index file and catches up), and prints timings, memory, who
 * answered and the index's own figures as JSON on stdout. The
 * store comes from the bundles (dist/core.js, whose index worker is dist/index-worker.js), as the
 * CLI and the extension load it; the bundle is loaded before the clock starts, the worker is
 * part of what is timed.
 *
 *   node out/test/bench/index-child.js <.lockstep folder> <workflow> [filtered]
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type * as FsStoreModule from '../../core/src/node/store/fs-store.js';

const { openFsStore } = createRequire(import.meta.url)(
  '../../../dist/core.js',
) as typeof FsStoreModule;

const [root, workflow, mode] = process.argv.slice(2);
if (root === undefined || workflow === undefined) {
  console.error('usage: index-child.js <.lockstep folder> <workflow>');
  process.exit(2);
}
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
const store = await openFsStore(root);
const opened = performance.now();
const runs = await store.listRuns(
  mode === 'filtered' ? { workflow, status: 'succeeded', limit: 50 } : { workflow, limit: 50 },
);
const listed = performance.now();
const answeredBy = store.index.workerStarted ? 'worker' : 'newest-runs';
const rssAfter = process.memoryUsage().rss;
const stats = await store.index.stats();
await store.close();
process.stdout.write(
  JSON.stringify({
    openMs: opened - start,
    listMs: listed - opened,
    totalMs: listed - start,
    count: runs.length,
    answeredBy,
    rssBefore,
    rssAfter,
    stats,
  }),
);
