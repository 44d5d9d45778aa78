/**
 * The store's format file, `store.json`. A store written by a newer Lockstep is refused (it may
 * hold data this one would misread); format 1 is the first, so there is nothing older to migrate.
 */
import { readFile, stat } from 'node:fs/promises';
import { StoreError, StoreFormatError } from '../../../model/errors.js';
import { STORE_FORMAT } from '../../../store/format.js';
import { ensureDirectory, writeFileOnce } from './atomic-file.js';
import type { StoreLayout } from './layout.js';

interface FormatFile {
  readonly lockstep: 'store';
  readonly format: number;
}

/**
 * Checks the folder and its format, creating both when `create` is set.
 * @returns the store's format.
 */
export async function checkStoreFormat(layout: StoreLayout, create: boolean): Promise<number> {
  const exists = await stat(layout.root).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) {
    if (!create) {
      throw new StoreError(
        'no-store',
        `no Lockstep store at ${layout.root}: snapshot or publish a workflow to create one, or point --store / LOCKSTEP_STORE at an existing .lockstep folder`,
      );
    }
    await createStoreFiles(layout);
    return STORE_FORMAT;
  }
  let text: string;
  try {
    text = await readFile(layout.formatFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // A folder with only a config.yaml, say: an empty store of the current format. The format
    // file is written with the first version.
    if (create) await createStoreFiles(layout);
    return STORE_FORMAT;
  }
  let parsed: Partial<FormatFile>;
  try {
    parsed = JSON.parse(text) as Partial<FormatFile>;
  } catch {
    throw new StoreFormatError(
      'bad-format-file',
      `${layout.formatFile} is not valid JSON; restore it from git (it should read {"lockstep": "store", "format": ${STORE_FORMAT}})`,
    );
  }
  if (parsed.lockstep !== 'store' || !Number.isInteger(parsed.format) || (parsed.format ?? 0) < 1) {
    throw new StoreFormatError(
      'bad-format-file',
      `${layout.formatFile} does not describe a Lockstep store; restore it from git (it should read {"lockstep": "store", "format": ${STORE_FORMAT}})`,
    );
  }
  if (parsed.format! > STORE_FORMAT) {
    throw new StoreFormatError(
      'newer-format',
      `${layout.root} was written by a newer Lockstep (store format ${parsed.format}; this one reads format ${STORE_FORMAT} and older). Upgrade Lockstep to use this store; it was not changed`,
    );
  }
  return parsed.format!;
}

/** Writes the format file and `.gitignore` unless they exist (never overwrites either). */
export async function createStoreFiles(layout: StoreLayout): Promise<void> {
  await ensureDirectory(layout.local);
  const format: FormatFile = { lockstep: 'store', format: STORE_FORMAT };
  await writeFileOnce(layout.formatFile, `${JSON.stringify(format)}\n`);
  await writeFileOnce(
    layout.gitignore,
    '# Snapshots, runs, blobs, locks and caches are private to this machine.\nlocal/\n',
  );
}
