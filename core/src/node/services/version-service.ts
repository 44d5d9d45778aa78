/**
 * Versions of workflow files in a workspace: snapshotting a file (and applying the snapshot
 * retention rule), publishing one. The CLI and the editor's workspace service both use this, so
 * a version made from the editor and one made from a terminal are made the same way.
 */
import type { ContentId } from '../../model/content-id.js';
import { UsageError } from '../../model/errors.js';
import type { Publication } from '../../store/records.js';
import { DEFAULT_SNAPSHOTS_KEPT } from '../../store/retention.js';
import type { Store } from '../../store/store.js';
import { withPublication, type ResolvedVersion } from '../../versions/resolve.js';
import type { Workspace } from '../workspace/workspace.js';

export interface SnapshotOutcome extends ResolvedVersion {
  /** False when the same content was already stored. */
  readonly created: boolean;
  /** Snapshots the retention rule removed (`retention.snapshots`), oldest first. */
  readonly pruned: readonly ContentId[];
}

/**
 * Stores a valid workflow file's content as a version (a new one only when the content is new),
 * then keeps the workflow's newest `retention.snapshots` snapshots (default 50).
 * @throws InvalidDefinitionError when the file has errors: nothing is stored.
 */
export async function snapshotFile(
  workspace: Workspace,
  store: Store,
  file: string,
): Promise<SnapshotOutcome> {
  const draft = await workspace.draft(file);
  const { version, created } = await store.saveVersion(draft);
  const resolved = await withPublication(store, version);
  const keep = (await workspace.config()).retention?.snapshots ?? DEFAULT_SNAPSHOTS_KEPT;
  const pruned = created ? await store.pruneSnapshots(version.name, keep) : [];
  return { ...resolved, created, pruned };
}

export interface PublishOutcome {
  readonly publication: Publication;
  /** False when this content was already published: `publication` is that one. */
  readonly created: boolean;
  /** Whether the file had uncommitted changes (its number then matches no commit). */
  readonly dirty: boolean;
}

/**
 * Publishes a valid workflow file's content as its workflow's next version (v1, v2…). Publishing
 * content that is already published returns that publication.
 * @throws UsageError for an empty message; InvalidDefinitionError when the file has errors;
 *   StoreError when the control log cannot be extended (nothing is written then).
 */
export async function publishFile(
  workspace: Workspace,
  store: Store,
  file: string,
  message: string,
): Promise<PublishOutcome> {
  if (message.trim() === '')
    throw new UsageError('publish needs a message: -m "what changed and why"');
  const now = new Date();
  const draft = await workspace.draft(file, now);
  // The draft carries who is publishing and from which commit: the publication records the same.
  const { author, git } = draft;
  const { publication, created } = await store.publish({
    version: draft,
    message: message.trim(),
    at: now.toISOString(),
    author,
    git,
  });
  return { publication, created, dirty: git?.dirty === true };
}
