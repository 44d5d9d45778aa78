/**
 * Regression baselines: real runs kept as a workflow's regression suite, committed with the
 * workflows (`.lockstep/baselines/<workflow>/<hex>.json`) or kept in a team's PostgreSQL store
 * (see baseline-store.ts). A baseline is a self-sufficient copy of
 * a finished run (header, steps, every recorded effect), so a fresh clone can replay it without
 * the run it came from. It is redacted once more when it is made, written as RFC 8785 canonical
 * JSON and named by the sha256 of that text.
 */
import { redactSecrets } from '../engine/effects.js';
import { canonicalJson, sha256 } from '../hash/canonical.js';
import type { ContentId } from '../model/content-id.js';
import { documentHeaderProblem } from '../model/document-header.js';
import { LockstepError, RefError, UsageError } from '../model/errors.js';
import { RUN_ID, WORKFLOW_NAME } from '../model/names.js';
import type { RunHeader, RunRecord } from '../model/runs.js';
import type { JsonValue } from '../model/workflow.js';

/** The baseline format this Lockstep writes and reads. */
export const BASELINE_FORMAT = 1;

/** The run a baseline keeps: what a replay needs, without who wrote it or how it was routed. */
export type BaselineRun = Omit<RunRecord, 'header' | 'inProgress'> & {
  readonly header: Omit<RunHeader, 'writer' | 'parent' | 'routing'>;
};

export interface Baseline {
  readonly lockstep: 'baseline';
  readonly format: number;
  readonly run: BaselineRun;
}

/** What to do about a damaged baseline file (committed: git has it). */
const RESTORE_FILE =
  'Restore it from git, or delete it and add the run again (`lockstep baselines <workflow> add <run-id>`)';

/** A baseline that does not parse, does not match its name, or is of a newer format. */
export class BaselineError extends LockstepError {
  constructor(
    /** The baseline's file, or where a store keeps it. */
    readonly file: string,
    /** What is wrong, without where or what to do. */
    readonly detail: string,
    remedy: string = RESTORE_FILE,
  ) {
    super('bad-baseline', `${file}: ${detail}. ${remedy}; no other baseline was changed`);
  }
}

/**
 * The baseline of a finished run, with every value in `redact` (secret name → value) replaced by
 * its placeholder once more (journals are already redacted; this makes sure nothing new leaks).
 * @throws RefError (`running-run`) for a run in progress, UsageError for one that did not succeed:
 *   a baseline records wanted behaviour.
 */
export function baselineOf(run: RunRecord, redact: ReadonlyMap<string, string>): Baseline {
  if (run.status === 'running') {
    throw new RefError(
      'running-run',
      `run ${run.header.id} is still running; add it once it has succeeded`,
    );
  }
  if (run.status !== 'succeeded') {
    throw new UsageError(
      `run ${run.header.id} ${run.status}; only a run that succeeded can become a baseline`,
    );
  }
  const { writer: _writer, parent: _parent, routing: _routing, ...header } = run.header;
  const kept: BaselineRun = {
    header,
    status: run.status,
    output: run.output,
    ...(run.error ? { error: run.error } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    steps: run.steps,
    effects: run.effects,
  };
  const redacted = redactSecrets(kept as unknown as JsonValue, redact) as unknown as BaselineRun;
  return { lockstep: 'baseline', format: BASELINE_FORMAT, run: redacted };
}

/** The text of a baseline's file: its canonical JSON. */
export function baselineText(baseline: Baseline): string {
  return canonicalJson(baseline);
}

/** A baseline's id: the sha256 of its file's text. */
export function baselineId(text: string): ContentId {
  return sha256(text);
}

/**
 * Parses a baseline's text and checks it: well-formed, its content id `expected` (the file's
 * name), of a format this Lockstep reads, a run of `workflow`.
 * @param remedy what the error says to do, when not restoring a committed file.
 * @throws BaselineError naming `file`.
 */
export function parseBaseline(
  text: string,
  file: string,
  expected: ContentId,
  workflow: string,
  remedy?: string,
): Baseline {
  const fail = (detail: string): BaselineError => new BaselineError(file, detail, remedy);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`not JSON (${(error as Error).message})`);
  }
  const problem = documentHeaderProblem(value, 'baseline', BASELINE_FORMAT, 'baseline');
  if (problem !== undefined) throw fail(problem);
  const baseline = value as Partial<Baseline>;
  if (baselineId(canonicalJson(value)) !== expected) {
    throw fail('its content does not match its name (it was edited or damaged)');
  }
  const run = baseline.run as Partial<BaselineRun> | undefined;
  const header = run?.header;
  const wellFormed =
    header !== undefined &&
    typeof header.id === 'string' &&
    RUN_ID.test(header.id) &&
    typeof header.workflow === 'string' &&
    WORKFLOW_NAME.test(header.workflow) &&
    Array.isArray(run?.steps) &&
    Array.isArray(run?.effects);
  if (!wellFormed) throw fail('its run is incomplete');
  if (header.workflow !== workflow) {
    throw fail(`it is a run of ${header.workflow}, not of ${workflow}`);
  }
  return baseline as Baseline;
}

/** The baseline's run as a run record, the source a replay reads its recording from. */
export function baselineRunRecord(baseline: Baseline): RunRecord {
  return { ...baseline.run, header: { ...baseline.run.header, writer: { pid: 0, host: '' } } };
}
