/**
 * Store changes told by the store itself, for a store that is not files the StoreWatcher can
 * watch: the PostgreSQL store notifies every process that listens (LISTEN/NOTIFY) when anyone
 * publishes, changes a channel, records a run, pins one or changes a baseline. The feed waits for the store to exist
 * (nothing may be stored yet), then listens until closed.
 */
import type { Store } from '../store/store.js';
import type { StoreChange } from './protocol.js';

/** How often the feed looks for the store while there is none yet. */
const RETRY_MS = 2_000;

/** What a store that notifies changes offers (see PgStore.onChange). */
interface NotifyingStore {
  onChange(listener: (change: string) => void): () => void;
}

function notifies(store: Store): store is Store & NotifyingStore {
  return typeof (store as Partial<NotifyingStore>).onChange === 'function';
}

/** What the editor must reload for a change the store told of. */
function reloads(change: string): StoreChange[] {
  if (change === 'control') return ['versions'];
  if (change === 'runs' || change === 'local') return ['runs'];
  if (change === 'baselines') return ['baselines'];
  // Reconnected after the connection dropped: anything may have changed meanwhile.
  return ['versions', 'runs', 'baselines'];
}

/** Listens to a store's own change notifications; a store without any is left alone. */
export class StoreChangeFeed {
  private stop: (() => void) | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    /** The store when it exists (undefined while nothing is stored); may throw. */
    private readonly store: () => Promise<Store | undefined>,
    private readonly onChange: (changes: StoreChange[]) => void,
  ) {
    void this.attach();
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.stop?.();
  }

  private async attach(): Promise<void> {
    const store = await this.store().catch(() => undefined);
    if (this.closed) return;
    if (!store) {
      this.retry = setTimeout(() => void this.attach(), RETRY_MS);
      this.retry.unref();
      return;
    }
    if (notifies(store)) this.stop = store.onChange((change) => this.onChange(reloads(change)));
  }
}
