/**
 * Regression baselines on disk: `.lockstep/baselines/<workflow>/<hex>.json`, committed with the
 * workflows (the store's `.gitignore` keeps only `local/` out of git). Each file is a baseline's
 * canonical JSON named by its sha256, written once (temporary file, sync, link, folder sync) and
 * checked against its name whenever it is read.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  baselineId,
  baselineOf,
  baselineText,
  parseBaseline,
  type Baseline,
} from '../../baselines/baseline.js';
import type { ContentId } from '../../model/content-id.js';
import { RefError } from '../../model/errors.js';
import { checkRunIdPrefix, RUN_ID } from '../../model/names.js';
import type { RunRecord } from '../../model/runs.js';
import { writeFileOnce, syncDirectory } from './files/atomic-file.js';
import { baselineDir, hexOf, storeLayout, within, type StoreLayout } from './files/layout.js';

/** A baseline as stored. */
export interface StoredBaseline {
  readonly id: ContentId;
  readonly file: string;
  readonly baseline: Baseline;
}

const BASELINE_FILE = /^([0-9a-f]{64})\.json$/;

/** The baselines of the store whose `.lockstep` folder is `root`. */
export class BaselineFiles {
  private readonly layout: StoreLayout;

  constructor(root: string) {
    this.layout = storeLayout(root);
  }

  /**
   * A workflow's baselines, oldest recorded run first.
   * @throws BaselineError naming a file that is damaged; LockstepError (`bad-name`) for a name
   *   outside the workflow-name grammar.
   */
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
      stored.push({ id, file, baseline: parseBaseline(text, file, id, workflow) });
    }
    return stored.sort((a, b) =>
      a.baseline.run.header.startedAt.localeCompare(b.baseline.run.header.startedAt),
    );
  }

  /**
   * Adds a finished run of `workflow` as a baseline, redacted of every value in `redact`. Adding
   * a run that already is one changes nothing (`created` false).
   * @throws RefError when the run is of another workflow; what `baselineOf` throws.
   */
  async add(
    workflow: string,
    run: RunRecord,
    redact: ReadonlyMap<string, string>,
  ): Promise<{ stored: StoredBaseline; created: boolean }> {
    if (run.header.workflow !== workflow) {
      throw new RefError(
        'unknown-run',
        `run ${run.header.id} is a run of ${run.header.workflow}, not of ${workflow}`,
      );
    }
    const existing = (await this.list(workflow)).find(
      (b) => b.baseline.run.header.id === run.header.id,
    );
    if (existing) return { stored: existing, created: false };
    const baseline = baselineOf(run, redact);
    const text = baselineText(baseline);
    const id = baselineId(text);
    const file = within(baselineDir(this.layout, workflow), `${hexOf(id)}.json`);
    const created = await writeFileOnce(file, text);
    return { stored: { id, file, baseline }, created };
  }

  /**
   * Removes the baseline of a run, given by id or a unique prefix of at least 8 characters;
   * only its file is deleted.
   * @throws LockstepError (`bad-run-id`) for text that is no run id; RefError (`unknown-run`,
   *   `ambiguous-run`) when no or several baselines match.
   */
  async remove(workflow: string, run: string): Promise<StoredBaseline> {
    checkRunIdPrefix(run);
    if (!RUN_ID.test(run) && run.length < 8) {
      throw new RefError(
        'unknown-run',
        `'${run}': give a run id, or at least its first 8 characters`,
      );
    }
    const matches = (await this.list(workflow)).filter((b) =>
      b.baseline.run.header.id.startsWith(run),
    );
    if (matches.length === 0) {
      throw new RefError(
        'unknown-run',
        `no baseline of ${workflow} is of run ${run} (\`lockstep baselines ${workflow}\` lists them)`,
      );
    }
    if (matches.length > 1) {
      throw new RefError(
        'ambiguous-run',
        `'${run}' matches ${matches.length} baselines of ${workflow}; give more characters`,
      );
    }
    const match = matches[0]!;
    await unlink(match.file);
    await syncDirectory(path.dirname(match.file));
    return match;
  }
}
