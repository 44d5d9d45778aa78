/**
 * Fills a Lockstep file store quickly: the control log is built in memory with exactly the entries
 * `FsStore.publish` would append (same fields, same order, same chain), then written in one go and
 * synced. `checkFillMatchesPublish` proves the bytes are identical to what the API writes.
 */
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContentId } from '../../core/src/model/content-id.js';
import { formatLogLine } from '../../core/src/node/store/files/control-log-file.js';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../core/src/node/store/files/layout.js';
import {
  makeVersionRecord,
  sealEntry,
  type ControlEntry,
  type PublishRequest,
} from '../../core/src/store/records.js';

/** The control-log text that publishing `requests` in order into an empty store produces. */
export function controlLogText(requests: readonly PublishRequest[]): string {
  const seqs = new Map<string, number>();
  let prev: ContentId | null = null;
  const lines: string[] = [];
  requests.forEach((request, i) => {
    const record = makeVersionRecord(request.version);
    const seq = (seqs.get(record.name) ?? 0) + 1;
    seqs.set(record.name, seq);
    const entry: ControlEntry = sealEntry(
      {
        type: 'publish',
        at: request.at,
        actor: request.author,
        workflow: record.name,
        seq,
        version: record.id,
        message: request.message,
        git: request.git,
        record,
      },
      i + 1,
      prev,
    );
    prev = entry.hash;
    lines.push(`${formatLogLine(entry)}\n`);
  });
  return lines.join('');
}

/**
 * Creates a store at `root` (a `.lockstep` folder that must not exist yet) holding `requests` as
 * published versions.
 */
export async function fillLockstepStore(
  root: string,
  requests: readonly PublishRequest[],
): Promise<void> {
  const store = await openFsStore(root, { create: true });
  await store.close();
  const handle = await open(storeLayout(path.resolve(root)).controlLog, 'wx');
  try {
    await handle.writeFile(controlLogText(requests));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Publishes `requests` through the API into a fresh store at `root` and checks that the control
 * log it wrote is byte for byte what `controlLogText` builds.
 * @throws Error when they differ (the fill would not be a faithful store).
 */
export async function checkFillMatchesPublish(
  root: string,
  requests: readonly PublishRequest[],
): Promise<void> {
  const store = await openFsStore(root, { create: true });
  for (const request of requests) await store.publish(request);
  await store.close();
  const written = await readFile(storeLayout(path.resolve(root)).controlLog, 'utf8');
  if (written !== controlLogText(requests)) {
    throw new Error(
      'the benchmark fill does not write what FsStore.publish writes: update test/bench/lockstep-fill.ts',
    );
  }
}
