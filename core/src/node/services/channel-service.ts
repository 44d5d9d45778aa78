/**
 * Changing a workflow's channels in a workspace, for the CLI and the editor's service alike: the
 * published version a ref names, and a change decided on the channel's current state, then
 * appended with a compare-and-swap on the revision it was decided on (or shown without being
 * appended, so a person can confirm it first).
 */
import type { ChangeMeta } from '../../channels/changes.js';
import { RefError } from '../../model/errors.js';
import { checkChannelName, checkWorkflowName } from '../../model/names.js';
import type {
  ChannelChangeRequest,
  ChannelHistoryEntry,
  ChannelState,
  ChannelVersion,
} from '../../store/channel-records.js';
import { revisionConflict } from '../../store/control-state.js';
import type { Store } from '../../store/store.js';
import { parseRef } from '../../versions/refs.js';
import { resolveStoredRef } from '../../versions/resolve.js';
import { currentAuthor } from '../workspace/git.js';
import type { Workspace } from '../workspace/workspace.js';

/** Decides the change on the channel's state as read (undefined for a channel never set). */
export type DecideChange = (
  store: Store,
  state: ChannelState | undefined,
  meta: ChangeMeta,
) => Promise<ChannelChangeRequest>;

export interface ChannelChangeOptions {
  readonly message?: string;
  /** Change only if the channel is still at this revision (else the decision's revision). */
  readonly ifRevision?: number;
  /** Decide the change but do not append it (what a confirmation shows). */
  readonly preview?: boolean;
}

/** A change decided and, unless previewed, appended. */
export type ChannelChangeOutcome =
  | { readonly applied: false; readonly request: ChannelChangeRequest }
  | {
      readonly applied: true;
      readonly request: ChannelChangeRequest;
      readonly state: ChannelState;
      readonly entry: ChannelHistoryEntry;
    };

/**
 * Reads the channel, lets `decide` build the change, and appends it unless previewing.
 * @throws LockstepError `invalid-change` (from `decide`), `conflict` when another process changed
 *   the channel since it was read (or since `ifRevision`), name errors for bad names.
 */
export async function changeChannel(
  workspace: Workspace,
  store: Store,
  workflow: string,
  channel: string,
  decide: DecideChange,
  options: ChannelChangeOptions = {},
): Promise<ChannelChangeOutcome> {
  checkWorkflowName(workflow);
  checkChannelName(channel);
  const state = await store.getChannel(workflow, channel);
  // A change decided on an older revision is a conflict, whatever the channel now is: checked
  // before deciding, so the caller hears "changed meanwhile", not a complaint about the new state.
  if (options.ifRevision !== undefined && (state?.revision ?? 0) !== options.ifRevision) {
    throw revisionConflict(workflow, channel, state, options.ifRevision);
  }
  const meta: ChangeMeta = {
    at: new Date().toISOString(),
    actor: await currentAuthor(workspace.root),
    message: options.message ?? '',
  };
  const decided = await decide(store, state, meta);
  const request =
    options.ifRevision === undefined
      ? decided
      : { ...decided, expectedRevision: options.ifRevision };
  if (options.preview) return { applied: false, request };
  const after = await store.changeChannel(request);
  return { applied: true, request, state: after, entry: after.history.at(-1)! };
}

/**
 * The workflow a `name@<n>` ref names.
 * @throws RefError for a file or a channel ref: a channel takes published versions only.
 */
export function refWorkflow(text: string): string {
  const ref = parseRef(text);
  if (ref.kind === 'file' || ref.kind === 'channel') {
    throw new RefError(
      'bad-ref',
      `${text}: name a published version (name@3 or name@sha256:…); publish a file first with \`lockstep publish <file> -m <message>\``,
    );
  }
  return ref.name;
}

/**
 * The published version a `name@<n>` (or `name@sha256:…`) ref names.
 * @throws RefError when it is not a stored ref, or the version is not published.
 */
export async function publishedVersion(
  store: Store,
  text: string,
): Promise<{ workflow: string; version: ChannelVersion }> {
  refWorkflow(text);
  const ref = parseRef(text) as Exclude<ReturnType<typeof parseRef>, { kind: 'file' | 'channel' }>;
  const resolved = await resolveStoredRef(store, ref);
  if (!resolved.publication) {
    throw new RefError(
      'unknown-version',
      `${text} is a snapshot, not a published version: only published versions go on a channel (\`lockstep publish\` it first)`,
    );
  }
  return {
    workflow: ref.name,
    version: { version: resolved.record.id, seq: resolved.publication.seq },
  };
}
