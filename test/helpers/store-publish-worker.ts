/**
 * A separate process that publishes into a file store, for the cross-process tests.
 *
 *   node store-publish-worker.js <store> <worker-id> <count>     publish <count> versions, exit 0
 *   node store-publish-worker.js <store> <worker-id> forever     snapshot + publish until killed
 *
 * Every version is distinct (the worker id and index are the transform's value) and of the one
 * workflow WORKER_WORKFLOW. Each publication is printed as one JSON line on stdout.
 */
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { draft, publishOf } from './store-drafts.js';
import { WORKER_WORKFLOW } from './store-workers.js';

async function main(): Promise<void> {
  const [root, worker, countText] = process.argv.slice(2);
  if (!root || !worker || !countText) {
    throw new Error('usage: store-publish-worker <store> <worker-id> <count|forever>');
  }
  const forever = countText === 'forever';
  const count = forever ? Infinity : Number(countText);
  if (!forever && !(Number.isInteger(count) && count > 0)) {
    throw new Error(`count must be a positive integer or 'forever', not '${countText}'`);
  }
  const store = await openFsStore(root, { create: true });
  for (let index = 0; index < count; index++) {
    const version = draft(WORKER_WORKFLOW, { worker, index }, { author: worker });
    // Forever mode also writes snapshots, so a kill can land in either kind of write.
    if (forever) await store.saveVersion(version);
    const { publication, created } = await store.publish(
      publishOf(version, { message: `${worker} #${index}`, author: worker }),
    );
    if (!created) throw new Error(`${worker} #${index} was already published`);
    process.stdout.write(
      `${JSON.stringify({ worker, index, seq: publication.seq, version: publication.version })}\n`,
    );
  }
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
