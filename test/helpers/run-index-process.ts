/**
 * A separate process that records runs and lists them through the store's index, for the
 * cross-process index tests. Every few runs it closes the store (which writes the index file) and
 * opens it again (which loads whatever file another process wrote last).
 *
 *   node run-index-process.js <store> <workflow> <count>
 *
 * Prints the ids it recorded as one JSON array on stdout; exits 1 when its own index ever failed
 * to list a run it had recorded.
 */
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { recordRun } from './run-records.js';

async function main(): Promise<void> {
  const [root, workflow, countText] = process.argv.slice(2);
  const count = Number(countText);
  if (!root || !workflow || !Number.isInteger(count)) {
    throw new Error('usage: run-index-process <store> <workflow> <count>');
  }
  let store = await openFsStore(root, { create: true });
  const mine: string[] = [];
  for (let i = 0; i < count; i++) {
    mine.push(await recordRun(store, { workflow }));
    const listed = new Set(
      (await store.index.listRuns({ workflow, limit: 100_000 })).map((r) => r.id),
    );
    const missing = mine.filter((id) => !listed.has(id));
    if (missing.length > 0)
      throw new Error(`run ${i}: the index does not list ${missing.join(', ')}`);
    if (i % 3 === 2) {
      await store.close();
      store = await openFsStore(root);
    }
  }
  await store.close();
  process.stdout.write(JSON.stringify(mine));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
