/**
 * Regression baselines for the editor: listing, adding and removing them, accepting a replay as
 * the new baseline, and testing them (the Testing view's runs). Tests execute here, in the
 * workspace service, never in the extension host; each session can be cancelled, and every
 * replay has a time limit, so every test ends.
 */
import type { BaselineChange, BaselineStore, StoredBaseline } from '../baselines/baseline-store.js';
import { baselinesOf } from '../node/store/store-baselines.js';
import { testBaselinesOf, type BaselineTestResult } from '../node/services/baseline-tests.js';
import { resolveRunnable } from '../node/services/run-service.js';
import { currentAuthor } from '../node/workspace/git.js';
import type { Workspace } from '../node/workspace/workspace.js';
import { RefError, UsageError } from '../model/errors.js';
import { checkWorkflowName } from '../model/names.js';
import { secretAccess } from '../runs/secret-access.js';
import type { Store } from '../store/store.js';
import type {
  BaselineItem,
  BaselineTestItem,
  BaselineTestParams,
  BaselineTestProgressParams,
  BaselineTestResult as ProtocolTestResult,
} from './protocol.js';
import { stepLines, topLevelStepLines } from './step-lines.js';

export class BaselineSessions {
  private readonly sessions = new Map<string, AbortController>();

  constructor(
    private readonly workspace: Workspace,
    private readonly store: () => Promise<Store>,
    /** Where a test's progress goes (the client that asked). */
    private readonly progress: (params: BaselineTestProgressParams) => void,
  ) {}

  /** See BaselinesRequest. */
  async list(workflow: string): Promise<BaselineItem[]> {
    checkWorkflowName(workflow);
    return (await (await this.baselines()).list(workflow)).map(itemOf);
  }

  /** See BaselineAddRequest. */
  async add(run: string): Promise<{ baseline: BaselineItem; created: boolean }> {
    const store = await this.store();
    const record = await store.getRun(run);
    if (!record) throw new RefError('unknown-run', `no run ${run} in ${store.info.location}`);
    const baselines = await this.baselines();
    const by = await this.changeBy();
    const { stored, created } = await baselines.add(
      record.header.workflow,
      record,
      await this.redactions(),
      by,
    );
    return { baseline: itemOf(stored), created };
  }

  /** See BaselineRemoveRequest. */
  async remove(workflow: string, run: string): Promise<BaselineItem> {
    checkWorkflowName(workflow);
    return itemOf(await (await this.baselines()).remove(workflow, run, await this.changeBy()));
  }

  /** See BaselineAcceptRequest: the new baseline is written before the old one goes. */
  async accept(workflow: string, replaced: string, run: string): Promise<BaselineItem> {
    checkWorkflowName(workflow);
    const store = await this.store();
    const record = await store.getRun(run);
    if (!record) throw new RefError('unknown-run', `no run ${run} in ${store.info.location}`);
    if (record.header.workflow !== workflow) {
      throw new UsageError(`run ${run} is a run of ${record.header.workflow}, not of ${workflow}`);
    }
    const baselines = await this.baselines();
    const by = await this.changeBy();
    const { stored } = await baselines.add(workflow, record, await this.redactions(), by);
    if (replaced !== run) {
      // Already gone (accepted in another window, removed from the CLI): nothing left to replace.
      await baselines.remove(workflow, replaced, by).catch((error: unknown) => {
        if (!(error instanceof RefError && error.code === 'unknown-run')) throw error;
      });
    }
    return itemOf(stored);
  }

  /**
   * See BaselineTestRequest: resolves `ref` once (a workflow file is snapshotted), then replays
   * each baseline asked for, reporting each start and verdict as progress.
   * @throws RefError / InvalidDefinitionError / InputError for a ref or fixtures file that cannot
   *   be used, before any replay.
   */
  async test(params: BaselineTestParams): Promise<ProtocolTestResult> {
    if (this.sessions.has(params.session)) {
      throw new UsageError(`a test session ${params.session} is already running`);
    }
    const controller = new AbortController();
    this.sessions.set(params.session, controller);
    try {
      const store = await this.store();
      const version = await resolveRunnable(this.workspace, store, params.ref);
      const lines = stepLines(version.record.source, version.record.definition);
      const provided = params.secrets ?? {};
      const report = await testBaselinesOf(this.workspace, store, version, {
        ...(params.onMiss ? { onMiss: params.onMiss } : {}),
        ...(params.fixtures === undefined ? {} : { fixtures: params.fixtures }),
        ...(params.timeoutMs === undefined ? {} : { timeoutMs: params.timeoutMs }),
        ...(params.baselines === undefined ? {} : { only: params.baselines }),
        signal: controller.signal,
        allowShell: params.allowShell === true,
        secret: (name) => provided[name] ?? process.env[name],
        onStart: (baseline) =>
          this.progress({
            session: params.session,
            event: { type: 'started', baseline: baseline.run },
          }),
        onResult: (result) =>
          this.progress({
            session: params.session,
            event: { type: 'judged', result: testItemOf(result, lines) },
          }),
      });
      return { workflow: report.workflow, version: report.version, cancelled: report.cancelled };
    } finally {
      this.sessions.delete(params.session);
    }
  }

  /** Cancels a test session; false when it is not running (any more). */
  cancel(session: string): boolean {
    const controller = this.sessions.get(session);
    controller?.abort();
    return controller !== undefined;
  }

  /** Cancels every session (the service is stopping). */
  cancelAll(): void {
    for (const controller of this.sessions.values()) controller.abort();
  }

  /** The workspace's baselines: its files, or its team store's. */
  private async baselines(): Promise<BaselineStore> {
    return baselinesOf(this.workspace.storeDir, await this.store());
  }

  /** Who changes the baselines (the workspace's git author), now. */
  private async changeBy(): Promise<BaselineChange> {
    return { actor: await currentAuthor(this.workspace.root), at: new Date().toISOString() };
  }

  /** The secrets set now (environment only: the service holds no editor secret at rest). */
  private async redactions(): Promise<ReadonlyMap<string, string>> {
    return secretAccess(await this.workspace.config(), (name) => process.env[name]).redact;
  }
}

/** A stored baseline as the protocol lists it. */
function itemOf(stored: StoredBaseline): BaselineItem {
  const { header } = stored.baseline.run;
  return {
    id: stored.id,
    location: stored.location,
    ...(stored.file === undefined ? {} : { file: stored.file }),
    workflow: header.workflow,
    run: header.id,
    version: header.version,
    startedAt: header.startedAt,
    input: header.input,
  };
}

/** A verdict as the protocol carries it, placed at the first changed step's lines. */
function testItemOf(
  result: BaselineTestResult,
  lines: ReturnType<typeof stepLines>,
): BaselineTestItem {
  const verdict = result.verdict;
  const first = verdict?.firstChangedStep;
  const location = first === undefined ? undefined : topLevelStepLines(lines, first);
  const failed = verdict?.outputs.find((o) => !o.pass);
  return {
    baseline: result.baseline.run,
    pass: result.pass,
    ...(result.message === undefined ? {} : { message: result.message }),
    ...(result.replay === undefined ? {} : { replay: result.replay }),
    ...(result.replayStatus === undefined ? {} : { replayStatus: result.replayStatus }),
    ...(failed?.expected === undefined ? {} : { expected: failed.expected }),
    ...(failed?.actual === undefined ? {} : { actual: failed.actual }),
    outputs: verdict?.outputs ?? [],
    ...(first === undefined ? {} : { firstChangedStep: first }),
    ...(location === undefined ? {} : { location }),
    durationMs: result.durationMs,
  };
}
