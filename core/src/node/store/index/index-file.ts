/**
 * The index file: read whole, written whole. A write goes to a temporary file of its own (named
 * by process, thread and a random suffix), is synced, and is renamed over the index: a reader
 * sees an old or a new complete file, never a mix, and when several processes write at once the
 * last complete write wins. Whatever it holds is a cache that is checked against the files.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { TEMP_PREFIX } from '../files/layout.js';

/** A temporary file older than this was left by a writer that was killed: removed. */
const ABANDONED_MS = 10 * 60_000;

/**
 * The index file's bytes, or undefined when there is none (or it cannot be read). Asynchronous,
 * so that the worker reads it while sql.js compiles.
 */
export async function readIndexFile(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

/**
 * Replaces the index file with `bytes` atomically (temporary file, fdatasync, rename).
 * @throws when the folder cannot be written; the caller keeps its database and tries later.
 */
export function writeIndexFile(file: string, bytes: Uint8Array): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = path.join(
    dir,
    `${TEMP_PREFIX}${path.basename(file)}-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`,
  );
  const fd = openSync(temp, 'wx');
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    // Synced before the rename, so that after a power loss the name holds a whole file (the old
    // one or this one), not one whose blocks were never written.
    fdatasyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

/** Removes temporary index files that killed writers left behind (old enough to be orphans). */
export function removeAbandonedTemps(file: string, now: number = Date.now()): void {
  const dir = path.dirname(file);
  const prefix = `${TEMP_PREFIX}${path.basename(file)}-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const full = path.join(dir, name);
    try {
      if (now - statSync(full).mtimeMs > ABANDONED_MS) unlinkSync(full);
    } catch {
      // Another process removed or renamed it first.
    }
  }
}
