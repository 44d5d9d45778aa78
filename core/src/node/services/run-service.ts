/**
 * Running workflows from a workspace on disk: resolves a ref (a workflow file, `name@3`,
 * `name@sha256:…`) to a version, builds the executor (live, or scripted from a fixtures file),
 * reads secrets and allow-listed environment variables from the process environment, resolves
 * sub-workflows, and records the run in the workspace's store. The CLI and embedding services
 * use this.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileError, InvalidDefinitionError, RefError } from '../../model/errors.js';
import type { JsonValue } from '../../model/workflow.js';
import { sha256 } from '../../hash/canonical.js';
import { type ContentId } from '../../model/content-id.js';
import type { FetchPolicy } from '../../providers/fetch-with-retries.js';
import { parseFixturesText, type Fixtures } from '../../providers/fixtures.js';
import { LiveExecutor } from '../../providers/live-executor.js';
import { ScriptedExecutor } from '../../providers/scripted-executor.js';
import type { EffectExecutor } from '../../runs/recording-host.js';
import { secretAccess } from '../../runs/secret-access.js';
import type { RunEvent, RunMode } from '../../model/runs.js';
import { runVersion, type ChildCall, type RunResult } from '../../runs/runner.js';
import { resolveChannel, type RoutedVersion } from '../../channels/resolve-channel.js';
import { checkCanaryHealth } from '../../channels/health.js';
import { assertExecutable, DEFAULT_VERSIONS_KEPT } from '../../channels/version-states.js';
import type { Store } from '../../store/store.js';
import { parseRef } from '../../versions/refs.js';
import { resolveStoredRef, saveAndResolve, type ResolvedVersion } from '../../versions/resolve.js';
import { displayPath } from '../workspace/display-path.js';
import { readTextFile } from '../workspace/read-text.js';
import { shellRunner } from './shell-runner.js';
import type { Workspace } from '../workspace/workspace.js';

export interface RunRefOptions {
  /** Inputs by name. */
  readonly input?: { readonly [name: string]: JsonValue };
  /** A fixtures file (or one already loaded): model and HTTP calls are answered from it. */
  readonly fixtures?: string | LoadedFixtures;
  /** Let shell steps run (default false). */
  readonly allowShell?: boolean;
  readonly signal?: AbortSignal;
  /** Every recorded event as it happens, with its run id (child runs included). */
  readonly onEvent?: (event: RunEvent, run: string) => void;
  /**
   * Where secrets come from (default: environment variables of the same name). Only the secrets
   * `.lockstep/config.yaml` lists are read.
   */
  readonly secret?: (name: string) => string | undefined;
  /** Where environment variables come from (default: this process's environment). */
  readonly env?: (name: string) => string | undefined;
  /** Run a retired published version anyway (see channels/version-states.ts). Default false. */
  readonly allowRetired?: boolean;
  /** Retry and transport knobs for model and HTTP calls. */
  readonly fetchPolicy?: FetchPolicy;
  /** The run's id (default: a new one); see RunOptions.id. */
  readonly id?: string;
}

/**
 * Runs what `ref` names in `workspace`, recording the run (and any child runs) in `store`.
 * @throws RefError, FileError, InvalidDefinitionError before anything runs; InputError when the
 *   inputs do not fit. A run that starts and fails resolves normally with status `failed`.
 */
export async function runRef(
  workspace: Workspace,
  store: Store,
  ref: string,
  options: RunRefOptions = {},
): Promise<RunResult> {
  return runResolved(
    workspace,
    store,
    await resolveRunnable(workspace, store, ref, options.input ?? {}),
    options,
  );
}

/** Runs a version already resolved (see `resolveRunnable`); otherwise as `runRef`. */
export async function runResolved(
  workspace: Workspace,
  store: Store,
  version: ResolvedVersion & { readonly routing?: RoutedVersion['routing'] },
  options: RunRefOptions = {},
): Promise<RunResult> {
  // A version a channel routed to was on the channel when the decision was made, so it was
  // executable then; another process moving the channel since must not refuse the run (a run
  // stays on the version it was routed to).
  if (version.publication && !options.allowRetired && !version.routing) {
    const keep = (await workspace.config()).retention?.versions ?? DEFAULT_VERSIONS_KEPT;
    await assertExecutable(store, version.record.name, version.record.id, keep);
  }
  const live = await liveExecutor(workspace, options);
  const { executor, mode } = await chooseExecutor(live, options.fixtures, workspace.root);
  const secrets = secretAccess(
    await workspace.config(),
    options.secret ?? ((name) => process.env[name]),
  );
  const result = await runVersion({
    store,
    version,
    ...(version.routing ? { routing: version.routing } : {}),
    input: options.input ?? {},
    executor,
    ...secrets,
    shellAllowed: options.allowShell ?? false,
    mode,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    resolveChild: (workflow, pin, call) => resolveChild(workspace, store, workflow, pin, call),
    writer: thisProcess(),
    ...(options.id === undefined ? {} : { id: options.id }),
  });
  // A canary's health is checked as its routed runs finish (see channels/health.ts).
  if (version.routing?.target === 'candidate') {
    await checkCanaryHealth(store, version.record.name, version.routing.channel, {
      prices: (await workspace.config()).prices ?? {},
    });
  }
  return result;
}

