/**
 * The local log as a file (`local/prunes.jsonl`, see core/src/store/local-log.ts): snapshot and
 * run prunes and pins, each line chained to the one before by its sha256. Appends hold a lock of
 * their own (two processes must not chain to the same line) and are synced before returning.
 */
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  localLine,
  parseLocalLog,
  type LocalEntry,
  type LocalLogLine,
} from '../../../store/local-log.js';
import { ensureDirectory } from './atomic-file.js';
import type { StoreLayout } from './layout.js';
import { withLock } from './lock.js';

/** The log's file. */
export function pruneLogPath(layout: StoreLayout): string {
  return path.join(layout.local, 'prunes.jsonl');
}

/** Appends an entry, chained to the last complete line, and syncs it before returning. */
export async function appendLocal(layout: StoreLayout, entry: LocalEntry): Promise<void> {
  const file = pruneLogPath(layout);
  await ensureDirectory(path.dirname(file));
  await withLock(layout.formatFile, path.join(layout.local, 'prunes.lock'), async () => {
    const previous = await readFile(file, 'utf8').catch(() => '');
    // An unfinished last line (a killed writer) was never acknowledged: it is ended here, and
    // verify reports it as a damaged line rather than the chain silently skipping it.
    const needsNewline = previous !== '' && !previous.endsWith('\n');
    const last = (needsNewline ? `${previous}\n` : previous).trimEnd().split('\n').at(-1) ?? '';
    const handle = await open(file, 'a');
    try {
      await handle.appendFile(
        `${needsNewline ? '\n' : ''}${localLine(entry, last === '' ? undefined : last)}\n`,
      );
      await handle.datasync();
    } finally {
      await handle.close();
    }
  });
}

/** The log's lines, oldest first (none when it does not exist). */
export async function readLocalLog(layout: StoreLayout): Promise<LocalLogLine[]> {
  return parseLocalLog(await readFile(pruneLogPath(layout), 'utf8').catch(() => ''));
}
