/**
 * `lockstep migrate`: a workspace's file store copied into a PostgreSQL store (see
 * core/src/store/store-copy.ts), its baselines with it, then both verified and their chains
 * compared. The file store is left as it was (only its index, a cache, may catch up): a fallback
 * until the team has switched.
 */
import { UsageError } from '../../model/errors.js';
import { copyStore, type CopyOptions, type CopyResult } from '../../store/store-copy.js';
import type { Store, VerifyReport } from '../../store/store.js';
import { isStoreUrl } from '../../validate/store-setting.js';
import { BaselineFiles } from '../store/baseline-files.js';
import { openFsStore } from '../store/fs-store.js';
import type { PgBaselines } from '../store/postgres/pg-baselines.js';
import { openPgStore } from '../store/postgres/pg-store.js';

/** The head of each chain: the last entry's hash (null for an empty log). */
export interface ChainHeads {
  readonly control: string | null;
  readonly local: string | null;
}

/** What a migration did and found. */
export interface MigrationResult extends CopyResult {
  /** The file store's folder. */
  readonly from: string;
  /** The PostgreSQL store, without its password. */
  readonly to: string;
  /** The baselines of `.lockstep/baselines/` copied (same ids) or found there already. */
  readonly baselines: { readonly copied: number; readonly present: number };
  /** `verify` of each side after the copy. */
  readonly verified: { readonly from: VerifyReport; readonly to: VerifyReport };
  readonly heads: { readonly from: ChainHeads; readonly to: ChainHeads };
  /** Both verified clean and both chains end at the same entries. */
  readonly ok: boolean;
}

/** What went wrong before anything was copied: the file store is not intact. */
export interface SourceNotIntact {
  readonly from: string;
  readonly verified: VerifyReport;
}

/**
 * Copies the file store in `folder` into the PostgreSQL store at `url` (its schema installed
 * when the database is empty). Nothing is copied when the file store does not verify.
 * `options.onProgress` hears how far the copy of the runs has got.
 * @throws UsageError when `url` is not a PostgreSQL URL; StoreError when either store cannot be
 *   opened, or the database holds another store's history (see copyStore).
 */
export async function migrateToPostgres(
  folder: string,
  url: string,
  options: CopyOptions = {},
): Promise<MigrationResult | SourceNotIntact> {
  if (!isStoreUrl(url)) {
    throw new UsageError('--to must be a PostgreSQL URL: postgres://user@host:5432/database');
  }
  const source = await openFsStore(folder);
  try {
    const before = await source.verify();
    if (!before.ok) return { from: source.info.location, verified: before };
    const target = await openPgStore(url, { create: true });
    try {
      const copy = await copyStore(source, target, options);
      const baselines = await copyBaselines(new BaselineFiles(folder), target.baselines);
      const [fromReport, toReport, fromHeads, toHeads] = await Promise.all([
        source.verify(),
        target.verify(),
        chainHeads(source),
        chainHeads(target),
      ]);
      return {
        ...copy,
        baselines,
        from: source.info.location,
        to: target.info.location,
        verified: { from: fromReport, to: toReport },
        heads: { from: fromHeads, to: toHeads },
        ok:
          fromReport.ok &&
          toReport.ok &&
          fromHeads.control === toHeads.control &&
          fromHeads.local === toHeads.local,
      };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/**
 * Copies every baseline file into the team store, verbatim.
 * @throws BaselineError naming a damaged baseline file (nothing after it is copied; run again
 *   once it is repaired).
 */
async function copyBaselines(
  from: BaselineFiles,
  to: PgBaselines,
): Promise<{ copied: number; present: number }> {
  let copied = 0;
  let present = 0;
  for (const workflow of await from.workflows()) {
    for (const stored of await from.list(workflow)) {
      if (await to.put(workflow, stored)) copied += 1;
      else present += 1;
    }
  }
  return { copied, present };
}

/** Whether a migration got as far as copying. */
export function migrated(result: MigrationResult | SourceNotIntact): result is MigrationResult {
  return 'heads' in result;
}

async function chainHeads(store: Store): Promise<ChainHeads> {
  const [control, local] = await Promise.all([store.readControlLog(), store.readLocalLog()]);
  return { control: control.at(-1)?.hash ?? null, local: local.at(-1)?.hash ?? null };
}
