/**
 * The local log of pruned snapshots (`local/prunes.jsonl`): what the retention rule removed, when.
 * Snapshots are local history, so this log is local too; each line carries the sha256 of the one
 * before it, so an edited or deleted line is noticed by whoever reads the chain.
 */
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../../../hash/canonical.js';
import type { ContentId } from '../../../model/content-id.js';
import { ensureDirectory } from './atomic-file.js';
import type { StoreLayout } from './layout.js';

/** One prune, as logged. */
export interface PruneEntry {
  readonly workflow: string;
  readonly removed: readonly ContentId[];
  readonly at: string;
}

/** The log's file. */
export function pruneLogPath(layout: StoreLayout): string {
  return path.join(layout.local, 'prunes.jsonl');
}

/** Appends a prune, chained to the last line, and syncs it before returning. */
export async function appendPrune(layout: StoreLayout, entry: PruneEntry): Promise<void> {
  const file = pruneLogPath(layout);
  await ensureDirectory(path.dirname(file));
  const previous = await readFile(file, 'utf8').catch(() => '');
  const last = previous.trimEnd().split('\n').at(-1) ?? '';
  const line = JSON.stringify({ ...entry, prev: last === '' ? null : sha256(last) });
  const handle = await open(file, 'a');
  try {
    await handle.appendFile(`${line}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The logged prunes, oldest first (a damaged line is skipped: the log only informs). */
export async function readPrunes(layout: StoreLayout): Promise<PruneEntry[]> {
  const text = await readFile(pruneLogPath(layout), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        const { workflow, removed, at } = JSON.parse(line) as PruneEntry;
        return [{ workflow, removed, at }];
      } catch {
        return [];
      }
    });
}
