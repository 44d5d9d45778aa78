/**
 * What the workspace service answers, for one workspace: versions of workflow files and of the
 * store, snapshots and publications, version texts. The store is opened once and kept open (its
 * index warm), and created only when something is first stored in it. Each method is one request
 * of protocol.ts; the connection wiring is in main.ts.
 */
import path from 'node:path';
import { InvalidDefinitionError, LockstepError, RefError, StoreError } from '../model/errors.js';
import { Workspace } from '../node/workspace/workspace.js';
import { publishFile, snapshotFile } from '../node/services/version-service.js';
import type { VersionRecord, VersionSummary } from '../store/records.js';
import type { Store } from '../store/store.js';
import { resolveStoredRef, withPublication, type ResolvedVersion } from '../versions/resolve.js';
import { WORKFLOW_NAME } from '../model/names.js';
import type { ContentId } from '../model/content-id.js';
import { summarizeRun } from '../store/fold-run.js';
import { currentStepOf, runDetails, runItem } from './run-views.js';
import {
  autoAborts,
  changeChannelFromEditor,
  channelHealth,
  channelShares,
  listChannels,
} from './channel-views.js';
import { canonicalJson } from '../hash/canonical.js';
import { compareRuns } from '../replay/compare.js';
import type { WorkflowDefinition } from '../model/workflow.js';
import { parseRef } from '../versions/refs.js';
import { secretRules } from '../validate/config-settings.js';
import { describePostgresUrl } from '../node/store/postgres/store-url.js';
import { validateWorkflowText } from '../validate/validate-workflow.js';
import type {
  ChannelChangeParams,
  ChannelChangeResult,
  ChannelHealthResult,
  ChannelItem,
  InputField,
  RunComparison,
  RunInputsResult,
  SecretsResult,
  StepResult,
  StepResultsResult,
  RunDetails,
  RunsParams,
  RunsResult,
  WorkflowItem,
  FileVersionResult,
  PublishResult,
  SnapshotResult,
  VersionItem,
  VersionTextResult,
} from './protocol.js';
import { contentId } from '../hash/canonical.js';
import { compareCodeUnits } from '../code-unit-order.js';

export class WorkspaceService {
  private store: Store | undefined;
  private opening: Promise<Store | undefined> | undefined;

  /**
   * Asks the editor for the team store's password (its secret storage), for a PostgreSQL store
   * whose URL has none; unset outside the editor.
   */
  storePassword: ((store: string) => Promise<string | undefined>) | undefined;

  /**
   * The editor does not trust the workspace (Restricted Mode): a PostgreSQL store named by its
   * config is not connected to (the config may come from a stranger's pull request, and would
   * choose the server that passwords and queries go to).
   */
  restricted = false;

  private constructor(readonly workspace: Workspace) {}

  /** The service of the workspace holding `folder` (its `.lockstep` may be elsewhere: `store`). */
  static async open(folder: string, store?: string): Promise<WorkspaceService> {
    return new WorkspaceService(await Workspace.locate(folder, store ? { store } : {}));
  }

  /** Which version a workflow file's saved content is; see FileVersionRequest. */
  async fileVersion(file: string): Promise<FileVersionResult> {
    const [result] = await this.workspace.validate([path.resolve(file)]);
    const errors = (result?.diagnostics ?? []).filter((d) => d.severity === 'error').length;
    const workflow = result?.validated.summary.name;
    if (!result?.definition) {
      return workflow === undefined
        ? { state: 'invalid', errors }
        : { state: 'invalid', workflow, errors };
    }
    const id = contentId(result.definition);
    const name = result.definition.name;
    const store = await this.existingStore();
    const record = store ? await store.getVersion(name, id) : undefined;
    const publications = store ? await store.listPublications(name) : [];
    const publication = publications.find((p) => p.version === id);
    const latest = publications.at(-1)?.seq;
    const channels = publication && store ? (await channelShares(store, name)).get(id) : undefined;
    return {
      state: 'valid',
      workflow: name,
      id,
      stored: record !== undefined,
      ...(publication ? { seq: publication.seq } : {}),
      ...(latest === undefined ? {} : { latestSeq: latest }),
      ...(channels ? { channels } : {}),
    };
  }

