/**
 * Where a workspace keeps its baselines: files committed with the workflows
 * (`.lockstep/baselines/`) for a file store, or the team's PostgreSQL store. Both keep a baseline
 * as its canonical text named by its sha256, add a run once, and remove by run id; the choosing of
 * a baseline by run id is shared here so both answer alike.
 */
import { compareCodeUnits } from '../code-unit-order.js';
import type { ContentId } from '../model/content-id.js';
import { RefError } from '../model/errors.js';
import { checkRunIdPrefix, RUN_ID } from '../model/names.js';
import type { RunRecord } from '../model/runs.js';
import type { Baseline } from './baseline.js';

/** A baseline as stored. */
export interface StoredBaseline {
  readonly id: ContentId;
  /** Where it is, as people may see it: its file's path, or the store and the baseline's id. */
  readonly location: string;
  /** Its file (absolute path), for baselines kept in files. */
  readonly file?: string;
  readonly baseline: Baseline;
}

/** Who changes the baselines, and when: a team store records it; git does it for files. */
export interface BaselineChange {
  readonly actor: string;
  readonly at: string;
}

/** A workspace's regression baselines. */
export interface BaselineStore {
  /** Where the baselines are, as people may see it (a folder, or a database without password). */
  readonly where: string;
  /** Whether adding one is a change to commit (files) or is shared at once (a team store). */
  readonly committed: boolean;

  /**
   * A workflow's baselines, oldest recorded run first.
   * @throws BaselineError naming a baseline that is damaged; LockstepError (`bad-name`) for a name
   *   outside the workflow-name grammar.
   */
  list(workflow: string): Promise<StoredBaseline[]>;

  /**
   * Adds a finished run of `workflow` as a baseline, redacted of every value in `redact`. Adding
   * a run that already is one changes nothing (`created` false).
   * @throws RefError when the run is of another workflow; what `baselineOf` throws.
   */
  add(
    workflow: string,
    run: RunRecord,
    redact: ReadonlyMap<string, string>,
    by: BaselineChange,
  ): Promise<{ stored: StoredBaseline; created: boolean }>;

  /**
   * Removes the baseline of a run, given by id or a unique prefix of at least 8 characters.
   * @throws LockstepError (`bad-run-id`) for text that is no run id; RefError (`unknown-run`,
   *   `ambiguous-run`) when no or several baselines match.
   */
  remove(workflow: string, run: string, by: BaselineChange): Promise<StoredBaseline>;
}

/**
 * The one baseline of `workflow` whose run is `run` (an id or a prefix of 8 characters or more).
 * @throws see BaselineStore.remove.
 */
export function baselineOfRun(
  baselines: readonly StoredBaseline[],
  workflow: string,
  run: string,
): StoredBaseline {
  checkRunIdPrefix(run);
  if (!RUN_ID.test(run) && run.length < 8) {
    throw new RefError(
      'unknown-run',
      `'${run}': give a run id, or at least its first 8 characters`,
    );
  }
  const matches = baselines.filter((b) => b.baseline.run.header.id.startsWith(run));
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
  return matches[0]!;
}

/**
 * Refuses a run of another workflow.
 * @throws RefError (`unknown-run`).
 */
export function checkRunOf(workflow: string, run: RunRecord): void {
  if (run.header.workflow !== workflow) {
    throw new RefError(
      'unknown-run',
      `run ${run.header.id} is a run of ${run.header.workflow}, not of ${workflow}`,
    );
  }
}

/** Oldest recorded run first, the order every listing uses. */
export function oldestRunFirst(a: StoredBaseline, b: StoredBaseline): number {
  return compareCodeUnits(a.baseline.run.header.startedAt, b.baseline.run.header.startedAt);
}
