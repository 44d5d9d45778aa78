/**
 * Where `lockstep serve` and `lockstep worker` find their store and their queue: the workspace's
 * store (whatever backend the workspace names), and the queue in the PostgreSQL database named by
 * `--queue-url` / LOCKSTEP_QUEUE, else the store's own database when the store is PostgreSQL.
 */
import { UsageError } from '../../model/errors.js';
import type { Store } from '../../store/store.js';
import { isPostgresUrl } from '../store/postgres/store-url.js';
import type { StoreLocation } from '../workspace/store-location.js';
import { Workspace, type WorkspaceOptions } from '../workspace/workspace.js';
import { RunQueue } from './queue/run-queue.js';

/** Opens the store the team's runs are recorded in (created when missing). */
export async function openTeamStore(workspace: Workspace): Promise<Store> {
  return workspace.openStore({ create: true });
}

/**
 * The queue's database URL.
 * @param queueUrl `--queue-url` or LOCKSTEP_QUEUE, when given.
 * @param store where the workspace's store lives (`--store`, LOCKSTEP_STORE, the config's
 *   `store:`): a PostgreSQL store's database holds the queue too.
 * @throws UsageError when neither names a PostgreSQL database.
 */
export function queueUrlFor(queueUrl: string | undefined, store: StoreLocation): string {
  if (queueUrl !== undefined) {
    if (!isPostgresUrl(queueUrl)) {
      throw new UsageError(
        `--queue-url: '${queueUrl.replace(/:[^:@/]*@/, ':…@')}' is not a postgres:// URL: the run queue lives in PostgreSQL`,
      );
    }
    return queueUrl;
  }
  if (store.kind === 'postgres') return store.url;
  throw new UsageError(
    'no run queue: give its PostgreSQL database with --queue-url postgres://… (or LOCKSTEP_QUEUE), or use a PostgreSQL store, whose database holds the queue',
  );
}

/** What serve and workers work with; `close` ends both connections. */
export interface Team {
  readonly workspace: Workspace;
  readonly store: Store;
  readonly queue: RunQueue;
  /** The queue's database URL (password included: never print it). */
  readonly queueUrl: string;
  close(): Promise<void>;
}

/**
 * Opens the workspace around `dir`, its store and the queue (see `queueUrlFor`), closing what
 * was opened when a later step fails.
 * @param queueUrl `--queue-url` or LOCKSTEP_QUEUE, when given.
 */
export async function openTeam(
  dir: string,
  queueUrl: string | undefined,
  options: WorkspaceOptions,
): Promise<Team> {
  const workspace = await Workspace.locate(dir, options);
  const url = queueUrlFor(queueUrl, await workspace.storeLocation());
  const queue = await RunQueue.open(url);
  const store = await openTeamStore(workspace).catch(async (error: unknown) => {
    await queue.close();
    throw error;
  });
  return {
    workspace,
    store,
    queue,
    queueUrl: url,
    close: async () => {
      await Promise.all([queue.close(), store.close()]);
    },
  };
}
