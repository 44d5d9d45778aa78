/**
 * What every Store backend checks of its arguments before it builds a path or a query from them.
 * A backend's names and ids come from outside (the CLI, the library, the editor, a workflow file):
 * each is parsed to its grammar here, so no backend reads or writes outside itself whatever it is
 * handed. Each function throws a LockstepError (`bad-name`, `bad-run-id`, `bad-ref`).
 */
import { isContentId, type ContentId } from '../model/content-id.js';
import { LockstepError } from '../model/errors.js';
import {
  checkChannelName,
  checkRunId,
  checkRunIdPrefix,
  checkWorkflowName,
  quoted,
} from '../model/names.js';
import type { RunHeader } from '../model/runs.js';
import type { VersionDraft } from './records.js';
import type { RunQuery } from './store.js';

/** A workflow name handed to a store method. */
export const checkName = (name: string): string => checkWorkflowName(name);

/** A version id: `sha256:` and 64 lowercase hex digits. */
export function checkVersionId(id: ContentId): ContentId {
  if (isContentId(id)) return id;
  throw new LockstepError(
    'bad-ref',
    `${quoted(String(id))} is not a version id: sha256: followed by 64 lowercase hex digits`,
  );
}

/** The start of a version id: `sha256:` and at least one lowercase hex digit. */
export function checkVersionIdPrefix(prefix: string): string {
  if (typeof prefix === 'string' && /^sha256:[0-9a-f]{0,64}$/.test(prefix)) return prefix;
  throw new LockstepError(
    'bad-ref',
    `${quoted(String(prefix))} is not the start of a version id: sha256: followed by lowercase hex digits`,
  );
}

/** A draft's workflow name. */
export function checkDraft(draft: VersionDraft): void {
  checkWorkflowName(draft.definition.name);
}

/** A new run's id and workflow (and its parent's id, for a child run). */
export function checkHeader(header: RunHeader): void {
  checkRunId(header.id);
  checkWorkflowName(header.workflow);
  checkVersionId(header.version.id);
  if (header.parent) checkRunId(header.parent.run);
}

/** A run query's workflow, version, channel, mode and limit. */
export function checkQuery(query: RunQuery): void {
  if (query.workflow !== undefined) checkWorkflowName(query.workflow);
  if (query.version !== undefined) checkVersionId(query.version);
  if (query.channel !== undefined) checkChannelName(query.channel);
  if (query.mode !== undefined && !RUN_MODES.includes(query.mode)) {
    throw new LockstepError(
      'bad-ref',
      `${quoted(String(query.mode))} is not a run mode: live, scripted, replay or replay-against`,
    );
  }
  if (query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit >= 0)) {
    throw new LockstepError('bad-ref', `${quoted(String(query.limit))} is not a number of runs`);
  }
}

const RUN_MODES: readonly string[] = ['live', 'scripted', 'replay', 'replay-against'];

export { checkRunId, checkRunIdPrefix };
