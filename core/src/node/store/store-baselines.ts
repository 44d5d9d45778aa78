/**
 * Which baselines a workspace uses: a store that keeps its own (the team's PostgreSQL store)
 * holds them; otherwise they are the files under `.lockstep/baselines/`, committed with the
 * workflows. The one place that decides it, so the command line, the editor's service, `lockstep
 * test`, bundles and retention always read the same baselines.
 */
import type { BaselineStore } from '../../baselines/baseline-store.js';
import type { Store } from '../../store/store.js';
import { BaselineFiles } from './baseline-files.js';

/** The baselines `store` keeps itself, if it keeps any. */
export function ownBaselines(store: Store): BaselineStore | undefined {
  return (store as Partial<{ readonly baselines: BaselineStore | undefined }>).baselines;
}

/**
 * The baselines of the workspace whose `.lockstep` folder is `storeDir` and whose store is
 * `store`.
 * @throws what reaching the store's baselines throws (a team store out of reach).
 */
export function baselinesOf(storeDir: string, store: Store): BaselineStore {
  return ownBaselines(store) ?? new BaselineFiles(storeDir);
}
