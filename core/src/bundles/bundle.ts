/**
 * Run bundles: finished runs carried from one store to another as one file (a production run
 * replayed on a laptop; CI gating on real runs). A bundle holds the runs asked for, the child runs
 * they called and every version they ran, and is named by the sha256 of its content: RFC 8785
 * canonical JSON of everything but its `id`. Reading one checks all of it (the id, each version's
 * own hashes, each run's shape and version) before anything is written, so a damaged or edited
 * bundle is refused whole. The file is this JSON, gzip-compressed (in the Node corner).
 */
import { canonicalJson, sha256 } from '../hash/canonical.js';
import { isContentId, type ContentId } from '../model/content-id.js';
import { documentHeaderProblem } from '../model/document-header.js';
import { LockstepError } from '../model/errors.js';
import { RUN_ID, WORKFLOW_NAME } from '../model/names.js';
import { RUN_FORMAT, type RunRecord } from '../model/runs.js';
import { versionRecordProblem, type VersionRecord } from '../store/records.js';

/** The bundle format this Lockstep writes and reads. */
export const BUNDLE_FORMAT = 1;

/** Everything a bundle holds but its id. */
export interface BundleContents {
  readonly lockstep: 'bundle';
  readonly format: number;
  /** ISO 8601 time of the export. */
  readonly exportedAt: string;
  /** Who exported it (git author or user), as the audit trail names people. */
  readonly exportedBy: string;
  /** The engine that exported it. */
  readonly engine: string;
  /** The redact paths whose values were replaced by placeholders (personal data). */
  readonly redacted: readonly string[];
  /** The runs asked for (not their child runs), in the order chosen. */
  readonly selected: readonly string[];
  /** Every run: the ones selected and the child runs they called, each as its store folds it. */
  readonly runs: readonly RunRecord[];
  /** Every version a run of the bundle ran, with its own hashes. */
  readonly versions: readonly VersionRecord[];
}

/** A bundle: its contents and their content id. */
export interface Bundle extends BundleContents {
  readonly id: ContentId;
}

/** A bundle that cannot be read or does not check: nothing of it is imported. */
export class BundleError extends LockstepError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      'bad-bundle',
      `${file}: ${detail}. Nothing was imported; export the bundle again from the store it came from`,
    );
  }
}

/** The bundle of `contents`, with its id. */
export function sealBundle(contents: BundleContents): Bundle {
  return { ...contents, id: sha256(canonicalJson(contents)) };
}

/** The text of a bundle (before compression): its canonical JSON. */
export function bundleText(bundle: Bundle): string {
  return canonicalJson(bundle);
}

/**
 * A run as a bundle keeps it: what its store folds from a finished journal, without the
 * in-progress list (a finished run has none). Two stores give the same text for the same run.
 */
export function bundledRun(run: RunRecord): RunRecord {
  return {
    header: run.header,
    status: run.status,
    output: run.output,
    ...(run.error ? { error: run.error } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    steps: run.steps,
    effects: run.effects,
  };
}

/**
 * Checks a parsed bundle whole: its kind and format, its id against its content, every version's
 * hashes, every run's shape, that every run ran a version of the bundle, and that the selected
 * runs are in it.
 * @throws BundleError naming `file` and the first problem found.
 */
export function checkBundle(value: unknown, file: string): Bundle {
  const header = documentHeaderProblem(value, 'bundle', BUNDLE_FORMAT, 'run bundle');
  if (header !== undefined) throw new BundleError(file, header);
  const bundle = value as Partial<Bundle>;
  const { id, ...contents } = bundle;
  if (!isContentId(id) || sha256(canonicalJson(contents)) !== id) {
    throw new BundleError(file, 'its content does not match its id (it was edited or damaged)');
  }
  if (
    !Array.isArray(bundle.runs) ||
    !Array.isArray(bundle.versions) ||
    !Array.isArray(bundle.selected) ||
    !Array.isArray(bundle.redacted)
  ) {
    throw new BundleError(file, 'it lacks its runs, versions or selection');
  }
  const versions = new Set<string>();
  for (const version of bundle.versions) {
    const problem = versionRecordProblem(version);
    if (problem) {
      const name = (version as Partial<VersionRecord> | null)?.id ?? 'a version';
      throw new BundleError(file, `${String(name)}: ${problem}`);
    }
    versions.add(`${version.name}\u0000${version.id}`);
  }
  const runs = new Set<string>();
  for (const run of bundle.runs) {
    const problem = runProblem(run);
    if (problem) throw new BundleError(file, problem);
    if (runs.has(run.header.id)) {
      throw new BundleError(file, `run ${run.header.id} is in it twice`);
    }
    runs.add(run.header.id);
    if (!versions.has(`${run.header.workflow}\u0000${run.header.version.id}`)) {
      throw new BundleError(
        file,
        `run ${run.header.id} ran ${run.header.workflow} ${run.header.version.id}, which the bundle does not hold`,
      );
    }
  }
  const missing = bundle.selected.find((selected) => !runs.has(selected));
  if (missing !== undefined) {
    throw new BundleError(file, `it names run ${String(missing)} but does not hold it`);
  }
  return bundle as Bundle;
}

/** Why `value` is not a finished run a bundle can hold, or undefined. */
function runProblem(value: unknown): string | undefined {
  const run = value as Partial<RunRecord> | null;
  const header = run?.header;
  if (
    run === null ||
    typeof run !== 'object' ||
    header === undefined ||
    typeof header.id !== 'string' ||
    !RUN_ID.test(header.id) ||
    typeof header.workflow !== 'string' ||
    !WORKFLOW_NAME.test(header.workflow) ||
    !isContentId(header.version?.id) ||
    typeof header.mode?.kind !== 'string' ||
    !Array.isArray(run.steps) ||
    !Array.isArray(run.effects)
  ) {
    return 'a run in it is incomplete';
  }
  if (typeof header.format !== 'number' || header.format > RUN_FORMAT) {
    return `run ${header.id} is of run format ${String(header.format)}, newer than this Lockstep reads; upgrade Lockstep`;
  }
  if (run.status !== 'succeeded' && run.status !== 'failed' && run.status !== 'cancelled') {
    return `run ${header.id} is ${String(run.status)}: a bundle holds finished runs only`;
  }
  return undefined;
}
