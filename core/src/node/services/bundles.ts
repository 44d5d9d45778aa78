/**
 * Exporting runs to a bundle file and importing one (see core/src/bundles/bundle.ts). Export
 * picks finished runs (by id, the newest a channel routed, or a workflow's baselines), adds the
 * child runs they called and the versions they ran, redacts secrets once more and personal data
 * (`--redact`, the config's `redact:`), and writes the gzip-compressed canonical JSON. Import checks
 * the whole bundle before writing anything, adds what the store lacks (versions as snapshots with
 * their ids; runs with their ids, their recorded `seq` staying the provenance of the store that
 * published them), never rewrites what it has, and logs what it added in the local log.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { baselineRunRecord } from '../../baselines/baseline.js';
import {
  BUNDLE_FORMAT,
  BundleError,
  bundledRun,
  bundleText,
  checkBundle,
  sealBundle,
  type Bundle,
} from '../../bundles/bundle.js';
import { findPersonalValues, redactRun } from '../../bundles/personal-data.js';
import { redactSecrets } from '../../engine/effects.js';
import { canonicalJson } from '../../hash/canonical.js';
import type { ContentId } from '../../model/content-id.js';
import { FileError, RefError, UsageError } from '../../model/errors.js';
import type { RunRecord } from '../../model/runs.js';
import type { JsonValue } from '../../model/workflow.js';
import { secretAccess } from '../../runs/secret-access.js';
import { draftOfRecord, writeFinishedRun } from '../../store/copy-records.js';
import type { VersionRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { LOCKSTEP_VERSION } from '../../version.js';
import { baselinesOf } from '../store/store-baselines.js';
import { currentAuthor } from '../workspace/git.js';
import type { Workspace } from '../workspace/workspace.js';

/** The most a bundle may unpack to: a bound against a file built to exhaust memory. */
export const BUNDLE_MAX_BYTES = 512 * 1024 * 1024;

/** How many of a workflow's runs `--channel … --last` looks through. */
const RUNS_LOOKED_AT = 100_000;

/** Which runs go into a bundle. */
export type BundleSelection =
  | { readonly kind: 'runs'; readonly ids: readonly string[] }
  | {
      readonly kind: 'channel';
      readonly channel: string;
      /** The newest this many finished live runs the channel routed, per workflow. */
      readonly last: number;
      /** One workflow only; every workflow the channel routed runs of, when absent. */
      readonly workflow?: string;
    }
  | { readonly kind: 'baselines'; readonly workflow: string };

export interface ExportResult {
  readonly id: ContentId;
  readonly file: string;
  readonly bytes: number;
  /** The runs selected, and the child runs they called. */
  readonly runs: number;
  readonly childRuns: number;
  readonly versions: number;
  /** The redact paths applied, and how many distinct values they found. */
  readonly redacted: readonly string[];
  readonly valuesRedacted: number;
  /** Child runs that were not in the store (pruned): their parents replay against, not exactly. */
  readonly missingChildren: readonly string[];
}

/**
 * Writes a bundle of the runs `selection` names to `file` (replaced atomically).
 * @throws RefError for an unknown run or a run whose version is not in the store; UsageError for
 *   a run that has not finished or a redact path that is not one.
 */
export async function exportBundle(
  workspace: Workspace,
  store: Store,
  selection: BundleSelection,
  options: { readonly file: string; readonly redact?: readonly string[] },
): Promise<ExportResult> {
  const selected = await selectedRuns(workspace, store, selection);
  const { children, missing } = await childRunsOf(store, selected);
  const all = [...selected, ...children];
  const versions = await versionsOf(store, all);

  const config = await workspace.config();
  const paths = [...new Set([...(config.redact ?? []), ...(options.redact ?? [])])];
  const values = await findPersonalValues(all, paths);
  // Journals are already redacted; the secrets set now are redacted once more, in case.
  const { redact: secrets } = secretAccess(config, (name) => process.env[name]);
  const runs = all.map((run) =>
    redactRun(
      redactSecrets(bundledRun(run) as unknown as JsonValue, secrets) as unknown as RunRecord,
      values,
    ),
  );
  const bundle = sealBundle({
    lockstep: 'bundle',
    format: BUNDLE_FORMAT,
    exportedAt: new Date().toISOString(),
    exportedBy: await currentAuthor(workspace.root),
    engine: LOCKSTEP_VERSION,
    redacted: paths,
    selected: selected.map((run) => run.header.id),
    runs,
    versions,
  });
  const bytes = await promisify(gzip)(Buffer.from(bundleText(bundle), 'utf8'));
  await writeAtomically(options.file, bytes);
  return {
    id: bundle.id,
    file: options.file,
    bytes: bytes.length,
    runs: selected.length,
    childRuns: children.length,
    versions: versions.length,
    redacted: paths,
    valuesRedacted: values.found.size,
    missingChildren: missing,
  };
}

/**
 * Reads and checks a bundle file whole.
 * @throws FileError when it cannot be read; BundleError when it is not a bundle, is damaged or
 *   was edited.
 */
export async function readBundle(file: string, shown: string = file): Promise<Bundle> {
  const packed = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new FileError(
      error.code === 'ENOENT' ? 'unknown-file' : 'unreadable-file',
      `${shown}: cannot read it (${error.code ?? error.message})`,
    );
  });
  let text: string;
  try {
    const unpacked = await promisify(gunzip)(packed, { maxOutputLength: BUNDLE_MAX_BYTES });
    text = unpacked.toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BundleError(
      shown,
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `it unpacks to more than ${BUNDLE_MAX_BYTES / 1024 / 1024} MiB`
        : 'not a gzip-compressed bundle, or cut short',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BundleError(shown, 'its content is not JSON');
  }
  return checkBundle(value, shown);
}

