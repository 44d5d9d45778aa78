/**
 * Copying one store into another (`lockstep migrate`): the control log and the local log
 * verbatim (same entries, same hashes, same chain), snapshots saved again from their records
 * (same ids, checked), finished and interrupted runs written whole. Only what the target lacks
 * is copied, so a copy that stopped half-way, or one made before new publications, is simply run
 * again.
 */
import { StoreError } from '../model/errors.js';
import type { RunStatus } from '../model/runs.js';
import { draftOfRecord, writeFinishedRun, writeInterruptedRun } from './copy-records.js';
import type { LocalLogLine } from './local-log.js';
import type { ControlEntry } from './records.js';
import type { Store } from './store.js';

/** A store that can take another store's logs exactly as they are (the PostgreSQL store). */
export interface VerbatimTarget extends Store {
  /** Appends entries that continue its control log; entries it holds already are skipped. */
  appendControlVerbatim(entries: readonly ControlEntry[]): Promise<unknown>;
  /** Appends lines that continue its local log; lines it holds already are skipped. */
  appendLocalVerbatim(lines: readonly LocalLogLine[]): Promise<unknown>;
}

/** How many of each kind of record. */
export interface CopyCounts {
  readonly entries: number;
  readonly snapshots: number;
  readonly runs: number;
  readonly localLines: number;
}

/** What a copy did. */
export interface CopyResult {
  /** Written to the target by this copy. */
  readonly copied: CopyCounts;
  /** Found in the target already (an earlier copy, or the same content stored there). */
  readonly present: CopyCounts;
  /**
   * Runs not copied because they are still running: copy again once they have finished. (An
   * interrupted run is copied as interrupted.)
   */
  readonly unfinished: readonly { readonly id: string; readonly status: RunStatus }[];
}

/** How far a copy has got through the source's runs (the longest part of a copy). */
export interface CopyProgress {
  /** Runs looked at so far: copied, found in the target, or left because still running. */
  readonly done: number;
  readonly total: number;
}

export interface CopyOptions {
  /** Told every `progressEvery` runs, and once all runs were looked at. */
  readonly onProgress?: (progress: CopyProgress) => void;
  /** Runs between two progress reports (default 500). */
  readonly progressEvery?: number;
}

/** Runs are listed whole: a store's runs, newest first, with no limit worth the name. */
const ALL = Number.MAX_SAFE_INTEGER;

/**
 * Copies everything `source` holds that `target` lacks. The target's logs must be a beginning of
 * the source's (empty, or an earlier copy of it).
 * @throws StoreError (`broken-control-log`) when the target's control log or local log is not a
 *   beginning of the source's (another store's history): nothing is copied then; StoreError when
 *   a snapshot saved in the target gets another id than it has in the source.
 */
export async function copyStore(
  source: Store,
  target: VerbatimTarget,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const [sourceEntries, targetEntries, sourceLocal, targetLocal] = await Promise.all([
    source.readControlLog(),
    target.readControlLog(),
    source.readLocalLog(),
    target.readLocalLog(),
  ]);
  checkPrefix(target.info.location, 'control log', targetEntries, sourceEntries);
  checkPrefix(target.info.location, 'local log', targetLocal, sourceLocal);

  // Publications first: they bring their version records, so those are not snapshots to save.
  const newEntries = sourceEntries.slice(targetEntries.length);
  if (newEntries.length > 0) await target.appendControlVerbatim(newEntries);
  const snapshots = await copySnapshots(source, target);
  const runs = await copyRuns(source, target, options);
  // Last, so that the pins and gates it holds name runs the target has.
  const newLocal = sourceLocal.slice(targetLocal.length);
  if (newLocal.length > 0) await target.appendLocalVerbatim(newLocal);

  return {
    copied: {
      entries: newEntries.length,
      snapshots: snapshots.copied,
      runs: runs.copied,
      localLines: newLocal.length,
    },
    present: {
      entries: targetEntries.length,
      snapshots: snapshots.present,
      runs: runs.present,
      localLines: targetLocal.length,
    },
    unfinished: runs.unfinished,
  };
}

/** Refuses unless `target` (oldest first) is a beginning of `source`, entry by entry hash. */
function checkPrefix(
  location: string,
  log: string,
  target: readonly { readonly hash: string }[],
  source: readonly { readonly hash: string }[],
): void {
  const differs = target.findIndex((entry, i) => source[i]?.hash !== entry.hash);
  if (differs === -1) return;
  const detail =
    differs >= source.length
      ? `holds ${target.length} entries, more than the ${source.length} being copied`
      : `differs at entry ${differs + 1}`;
  throw new StoreError(
    'broken-control-log',
    `${location}: its ${log} ${detail}, so it is not a copy of this store: migrate into an empty database, or into the one this store was copied to before`,
  );
}

/** Saves every snapshot the target lacks from its record, checking it keeps its id. */
async function copySnapshots(
  source: Store,
  target: Store,
): Promise<{ copied: number; present: number }> {
  let copied = 0;
  let present = 0;
  for (const name of await source.listWorkflows()) {
    for (const summary of await source.listVersions(name)) {
      // A published version came with its publication's control-log entry.
      if (summary.publication) continue;
      if (await target.getVersion(name, summary.id)) {
        present++;
        continue;
      }
      const record = await source.getVersion(name, summary.id);
      if (!record) continue; // pruned since it was listed
      const { version } = await target.saveVersion(draftOfRecord(record));
      if (version.id !== record.id || version.checksum !== record.checksum) {
        throw new StoreError(
          'unwritable',
          `${target.info.location}: ${name} ${record.id} was stored as ${version.id} (checksum ${version.checksum}, not ${record.checksum}); nothing more was copied: please report this`,
        );
      }
      copied++;
    }
  }
  return { copied, present };
}

/** Writes every run the target lacks that is no longer running, oldest first. */
async function copyRuns(
  source: Store,
  target: Store,
  { onProgress, progressEvery = 500 }: CopyOptions,
): Promise<{ copied: number; present: number; unfinished: CopyResult['unfinished'] }> {
  const there = new Set((await target.listRuns({ limit: ALL })).map((r) => r.id));
  let copied = 0;
  let present = 0;
  const unfinished: { id: string; status: RunStatus }[] = [];
  const summaries = (await source.listRuns({ limit: ALL })).reverse();
  const total = summaries.length;
  for (const [done, summary] of summaries.entries()) {
    if (done > 0 && done % progressEvery === 0) onProgress?.({ done, total });
    if (there.has(summary.id)) {
      present++;
      continue;
    }
    const run = await source.getRun(summary.id);
    if (!run) continue; // pruned since it was listed
    if (run.status === 'running') {
      unfinished.push({ id: run.header.id, status: run.status });
      continue;
    }
    if (run.status === 'interrupted') await writeInterruptedRun(target, run);
    else await writeFinishedRun(target, run);
    copied++;
  }
  onProgress?.({ done: total, total });
  return { copied, present, unfinished };
}
