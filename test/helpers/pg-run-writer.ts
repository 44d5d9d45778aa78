/**
 * A process that writes one run into a PostgreSQL store and then waits to be killed: for tests
 * of what a killed writer leaves. Usage: node pg-run-writer.js <url>. It prints the run's id once
 * the run's first steps are committed.
 */
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import { startRun } from './run-records.js';

const [url] = process.argv.slice(2);
const store = await openPgStore(url!, { create: true });
const { id } = await startRun(store, { workflow: 'triage' });
process.stdout.write(`${id}\n`);
setInterval(() => undefined, 60_000);
