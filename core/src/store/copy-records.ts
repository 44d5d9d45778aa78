/**
 * Writing records that arrived whole from elsewhere (an imported bundle, another store being
 * migrated) through the Store interface, so that the copy is checked and stored exactly as the
 * store stores its own.
 */
import type { RunEvent, RunRecord } from '../model/runs.js';
import { unfoldInterruptedRun, unfoldRun } from './fold-run.js';
import type { VersionDraft, VersionRecord } from './records.js';
import type { Store } from './store.js';

/** The draft a stored record was made from: saving it again gives the same id and checksum. */
export function draftOfRecord(record: VersionRecord): VersionDraft {
  return {
    definition: record.definition,
    source: record.source,
    ...(record.sourcePath === undefined ? {} : { sourcePath: record.sourcePath }),
    createdAt: record.createdAt,
    author: record.author,
    git: record.git,
  };
}

/**
 * Writes a finished run whole: its header starts the journal, the rest follows, then closes.
 * @throws Error for a run still running or interrupted (see `unfoldRun`).
 */
export async function writeFinishedRun(store: Store, run: RunRecord): Promise<void> {
  await writeEvents(store, run, unfoldRun(run));
}

/**
 * Writes an interrupted run as it was left: its events without an end, then closes the writer,
 * so it reads as interrupted in this store too.
 * @throws Error for a run that is not interrupted.
 */
export async function writeInterruptedRun(store: Store, run: RunRecord): Promise<void> {
  await writeEvents(store, run, unfoldInterruptedRun(run));
}

/** The header starts the journal, the other events follow, then the writer closes. */
async function writeEvents(store: Store, run: RunRecord, events: RunEvent[]): Promise<void> {
  const writer = await store.createRun(run.header);
  for (const event of events.slice(1)) await writer.append(event);
  await writer.close();
}