  /** See SnapshotRequest. */
  async snapshot(file: string): Promise<SnapshotResult> {
    const store = await this.writableStore(file);
    const outcome = await snapshotFile(this.workspace, store, path.resolve(file));
    return {
      version: itemOf(outcome.record, outcome.publication),
      created: outcome.created,
      pruned: outcome.pruned,
    };
  }

  /** See PublishRequest. */
  async publish(file: string, message: string): Promise<PublishResult> {
    const store = await this.writableStore(file);
    const { publication, created } = await publishFile(
      this.workspace,
      store,
      path.resolve(file),
      message,
    );
    const record = await store.getVersion(publication.workflow, publication.version);
    if (!record) throw new RefError('unknown-version', `${publication.version} disappeared`);
    return { version: itemOf(record, publication), created };
  }

  /** See VersionsRequest: each with its number of runs. */
  async versions(workflow: string): Promise<VersionItem[]> {
    const store = await this.existingStore();
    if (!store) return [];
    const [versions, counts, shares] = await Promise.all([
      store.listVersions(workflow),
      store.runCountsByVersion(workflow),
      channelShares(store, workflow),
    ]);
    return versions.map((v) => {
      const channels = shares.get(v.id);
      return { ...summaryItem(v), runs: counts.get(v.id) ?? 0, ...(channels ? { channels } : {}) };
    });
  }

  /** See ChannelsRequest. */
  async channels(workflow: string): Promise<ChannelItem[]> {
    const store = await this.existingStore();
    return store ? listChannels(store, workflow) : [];
  }

  /** See ChannelHealthRequest. */
  async channelHealth(workflow: string, channel: string): Promise<ChannelHealthResult> {
    const store = await this.existingStore();
    if (!store) {
      throw new LockstepError(
        'unknown-channel',
        `${this.workspace.root} has no store yet: ${workflow} has no channel '${channel}'`,
      );
    }
    const prices = (await this.workspace.config()).prices ?? {};
    return channelHealth(store, workflow, channel, prices, Date.now());
  }

  /** See ChannelChangeRequest. */
  async changeChannel(params: ChannelChangeParams): Promise<ChannelChangeResult> {
    const store = await this.existingStore();
    if (!store) {
      throw new RefError(
        'unknown-version',
        `${this.workspace.root} has no store yet: publish ${params.workflow} first`,
      );
    }
    return changeChannelFromEditor(this.workspace, store, params);
  }

  /** See WorkflowsRequest: files of the workspace and workflows of the store, by name. */
  async workflows(): Promise<WorkflowItem[]> {
    const store = await this.existingStore();
    const files = new Map<string, string>();
    for (const result of await this.workspace.validate()) {
      const name = result.validated.summary.name;
      if (name !== undefined && !files.has(name)) files.set(name, result.file);
    }
    const names = new Set([...files.keys(), ...(store ? await store.listWorkflows() : [])]);
    return Promise.all(
      [...names].sort().map(async (name): Promise<WorkflowItem> => {
        const file = files.get(name);
        // A file's name may not be a valid workflow name yet (the file has errors): no history.
        if (!store || !WORKFLOW_NAME.test(name)) return { name, ...(file ? { file } : {}) };
        const [publications, [last], autoAborted] = await Promise.all([
          store.listPublications(name),
          store.listRuns({ workflow: name, limit: 1 }),
          autoAborts(store, name),
        ]);
        const latestSeq = publications.at(-1)?.seq;
        return {
          name,
          ...(file ? { file } : {}),
          ...(latestSeq === undefined ? {} : { latestSeq }),
          ...(last ? { lastRun: { status: last.status, startedAt: last.startedAt } } : {}),
          ...(autoAborted.length > 0 ? { autoAborted } : {}),
        };
      }),
    );
  }

