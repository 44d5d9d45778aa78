/**
 * Testing a version against a workflow's regression baselines: each baseline's recorded run is
 * replayed against the version (from the baseline's own copy of the recording, so a fresh clone
 * needs no local runs), recorded as a replay-against run, and judged by the outputs' comparison
 * rules. Every replay has a time limit, so every test ends.
 */
import { judgeReplay, type BaselineVerdict } from '../../baselines/judge.js';
import { baselineRunRecord } from '../../baselines/baseline.js';
import { outputRules } from '../../baselines/rules.js';
import type { RunRecord } from '../../model/runs.js';
import type { JsonValue } from '../../model/workflow.js';
import type { Store } from '../../store/store.js';
import type { ResolvedVersion } from '../../versions/resolve.js';
import type { StoredBaseline } from '../../baselines/baseline-store.js';
import { baselinesOf } from '../store/store-baselines.js';
import { displayPath } from '../workspace/display-path.js';
import type { Workspace } from '../workspace/workspace.js';
import { DEFAULT_REPLAY_TIMEOUT_MS, timedReplay, type ReplaySettings } from './timed-replay.js';

export type { ReplaySettings };
import { loadFixtures, resolveRunnable, type LoadedFixtures } from './run-service.js';

/** How long one baseline's replay may take unless told otherwise. */
export const DEFAULT_TEST_TIMEOUT_MS = DEFAULT_REPLAY_TIMEOUT_MS;

export interface BaselineTestOptions extends ReplaySettings {
  /** Only the baselines of these runs (ids), when given; every baseline otherwise. */
  readonly only?: readonly string[];
  /** Told as each baseline's replay starts. */
  readonly onStart?: (baseline: BaselineSummary) => void;
  /** Told of each result as it is known. */
  readonly onResult?: (result: BaselineTestResult) => void;
}

/** What reports and listings show of a baseline. */
export interface BaselineSummary {
  readonly id: string;
  /** Where it is kept: its file (relative to the current folder when inside it), or its store. */
  readonly location: string;
  /** Its file, for a baseline kept in files (relative to the current folder when inside it). */
  readonly file?: string;
  readonly run: string;
  readonly version: RunRecord['header']['version'];
  readonly startedAt: string;
  readonly input: { readonly [name: string]: JsonValue };
}

/** A stored baseline as reports and listings show it. */
export function baselineSummary(stored: StoredBaseline): BaselineSummary {
  const { header } = stored.baseline.run;
  return {
    id: stored.id,
    location: stored.file === undefined ? stored.location : displayPath(stored.file),
    ...(stored.file === undefined ? {} : { file: displayPath(stored.file) }),
    run: header.id,
    version: header.version,
    startedAt: header.startedAt,
    input: header.input,
  };
}

export interface BaselineTestResult {
  readonly baseline: BaselineSummary;
  readonly pass: boolean;
  /** Why it failed, in one line. */
  readonly message?: string;
  /** The replay, recorded as a run (absent when it could not start). */
  readonly replay?: string;
  /** How the replay ended (absent when it could not start). */
  readonly replayStatus?: RunRecord['status'];
  readonly verdict?: BaselineVerdict;
  readonly durationMs: number;
}

export interface BaselineTestReport {
  readonly workflow: string;
  readonly version: { readonly id: string; readonly seq?: number };
  readonly results: readonly BaselineTestResult[];
  /** True when Ctrl-C stopped the test before every baseline was judged. */
  readonly cancelled: boolean;
}

/**
 * Replays every baseline of the workflow `ref` names against that version and judges each.
 * @throws RefError / InvalidDefinitionError for a ref or fixtures file that cannot be used;
 *   BaselineError naming a damaged baseline file.
 */
export async function testBaselines(
  workspace: Workspace,
  store: Store,
  ref: string,
  options: BaselineTestOptions = {},
): Promise<BaselineTestReport> {
  const version = await resolveRunnable(workspace, store, ref);
  return testBaselinesOf(workspace, store, version, options);
}

/**
 * Replays the baselines of `version`'s workflow (those of `options.only`, if given) against it
 * and judges each.
 * @throws InvalidDefinitionError for a fixtures file that cannot be used; BaselineError naming a
 *   damaged baseline file.
 */
export async function testBaselinesOf(
  workspace: Workspace,
  store: Store,
  version: ResolvedVersion,
  options: BaselineTestOptions = {},
): Promise<BaselineTestReport> {
  const workflow = version.record.name;
  const only = options.only === undefined ? undefined : new Set(options.only);
  const baselines = (await baselinesOf(workspace.storeDir, store).list(workflow)).filter(
    (stored) => only === undefined || only.has(stored.baseline.run.header.id),
  );
  const fixtures =
    options.fixtures === undefined ? undefined : await loadFixtures(options.fixtures);
  const config = await workspace.config();
  const outputs = version.record.definition.outputs;
  const ruleOf =
    outputs === undefined ? undefined : outputRules(outputs, config.compare?.[workflow]);
  const results: BaselineTestResult[] = [];
  for (const stored of baselines) {
    if (options.signal?.aborted) break;
    options.onStart?.(baselineSummary(stored));
    const result = await testOne(workspace, store, version, stored, ruleOf, {
      ...options,
      ...(fixtures ? { loaded: fixtures } : {}),
    });
    if (options.signal?.aborted) break; // cut short by Ctrl-C: not a verdict
    results.push(result);
    options.onResult?.(result);
  }
  return {
    workflow,
    version: versionOf(version),
    results,
    cancelled: options.signal?.aborted === true,
  };
}

function versionOf(version: ResolvedVersion): { id: string; seq?: number } {
  return version.publication
    ? { id: version.record.id, seq: version.publication.seq }
    : { id: version.record.id };
}

async function testOne(
  workspace: Workspace,
  store: Store,
  version: ResolvedVersion,
  stored: StoredBaseline,
  ruleOf: Parameters<typeof judgeReplay>[1],
  options: BaselineTestOptions & { loaded?: LoadedFixtures },
): Promise<BaselineTestResult> {
  const source = baselineRunRecord(stored.baseline);
  const baseline = baselineSummary(stored);
  const replayed = await timedReplay(workspace, store, source.header.id, version, {
    ...options,
    source,
  });
  // A baseline this version cannot replay (its input no longer fits, say) fails.
  if ('refused' in replayed) {
    return {
      baseline,
      pass: false,
      message: replayed.refused.message,
      durationMs: replayed.durationMs,
    };
  }
  const { report, timedOut, durationMs } = replayed;
  const verdict = judgeReplay(
    {
      expected: source.output,
      actual: report.replay.output,
      status: report.replay.status,
      ...(report.replay.error ? { error: report.replay.error } : {}),
      comparison: report.comparison,
    },
    ruleOf,
  );
  const message = timedOut ?? verdict.message;
  return {
    baseline,
    pass: verdict.pass && timedOut === undefined,
    ...(message === undefined ? {} : { message }),
    replay: report.replay.id,
    replayStatus: report.replay.status,
    verdict,
    durationMs,
  };
}