export interface ImportResult {
  readonly id: ContentId;
  readonly exportedAt: string;
  readonly exportedBy: string;
  readonly redacted: readonly string[];
  /** The runs the bundle selected (not their child runs). */
  readonly selected: readonly string[];
  readonly runs: {
    readonly added: readonly string[];
    /** Already here, identical. */
    readonly present: number;
    /** Already here with other content (a redacted copy of a run this store recorded, say): kept. */
    readonly kept: readonly string[];
  };
  readonly versions: { readonly added: readonly ContentId[]; readonly present: number };
}

/**
 * Adds a checked bundle's versions and runs to `store`. Importing the same bundle again adds
 * nothing and logs nothing.
 */
export async function importBundle(
  store: Store,
  bundle: Bundle,
  meta: { readonly actor: string; readonly at: string },
): Promise<ImportResult> {
  const addedVersions: ContentId[] = [];
  let presentVersions = 0;
  for (const version of bundle.versions) {
    if (await store.getVersion(version.name, version.id)) {
      presentVersions++;
      continue;
    }
    const { version: saved } = await store.saveVersion(draftOfRecord(version));
    if (saved.id !== version.id) {
      // Cannot happen for a checked record (the id is the definition's hash); said if it does.
      throw new BundleError(bundle.id, `version ${version.id} was stored as ${saved.id}`);
    }
    addedVersions.push(version.id);
  }
  const added: string[] = [];
  const kept: string[] = [];
  let present = 0;
  for (const run of bundle.runs) {
    const stored = await store.getRun(run.header.id);
    if (stored) {
      if (canonicalJson(bundledRun(stored)) === canonicalJson(run)) present++;
      else kept.push(run.header.id);
      continue;
    }
    await writeFinishedRun(store, run);
    added.push(run.header.id);
  }
  if (added.length > 0 || addedVersions.length > 0) {
    await store.recordImport({
      bundle: bundle.id,
      exportedAt: bundle.exportedAt,
      exportedBy: bundle.exportedBy,
      runs: added,
      versions: addedVersions,
      ...meta,
    });
  }
  return {
    id: bundle.id,
    exportedAt: bundle.exportedAt,
    exportedBy: bundle.exportedBy,
    redacted: bundle.redacted,
    selected: bundle.selected,
    runs: { added, present, kept },
    versions: { added: addedVersions, present: presentVersions },
  };
}

async function selectedRuns(
  workspace: Workspace,
  store: Store,
  selection: BundleSelection,
): Promise<RunRecord[]> {
  switch (selection.kind) {
    case 'runs':
      return Promise.all([...new Set(selection.ids)].map((id) => finishedRun(store, id)));
    case 'baselines': {
      const stored = await baselinesOf(workspace.storeDir, store).list(selection.workflow);
      return stored.map(({ baseline }) => baselineRunRecord(baseline));
    }
    case 'channel': {
      const workflows = selection.workflow ? [selection.workflow] : await store.listWorkflows();
      const runs: RunRecord[] = [];
      for (const workflow of workflows) {
        const summaries = await store.listRuns({
          workflow,
          channel: selection.channel,
          mode: 'live',
          limit: RUNS_LOOKED_AT,
        });
        const newest = summaries
          .filter((run) => run.parent === undefined && isFinished(run.status))
          .slice(0, selection.last);
        for (const summary of newest) runs.push(await finishedRun(store, summary.id));
      }
      return runs;
    }
  }
}

function isFinished(status: string): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

async function finishedRun(store: Store, id: string): Promise<RunRecord> {
  const run = await store.getRun(id);
  if (!run) {
    throw new RefError(
      'unknown-run',
      `no run ${id} in this store (\`lockstep runs <name>\` lists them)`,
    );
  }
  if (run.status === 'running') {
    throw new RefError('running-run', `run ${id} is still running; export it once it has finished`);
  }
  if (!isFinished(run.status)) {
    throw new UsageError(
      `run ${id} was interrupted: it has no outcome to replay against; leave it out`,
    );
  }
  return run;
}

/** The child runs `runs` called, and their children, in the order met; and those not stored. */
async function childRunsOf(
  store: Store,
  runs: readonly RunRecord[],
): Promise<{ children: RunRecord[]; missing: string[] }> {
  const seen = new Set(runs.map((run) => run.header.id));
  const children: RunRecord[] = [];
  const missing: string[] = [];
  const queue = [...runs];
  for (let run = queue.shift(); run; run = queue.shift()) {
    for (const effect of run.effects) {
      if (effect.kind !== 'workflow') continue;
      const child = (effect.response as { run?: unknown } | undefined)?.run;
      if (typeof child !== 'string' || seen.has(child)) continue;
      seen.add(child);
      const record = await store.getRun(child);
      if (record && isFinished(record.status)) {
        children.push(record);
        queue.push(record);
      } else {
        missing.push(child);
      }
    }
  }
  return { children, missing };
}

/** The versions `runs` ran, each once. */
async function versionsOf(store: Store, runs: readonly RunRecord[]): Promise<VersionRecord[]> {
  const versions = new Map<string, VersionRecord>();
  for (const { header } of runs) {
    const key = `${header.workflow}\u0000${header.version.id}`;
    if (versions.has(key)) continue;
    const version = await store.getVersion(header.workflow, header.version.id);
    if (!version) {
      throw new RefError(
        'unknown-version',
        `run ${header.id} ran ${header.workflow} ${header.version.id}, which is not in this store`,
      );
    }
    versions.set(key, version);
  }
  return [...versions.values()];
}

/** Writes `bytes` to `file` through a temporary file beside it, so a reader never sees half. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new FileError(
      'unreadable-file',
      `${file}: cannot write the bundle (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