  /** See RunsRequest: the filter's status × mode combinations merged, newest first. */
  async runs(params: RunsParams): Promise<RunsResult> {
    const store = await this.existingStore();
    if (!store) return { runs: [], more: false };
    const limit = params.limit ?? 20;
    const statuses = params.statuses?.length ? params.statuses : [undefined];
    const modes = params.modes?.length ? params.modes : [undefined];
    const lists = await Promise.all(
      statuses.flatMap((status) =>
        modes.map((mode) =>
          store.listRuns({
            workflow: params.workflow,
            ...(params.version === undefined ? {} : { version: params.version as ContentId }),
            ...(status === undefined ? {} : { status }),
            ...(mode === undefined ? {} : { mode }),
            limit: limit + 1,
          }),
        ),
      ),
    );
    const merged = lists
      .flat()
      .sort((a, b) => compareCodeUnits(b.startedAt, a.startedAt) || compareCodeUnits(b.id, a.id));
    const page = merged.slice(0, limit);
    const items = await Promise.all(
      page.map(async (summary) => {
        if (summary.status !== 'running') return runItem(summary);
        const record = await store.getRun(summary.id).catch(() => undefined);
        return runItem(summary, record ? currentStepOf(record) : undefined);
      }),
    );
    return { runs: items, more: merged.length > limit };
  }

  /** See SecretsRequest. */
  async secrets(): Promise<SecretsResult> {
    const rules = secretRules(await this.workspace.config());
    return {
      secrets: [...rules.values()].map((rule) => ({
        name: rule.name,
        ...(rule.hosts ? { hosts: rule.hosts } : {}),
        inEnvironment: (process.env[rule.name] ?? '') !== '',
      })),
    };
  }

