/**
 * Regression baselines on disk: `.lockstep/baselines/<workflow>/<hex>.json`, committed with the
 * workflows (the store's `.gitignore` keeps only `local/` out of git). Each file is a baseline's
 * canonical JSON named by its sha256, written once (temporary file, sync, link, folder sync) and
 * checked against its name whenever it is read.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { baselineId, baselineOf, baselineText, parseBaseline } from '../../baselines/baseline.js';
import {
  baselineOfRun,
  checkRunOf,
  oldestRunFirst,
  type BaselineStore,
  type StoredBaseline,
} from '../../baselines/baseline-store.js';
import type { ContentId } from '../../model/content-id.js';
import { WORKFLOW_NAME } from '../../model/names.js';
import type { RunRecord } from '../../model/runs.js';
import { writeFileOnce, syncDirectory } from './files/atomic-file.js';
import { baselineDir, hexOf, storeLayout, within, type StoreLayout } from './files/layout.js';

const BASELINE_FILE = /^([0-9a-f]{64})\.json$/;

export type { StoredBaseline } from '../../baselines/baseline-store.js';

/** The baselines of the store whose `.lockstep` folder is `root`. */
export class BaselineFiles implements BaselineStore {
  readonly committed = true;
  private readonly layout: StoreLayout;

  constructor(readonly where: string) {
    this.layout = storeLayout(where);
  }

  async list(workflow: string): Promise<StoredBaseline[]> {
    const dir = baselineDir(this.layout, workflow);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const stored: StoredBaseline[] = [];
    for (const name of names.sort()) {
      const hex = BASELINE_FILE.exec(name)?.[1];
      if (hex === undefined) continue; // temporary files, notes: not baselines
      const file = within(dir, name);
      const id: ContentId = `sha256:${hex}`;
      const text = await readFile(file, 'utf8');
      const baseline = parseBaseline(text, file, id, workflow);
      stored.push({ id, location: file, file, baseline });
    }
    return stored.sort(oldestRunFirst);
  }

  async add(
    workflow: string,
    run: RunRecord,
    redact: ReadonlyMap<string, string>,
  ): Promise<{ stored: StoredBaseline; created: boolean }> {
    checkRunOf(workflow, run);
    const existing = (await this.list(workflow)).find(
      (b) => b.baseline.run.header.id === run.header.id,
    );
    if (existing) return { stored: existing, created: false };
    const baseline = baselineOf(run, redact);
    const text = baselineText(baseline);
    const id = baselineId(text);
    const file = within(baselineDir(this.layout, workflow), `${hexOf(id)}.json`);
    const created = await writeFileOnce(file, text);
    return { stored: { id, location: file, file, baseline }, created };
  }

  /** The workflows that have a folder of baselines (possibly empty), sorted. */
  async workflows(): Promise<string[]> {
    try {
      const entries = await readdir(this.layout.baselines, { withFileTypes: true });
      return entries
        .filter((entry) => entry.isDirectory() && WORKFLOW_NAME.test(entry.name))
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Only the baseline's file is deleted. */
  async remove(workflow: string, run: string): Promise<StoredBaseline> {
    const match = baselineOfRun(await this.list(workflow), workflow, run);
    await unlink(match.location);
    await syncDirectory(path.dirname(match.location));
    return match;
  }
}
