/**
 * Opens a store wherever it lives: a PostgreSQL URL opens the PostgreSQL store, anything else is
 * a `.lockstep` folder of files. The one place that knows both backends, so that nothing else
 * assumes files.
 */
import type { Store } from '../../store/store.js';
import { openFsStore } from './fs-store.js';
import { isPostgresUrl } from './postgres/store-url.js';

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
  if (!isPostgresUrl(location)) return openFsStore(location, options);
  // Loaded only for a PostgreSQL store: the driver and its network modules are a large share of
  // a short command's start (the command line, the editor's service) when the store is a folder.
  const { openPgStore } = await import('./postgres/pg-store.js');
  return openPgStore(location, options);
}
