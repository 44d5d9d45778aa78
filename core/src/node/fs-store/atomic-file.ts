/**
 * Durable, write-once files: a temporary file is written and synced, then hard-linked to its
 * final name (which fails instead of overwriting when the name exists), then the folder is
 * synced. A reader sees either no file or the whole file, and a stored file is never rewritten.
 */
import { randomBytes } from 'node:crypto';
import { access, link, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { TEMP_PREFIX } from './layout.js';

/**
 * Writes `data` to `file` unless it exists. Returns true when this call created it.
 * Folders are created as needed and synced so the new entries survive power loss.
 */
export async function writeFileOnce(file: string, data: string | Uint8Array): Promise<boolean> {
  if (await exists(file)) return false; // the common case for content-addressed files: no temp file
  const dir = path.dirname(file);
  await ensureDirectory(dir);
  const temp = path.join(
    dir,
    `${TEMP_PREFIX}${path.basename(file)}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
  return true;
}

/** `mkdir -p`, syncing each parent whose listing changed. */
export async function ensureDirectory(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  // Sync every folder from the parent of the first created one down to the deepest.
  let current = dir;
  const created: string[] = [];
  while (current.length >= first.length) {
    created.push(current);
    current = path.dirname(current);
  }
  for (const folder of created.reverse()) await syncDirectory(path.dirname(folder));
}

/**
 * fsync of a folder, so a rename or link in it is durable. Windows cannot open folders for
 * syncing (and NTFS journals metadata anyway), so errors there are ignored.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (process.platform === 'win32' || code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM')
      return;
    throw error;
  } finally {
    await handle?.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
