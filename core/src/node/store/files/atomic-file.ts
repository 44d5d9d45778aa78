/**
 * Durable, write-once files: a temporary file is written and synced, then hard-linked to its
 * final name (which fails instead of overwriting when the name exists), then the folder is
 * synced. A reader sees either no file or the whole file, and a stored file is never rewritten.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsync, openSync } from 'node:fs';
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
  let fd: number | undefined;
  try {
    // Opening and closing a folder only look it up: done here, so that only the fsync, which
    // waits for the disk, takes a trip through Node's thread pool.
    fd = openSync(dir, 'r');
    await new Promise<void>((resolve, reject) => {
      fsync(fd!, (error) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (process.platform === 'win32' || code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM')
      return;
    throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Folder syncs shared by callers that need the same folder synced (group commit): many runs
 * created at once in a day folder each need their new entry made durable, and one fsync of the
 * folder started after an entry was created covers it. A caller joins the next sync when one is
 * already running (that one may have started before the caller's entry existed), so every caller
 * still waits for a sync that began after its own change.
 */
export class SharedFolderSyncs {
  private readonly folders = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();

  /** @param syncFolder syncs one folder (`syncDirectory`; tests count the calls). */
  constructor(private readonly syncFolder: (dir: string) => Promise<void> = syncDirectory) {}

  /**
   * Resolves once a sync of `dir` that started after this call has finished.
   * @throws what `syncDirectory` throws, to every caller sharing that sync.
   */
  sync(dir: string): Promise<void> {
    let folder = this.folders.get(dir);
    if (!folder) this.folders.set(dir, (folder = {}));
    if (folder.next) return folder.next;
    if (!folder.running) return this.start(dir, folder);
    const state = folder;
    const after = (): Promise<void> => {
      state.next = undefined;
      return this.start(dir, state);
    };
    folder.next = folder.running.then(after, after);
    return folder.next;
  }

  private start(
    dir: string,
    folder: { running?: Promise<void>; next?: Promise<void> },
  ): Promise<void> {
    const running = this.syncFolder(dir);
    folder.running = running;
    const settle = (): void => {
      if (folder.running !== running) return;
      folder.running = undefined;
      // Nothing waiting: forget the folder, so the map holds only folders being synced.
      if (!folder.next && this.folders.get(dir) === folder) this.folders.delete(dir);
    };
    running.then(settle, settle);
    return running;
  }
}
