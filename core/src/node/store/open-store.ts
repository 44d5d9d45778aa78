/**
 * Opens a store wherever it lives: a PostgreSQL URL opens the PostgreSQL store, anything else is
 * a `.lockstep` folder of files. The one place that knows both backends, so that nothing else
 * assumes files.
 */
import type { Store } from '../../store/store.js';
import { openFsStore } from './fs-store.js';
import { isPostgresUrl, openPgStore } from './postgres/pg-store.js';

/** How a store is opened. */
export interface OpenStoreOptions {
  /** Create the store when missing (a folder, or the schema in an empty database). */
  readonly create?: boolean;
}

/**
 * Opens the store at `location` (a folder path or a `postgres://` URL).
 * @throws StoreError when it does not exist and `create` is false, or cannot be reached;
 *   StoreFormatError when it was written by a newer Lockstep.
 */
export async function openStoreAt(
  location: string,
  options: OpenStoreOptions = {},
): Promise<Store> {
  return isPostgresUrl(location) ? openPgStore(location, options) : openFsStore(location, options);
}