/** The writer identity of this process, to tell its running runs from interrupted ones. */
export function thisProcess(): { pid: number; host: string } {
  return { pid: process.pid, host: os.hostname() };
}

/**
 * The executor that performs effects for real in `workspace`: environment variables limited to
 * the allow-list (enforced here too, not only by validation), shell commands run from its root.
 */
export async function liveExecutor(
  workspace: Workspace,
  options: Pick<RunRefOptions, 'env' | 'fetchPolicy'> = {},
): Promise<LiveExecutor> {
  const config = await workspace.config();
  const allowedEnv = new Set(config.env?.allow ?? []);
  const readEnv = options.env ?? ((name: string) => process.env[name]);
  return new LiveExecutor({
    env: (name) => (allowedEnv.has(name) ? readEnv(name) : undefined),
    shell: shellRunner(workspace.root),
    ...(options.fetchPolicy ? { fetchPolicy: options.fetchPolicy } : {}),
  });
}

/**
 * The version a ref names: a workflow file's current content (snapshotted first), a stored
 * version (`name@3`, `name@sha256:…`), or the one a channel routes `input` to (`name@production`,
 * with the routing decision the run records).
 */
export async function resolveRunnable(
  workspace: Workspace,
  store: Store,
  ref: string,
  input: { readonly [name: string]: JsonValue } = {},
): Promise<ResolvedVersion & { readonly routing?: RoutedVersion['routing'] }> {
  const parsed = parseRef(ref);
  if (parsed.kind === 'file') return snapshotFile(workspace, store, parsed.path);
  if (parsed.kind === 'channel') {
    return resolveChannel(store, parsed.name, parsed.channel, { input });
  }
  return resolveStoredRef(store, parsed);
}

async function snapshotFile(
  workspace: Workspace,
  store: Store,
  file: string,
): Promise<ResolvedVersion> {
  return saveAndResolve(store, await workspace.draft(file));
}

/** A sub-workflow's version: a pin as written, or the workspace's current file for the name. */
export async function resolveChild(
  workspace: Workspace,
  store: Store,
  workflow: string,
  pin: number | string | undefined,
  call: ChildCall = { input: {} },
): Promise<ResolvedVersion & { readonly routing?: RoutedVersion['routing'] }> {
  if (pin === undefined) {
    const results = await workspace.validate();
    const file = results.find((r) => r.validated.summary.name === workflow);
    if (!file)
      throw new RefError(
        'unknown-workflow',
        `no workflow named '${workflow}' in ${displayPath(workspace.root)}`,
      );
    if (!file.definition)
      throw new InvalidDefinitionError(
        displayPath(file.file),
        file.diagnostics.filter((d) => d.severity === 'error'),
      );
    return snapshotFile(workspace, store, file.file);
  }
  const parsed = parseRef(`${workflow}@${pin}`);
  if (parsed.kind === 'channel') {
    // The channel's sticky key reads the child's inputs; without one the child takes its
    // parent's bucket, so one parent run sees one version.
    return resolveChannel(store, workflow, parsed.channel, {
      input: call.input,
      ...(call.parentRouting ? { parentBucket: call.parentRouting.bucket } : {}),
    });
  }
  return resolveRunnable(workspace, store, `${workflow}@${pin}`);
}

/** A fixtures file, read and checked. */
export interface LoadedFixtures {
  readonly fixtures: Fixtures;
  /** sha256 of the file's bytes, recorded in the run's mode. */
  readonly hash: ContentId;
  /** The file as given. */
  readonly file: string;
}

/**
 * Reads and checks a fixtures file. Call it before anything is stored, so a broken file stops a
 * run before its workflow is snapshotted.
 * @throws FileError when it cannot be read; InvalidDefinitionError listing its problems.
 */
export async function loadFixtures(file: string): Promise<LoadedFixtures> {
  const bytes = await readFile(file).catch(async () => {
    await readTextFile(file); // throws the FileError that names what is wrong
    throw new FileError('unreadable-file', `${displayPath(file)}: cannot be read`);
  });
  const { fixtures, diagnostics } = parseFixturesText(bytes.toString('utf8'));
  if (!fixtures) throw new InvalidDefinitionError(displayPath(file), diagnostics);
  return { fixtures, hash: sha256(bytes), file };
}

async function chooseExecutor(
  live: EffectExecutor,
  source: string | LoadedFixtures | undefined,
  root: string,
): Promise<{ executor: EffectExecutor; mode: RunMode }> {
  if (source === undefined) return { executor: live, mode: { kind: 'live' } };
  const loaded = typeof source === 'string' ? await loadFixtures(source) : source;
  return {
    executor: new ScriptedExecutor(loaded.fixtures, live, displayPath(loaded.file)),
    mode: {
      kind: 'scripted',
      fixtures: loaded.hash,
      fixturesPath: path.relative(root, path.resolve(loaded.file)).split(path.sep).join('/'),
    },
  };
}
