/**
 * What the workspace service answers, for one workspace: versions of workflow files and of the
 * store, snapshots and publications, version texts. The store is opened once and kept open (its
 * index warm), and created only when something is first stored in it. Each method is one request
 * of protocol.ts; the connection wiring is in main.ts.
 */
import path from 'node:path';
import { LockstepError, RefError } from '../model/errors.js';
import { Workspace } from '../node/workspace/workspace.js';
import { publishFile, snapshotFile } from '../node/services/version-service.js';
import type { VersionRecord, VersionSummary } from '../store/records.js';
import type { Store } from '../store/store.js';
import { resolveStoredRef, withPublication, type ResolvedVersion } from '../versions/resolve.js';
import type {
  FileVersionResult,
  PublishResult,
  SnapshotResult,
  VersionItem,
  VersionTextResult,
} from './protocol.js';
import { contentId } from '../hash/canonical.js';

export class WorkspaceService {
  private store: Store | undefined;
  private opening: Promise<Store | undefined> | undefined;

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
    return {
      state: 'valid',
      workflow: name,
      id,
      stored: record !== undefined,
      ...(publication ? { seq: publication.seq } : {}),
      ...(latest === undefined ? {} : { latestSeq: latest }),
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

  /** See VersionsRequest. */
  async versions(workflow: string): Promise<VersionItem[]> {
    const store = await this.existingStore();
    if (!store) return [];
    return (await store.listVersions(workflow)).map(summaryItem);
  }

  /** See WorkflowsRequest. */
  async workflows(): Promise<string[]> {
    const store = await this.existingStore();
    return store ? store.listWorkflows() : [];
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
  private existingStore(): Promise<Store | undefined> {
    if (this.store) return Promise.resolve(this.store);
    this.opening ??= this.workspace.openStore().then(
      (store) => (this.store = store),
      (error: unknown) => {
        this.opening = undefined; // not there yet: try again next time
        if (error instanceof LockstepError && error.code === 'no-store') return undefined;
        throw error;
      },
    );
    return this.opening;
  }

  /** The store, created when missing; `file` must be inside the workspace. */
  private async writableStore(file: string): Promise<Store> {
    const existing = await this.existingStore();
    if (existing) return existing;
    await this.workspace.draft(path.resolve(file)); // an invalid file creates no store
    this.opening = this.workspace.openStore({ create: true }).then((store) => (this.store = store));
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
