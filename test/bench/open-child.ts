/**
 * Run in a fresh Node process by the publish benchmark: opens one store the way a CLI command does
 * and prints how long that took, as JSON on stdout. Modules are loaded before the clock starts,
 * so this is the open itself, with a cold JIT (as in a real CLI process) but a warm page cache.
 *
 *   node out/test/bench/open-child.js lockstep <.lockstep folder>
 *   node out/test/bench/open-child.js sqlite <database file>
 */
import { performance } from 'node:perf_hooks';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { SqliteStore } from './sqlite-store.js';

const [kind, location] = process.argv.slice(2);
if ((kind !== 'lockstep' && kind !== 'sqlite') || location === undefined) {
  console.error('usage: open-child.js lockstep|sqlite <location>');
  process.exit(2);
}
const start = performance.now();
if (kind === 'lockstep') {
  const store = await openFsStore(location);
  const openMs = performance.now() - start;
  await store.close();
  process.stdout.write(JSON.stringify({ openMs }));
} else {
  const store = new SqliteStore(location);
  const openMs = performance.now() - start;
  store.close();
  process.stdout.write(JSON.stringify({ openMs }));
}
