/**
 * Where the file store keeps things inside a `.lockstep` folder. Shared (committed) files sit at
 * the top; everything under `local/` is private to this machine and ignored by git.
 */
import path from 'node:path';
import type { ContentId } from '../../../model/content-id.js';
import { StoreError } from '../../../model/errors.js';
import { checkWorkflowName, quoted } from '../../../model/names.js';

export interface StoreLayout {
  readonly root: string;
  /** `{ "lockstep": "store", "format": N }`: the storage format. Committed. */
  readonly formatFile: string;
  /** Keeps `local/` out of git. Written once, when the store is created. */
  readonly gitignore: string;
  /** Regression baselines, one folder per workflow. Committed. */
  readonly baselines: string;
  /** The hash-chained control log (publications, later channel changes). Committed. */
  readonly controlLog: string;
  readonly local: string;
  readonly snapshots: string;
  /** Run journals, one folder per UTC day. */
  readonly runs: string;
  readonly blobs: string;
  /** A rebuildable index of the control log's lines, read on open instead of the whole log. */
  readonly controlIndex: string;
  /** The folded control state as of a point in the log (control-checkpoint.ts): read on open. */
  readonly controlCheckpoint: string;
  /**
   * The sql.js index of run and version summaries (see core/src/node/store/index/): a rebuildable cache
   * for history queries, never read by writers. Deleting it loses nothing.
   */
  readonly index: string;
  /** The newest runs of each workflow, beside the index (index/newest-runs.ts). */
  readonly newestRuns: string;
  /** The lock that serialises control-log appends between processes. */
  readonly controlLock: string;
  /** Where an interrupted, unacknowledged append is set aside before the log is extended. */
  readonly quarantine: string;
}

export function storeLayout(root: string): StoreLayout {
  const local = path.join(root, 'local');
  return {
    root,
    formatFile: path.join(root, 'store.json'),
    gitignore: path.join(root, '.gitignore'),
    baselines: path.join(root, 'baselines'),
    controlLog: path.join(root, 'control.jsonl'),
    local,
    snapshots: path.join(local, 'versions'),
    runs: path.join(local, 'runs'),
    blobs: path.join(local, 'blobs'),
    controlIndex: path.join(local, 'control-index.jsonl'),
    controlCheckpoint: path.join(local, 'control-checkpoint.bin'),
    index: path.join(local, 'index.sqlite'),
    newestRuns: path.join(local, 'newest-runs.bin'),
    controlLock: path.join(local, 'control.lock'),
    quarantine: path.join(local, 'quarantine'),
  };
}

/** The hex digits of a content id. */
export function hexOf(id: ContentId): string {
  return id.slice('sha256:'.length);
}

export function snapshotDir(layout: StoreLayout, name: string): string {
  return within(layout.snapshots, name);
}

export function snapshotPath(layout: StoreLayout, name: string, id: ContentId): string {
  return within(layout.snapshots, name, `${hexOf(id)}.json`);
}

/** A workflow's baselines folder; the name is checked against the workflow-name grammar first. */
export function baselineDir(layout: StoreLayout, name: string): string {
  return within(layout.baselines, checkWorkflowName(name));
}

export function blobPath(layout: StoreLayout, id: ContentId): string {
  const hex = hexOf(id);
  return within(layout.blobs, hex.slice(0, 2), hex.slice(2));
}

/**
 * `parts` joined below `folder`, checked to stay below it. Names and ids are parsed to their
 * grammars before they get here (store/argument-checks.ts); this is the last line of defence, so
 * that a path built from input can never leave the store, whatever a future caller forgets.
 * @throws StoreError (`bad-name`) naming the part that would leave the folder.
 */
export function within(folder: string, ...parts: string[]): string {
  const joined = path.join(folder, ...parts);
  const relative = path.relative(folder, joined);
  const escapes =
    relative === '' ||
    relative.startsWith('..') ||
    path.isAbsolute(relative) ||
    parts.some((part) => part.includes('\0') || part.includes('/') || part.includes('\\'));
  if (escapes) {
    throw new StoreError(
      'bad-name',
      `${quoted(parts.join('/'))} would leave the store's folder ${folder}; nothing was read or written`,
    );
  }
  return joined;
}

/** Prefix of temporary files; a leftover one means a writer was killed mid-write. */
export const TEMP_PREFIX = '.tmp-';