  /** See RunInputsRequest: the declared inputs, and distinct inputs of the newest runs. */
  async runInputs(ref: string): Promise<RunInputsResult> {
    const definition = await this.definitionOf(ref);
    const inputs: InputField[] = Object.entries(definition.inputs ?? {}).map(([name, input]) => ({
      name,
      type: input.type,
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.enum === undefined ? {} : { enum: input.enum }),
      ...(input.default === undefined ? {} : { default: input.default }),
      required: input.default === undefined && input.required !== false,
    }));
    const store = await this.existingStore();
    const recent: RunInputsResult['recent'][number][] = [];
    if (store) {
      const seen = new Set<string>();
      for (const summary of await store.listRuns({ workflow: definition.name, limit: 30 })) {
        const record = await store.getRun(summary.id).catch(() => undefined);
        if (!record) continue;
        const key = canonicalJson(record.header.input);
        if (seen.has(key)) continue;
        seen.add(key);
        recent.push({ run: summary.id, startedAt: summary.startedAt, input: record.header.input });
        if (recent.length === 5) break;
      }
    }
    return { workflow: definition.name, inputs, recent };
  }

  /** See StepResultsRequest. */
  async stepResults(file: string, text?: string): Promise<StepResultsResult> {
    const version = await this.fileVersion(file);
    // The editor's unsaved text, when it validates on its own; else the saved file.
    const definition =
      (text === undefined ? undefined : validateWorkflowText(text).definition) ??
      (await this.workspace.validate([path.resolve(file)]))[0]?.definition;
    const store = await this.existingStore();
    if (!definition || !store || !WORKFLOW_NAME.test(definition.name)) {
      return {
        ...(version.workflow === undefined ? {} : { workflow: version.workflow }),
        version,
        runs: 0,
        steps: {},
      };
    }
    const name = definition.name;
    const counts = await store.runCountsByVersion(name);
    const runs = [...counts.values()].reduce((a, b) => a + b, 0);
    const current = new Map(definition.steps.map((s) => [s.id, canonicalJson(s)]));
    const steps: { [step: string]: StepResult } = {};
    const versions = new Map<string, Map<string, string> | undefined>();
    let lastInput: unknown;
    for (const summary of await store.listRuns({ workflow: name, limit: 30 })) {
      if (Object.keys(steps).length === current.size) break;
      const record = await store.getRun(summary.id).catch(() => undefined);
      if (!record) continue;
      lastInput ??= record.header.input;
      const id = record.header.version.id;
      if (!versions.has(id)) {
        const then = await store.getVersion(name, id).catch(() => undefined);
        versions.set(
          id,
          then && new Map(then.definition.steps.map((s) => [s.id, canonicalJson(s)])),
        );
      }
      const then = versions.get(id);
      for (const step of record.steps) {
        // The step itself, not an iteration (`notes[…]`): its record has the whole duration.
        if (step.path !== step.step || steps[step.step] || !current.has(step.step)) continue;
        const tokens = record.effects
          .filter((e) => e.path === step.path || e.path.startsWith(`${step.path}[`))
          .reduce(
            (sum, e) =>
              e.usage
                ? { input: sum.input + e.usage.input, output: sum.output + e.usage.output }
                : sum,
            { input: 0, output: 0 },
          );
        steps[step.step] = {
          status: step.status,
          durationMs: Date.parse(step.finishedAt) - Date.parse(step.startedAt),
          ...(tokens.input + tokens.output > 0 ? { tokens } : {}),
          ...(step.error ? { error: { code: step.error.code, message: step.error.message } } : {}),
          run: summary.id,
          version: record.header.version,
          stale: then?.get(step.step) !== current.get(step.step),
        };
      }
    }
    return {
      workflow: name,
      version,
      runs,
      ...(lastInput === undefined ? {} : { lastInput }),
      steps,
    };
  }

  /** A ref's definition: a workflow file's current content (not stored), or a stored version. */
  private async definitionOf(ref: string): Promise<WorkflowDefinition> {
    const parsed = parseRef(ref);
    if (parsed.kind === 'file') {
      const absolute = path.resolve(parsed.path);
      const [result] = await this.workspace.validate([absolute]);
      if (!result?.definition) {
        throw new InvalidDefinitionError(
          absolute,
          (result?.diagnostics ?? []).filter((d) => d.severity === 'error'),
        );
      }
      return result.definition;
    }
    const store = await this.existingStore();
    if (!store)
      throw new RefError('unknown-workflow', `nothing is stored yet in ${this.workspace.storeDir}`);
    if (parsed.kind === 'channel') {
      // The form of a channel's run is its stable version's inputs (a canary's candidate is
      // checked against its own when the run is routed to it).
      const stable = (await store.getChannel(parsed.name, parsed.channel))?.targets?.stable;
      if (stable) {
        const ref = { kind: 'seq', name: parsed.name, seq: stable.seq } as const;
        return (await resolveStoredRef(store, ref)).record.definition;
      }
    }
    return (await resolveStoredRef(store, parsed)).record.definition;
  }

  /** See RunDetailsRequest. */
  async runDetails(id: string): Promise<RunDetails> {
    const store = await this.existingStore();
    const record = store ? await store.getRun(id) : undefined;
    if (!store || !record)
      throw new RefError('unknown-run', `no run ${id} in ${this.workspace.storeDir}`);
    const version = await store
      .getVersion(record.header.workflow, record.header.version.id)
      .catch(() => undefined);
    const prices = (await this.workspace.config()).prices ?? {};
    return runDetails(record, summarizeRun(record), version, prices);
  }

  /** See CompareRequest. */
  async compare(a: string, b: string): Promise<RunComparison> {
    const store = await this.existingStore();
    const [runA, runB] = await Promise.all([a, b].map((id) => store?.getRun(id)));
    for (const [id, record] of [
      [a, runA],
      [b, runB],
    ] as const) {
      if (!record) throw new RefError('unknown-run', `no run ${id} in ${this.workspace.storeDir}`);
    }
    return compareRuns(runA!, runB!, (await this.workspace.config()).prices ?? {});
  }

  /** See VersionTextRequest. */
  async versionText(workflow: string, version: string | number): Promise<VersionTextResult> {
    const store = await this.existingStore();
    if (!store)
      throw new RefError('unknown-workflow', `nothing is stored yet in ${this.workspace.storeDir}`);
    const resolved =
      typeof version === 'number'
        ? await resolveStoredRef(store, { kind: 'seq', name: workflow, seq: version })
        : await this.byId(store, workflow, version);
    return { version: itemOf(resolved.record, resolved.publication), text: resolved.record.source };
  }

  async close(): Promise<void> {
    const store = await this.opening;
    await store?.close();
  }

  private async byId(store: Store, workflow: string, id: string): Promise<ResolvedVersion> {
    const record = await store.getVersion(workflow, id as VersionRecord['id']);
    if (!record) {
      throw new RefError('unknown-version', `${workflow} has no stored version ${id}`);
    }
    return withPublication(store, record);
  }

  /** The store if it exists (opened once, kept open), else undefined. */
  existingStore(): Promise<Store | undefined> {
    if (this.store) return Promise.resolve(this.store);
    this.opening ??= this.openStore({}).then(
      (store) => (this.store = store),
      (error: unknown) => {
        this.opening = undefined; // not there yet: try again next time
        if (error instanceof LockstepError && error.code === 'no-store') return undefined;
        throw error;
      },
    );
    return this.opening;
  }

  /** The store, created when missing (a run records into it). */
  async storeForRuns(): Promise<Store> {
    const existing = await this.existingStore();
    if (existing) return existing;
    this.opening = this.openStore({ create: true }).then((store) => (this.store = store));
    return this.opening as Promise<Store>;
  }

  /** Opens the workspace's store, with the editor's password for a team store that needs one. */
  private async openStore(options: { create?: boolean }): Promise<Store> {
    const location = await this.workspace.storeLocation();
    if (this.restricted && location.kind === 'postgres' && location.chosenBy === 'config') {
      throw new StoreError(
        'untrusted-store',
        `.lockstep/config.yaml names the PostgreSQL store ${describePostgresUrl(location.url)}: trust this workspace (Manage Workspace Trust) to connect to it`,
      );
    }
    if (location.kind !== 'postgres' || !this.storePassword || process.env['PGPASSWORD']) {
      return this.workspace.openStore(options);
    }
    // An editor that cannot answer leaves the login to PGPASSWORD or ~/.pgpass.
    const password = await this.storePassword(describePostgresUrl(location.url)).catch(
      () => undefined,
    );
    return this.workspace.openStore({ ...options, ...(password ? { password } : {}) });
  }

  /** The store, created when missing; `file` must be inside the workspace. */
  private async writableStore(file: string): Promise<Store> {
    const existing = await this.existingStore();
    if (existing) return existing;
    await this.workspace.draft(path.resolve(file)); // an invalid file creates no store
    this.opening = this.openStore({ create: true }).then((store) => (this.store = store));
    return this.opening as Promise<Store>;
  }
}

/** A version record as the protocol lists it. */
function itemOf(record: VersionRecord, publication?: VersionSummary['publication']): VersionItem {
  return {
    id: record.id,
    workflow: record.name,
    createdAt: record.createdAt,
    author: record.author,
    ...(record.sourcePath === undefined ? {} : { sourcePath: record.sourcePath }),
    ...(record.git ? { git: { commit: record.git.commit, dirty: record.git.dirty } } : {}),
    ...(publication
      ? { seq: publication.seq, message: publication.message, publishedAt: publication.at }
      : {}),
  };
}

/** A version summary as the protocol lists it. */
function summaryItem(summary: VersionSummary): VersionItem {
  const publication = summary.publication;
  return {
    id: summary.id,
    workflow: summary.name,
    createdAt: summary.createdAt,
    author: summary.author,
    ...(publication
      ? {
          seq: publication.seq,
          message: publication.message,
          publishedAt: publication.at,
          ...(publication.git
            ? { git: { commit: publication.git.commit, dirty: publication.git.dirty } }
            : {}),
        }
      : {}),
  };
}
