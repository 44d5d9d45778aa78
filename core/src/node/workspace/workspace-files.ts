/**
 * Where a workspace starts and which workflow files it holds. Kept apart from `Workspace` (which
 * also opens stores) so that the language server can apply the very same rules as the CLI
 * without bundling the store.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isStoreUrl } from '../../validate/store-setting.js';
import { gitRoot } from './git.js';

/** Workflow files: `*.workflow.yaml` or `*.workflow.yml`. */
export const WORKFLOW_FILE = /\.workflow\.ya?ml$/;
/** Folders never searched for workflows. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'out']);
/** Folder entries examined per search at most: a workspace root that is a home folder stays cheap. */
export const MAX_SCANNED_ENTRIES = 50_000;

/**
 * The workspace root holding `startDir` (a folder): the nearest ancestor holding `.lockstep/`,
 * else the git root, else `startDir` itself. Absolute.
 */
export async function locateWorkspaceRoot(startDir: string): Promise<string> {
  const start = path.resolve(startDir);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (await isDirectory(path.join(dir, '.lockstep'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return (await gitRoot(start)) ?? start;
}

/**
 * The `.lockstep` folder of a workspace root: `override` when given (`--store`), else
 * `LOCKSTEP_STORE` when set, else `<root>/.lockstep`. It may not exist yet. A PostgreSQL URL in
 * either is not a folder: the workspace's own `.lockstep` then still holds its config and
 * baselines.
 */
export function storeDirFor(root: string, override?: string): string {
  const chosen = storeOptionFor(override);
  return chosen && !isStoreUrl(chosen) ? path.resolve(chosen) : path.join(root, '.lockstep');
}

/** What `--store` (`override`), else LOCKSTEP_STORE, names: a folder or a URL, if either is set. */
export function storeOptionFor(override?: string): string | undefined {
  return override || process.env['LOCKSTEP_STORE'] || undefined;
}

export interface FoundWorkflowFiles {
  readonly files: string[];
  /** False when the search stopped at MAX_SCANNED_ENTRIES before seeing every folder. */
  readonly complete: boolean;
}

/**
 * Every workflow file under `dir`, sorted. Dot-folders (`.git`, `.lockstep`), node_modules and
 * build output (dist, out) are skipped, and the search stops after MAX_SCANNED_ENTRIES entries.
 */
export async function findWorkflowFiles(dir: string): Promise<FoundWorkflowFiles> {
  const files: string[] = [];
  let budget = MAX_SCANNED_ENTRIES;
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (--budget < 0) return;
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) await walk(full);
      else if (entry.isFile() && WORKFLOW_FILE.test(entry.name)) files.push(full);
    }
  };
  await walk(path.resolve(dir));
  return { files: files.sort(), complete: budget >= 0 };
}

export async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
