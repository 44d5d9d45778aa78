/**
 * Run in a fresh Node process by the index benchmark: opens a file store the way a CLI command
 * does, lists the newest runs of one workflow (the index file is present: its worker loads it and
 * catches up), and prints timings, memory and the index's own figures as JSON on stdout. The
 * store comes from the bundles (dist/core.js, whose index worker is dist/index-worker.js), as the
 * CLI and the extension load it; the bundle is loaded before the clock starts, the worker is
 * part of what is timed.
 *
 *   node out/test/bench/index-child.js <.lockstep folder> <workflow>
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type * as FsStoreModule from '../../core/src/node/store/fs-store.js';

const { openFsStore } = createRequire(import.meta.url)(
  '../../../dist/core.js',
) as typeof FsStoreModule;

const [root, workflow] = process.argv.slice(2);
if (root === undefined || workflow === undefined) {
  console.error('usage: index-child.js <.lockstep folder> <workflow>');
  process.exit(2);
}
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
const store = await openFsStore(root);
const opened = performance.now();
const runs = await store.listRuns({ workflow, limit: 50 });
const listed = performance.now();
const rssAfter = process.memoryUsage().rss;
const stats = await store.index.stats();
await store.close();
process.stdout.write(
  JSON.stringify({
    openMs: opened - start,
    listMs: listed - opened,
    totalMs: listed - start,
    count: runs.length,
    rssBefore,
    rssAfter,
    stats,
  }),
);
