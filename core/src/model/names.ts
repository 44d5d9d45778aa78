/**
 * The grammars of names that come from outside (a command line, a library call, a workflow file, a
 * message from the editor) and end up in paths or queries: workflow names, channel names, run ids.
 * Each is checked where it enters, so text such as `../../elsewhere`, an absolute path, a NUL byte
 * or a backslash is refused with a message that says what is accepted, before any path is built.
 */
import { LockstepError } from './errors.js';

/** A workflow's `name`: lowercase letters, digits, `.`, `_`, `-`; starts and ends with a letter or digit. */
export const WORKFLOW_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?$/;

/** A channel's name (`production`); `v3` is not one: it names a published version. */
export const CHANNEL_NAME = /^(?!v[0-9]+$)[a-z][a-z0-9_-]{0,63}$/;

/** A run id: a UUID in its canonical lowercase form (Lockstep makes version 7 ones). */
export const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What people type for a run: its id, or the start of it. */
export const RUN_ID_PREFIX = /^[0-9a-f][0-9a-f-]{0,35}$/;

/**
 * `text` as a message can show it: in single quotes, control characters and backslashes escaped,
 * cut after 80 characters, so hostile input can neither hide in nor flood a terminal.
 */
export function quoted(text: string): string {
  return `'${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text).slice(1, -1)}'`;
}

/**
 * Checks a workflow name.
 * @param what where it came from, for the message (`the workflow name`, `steps.draft.workflow.name`).
 * @throws LockstepError `bad-name` saying what a name may hold.
 */
export function checkWorkflowName(name: string, what = 'a workflow name'): string {
  if (typeof name === 'string' && WORKFLOW_NAME.test(name)) return name;
  throw new LockstepError(
    'bad-name',
    `${quoted(String(name))} is not ${what}: names are lowercase letters, digits, '.', '_' or '-', start and end with a letter or digit, at most 100 characters`,
  );
}

/**
 * Checks a channel name.
 * @throws LockstepError `bad-name`.
 */
export function checkChannelName(name: string): string {
  if (typeof name === 'string' && CHANNEL_NAME.test(name)) return name;
  throw new LockstepError(
    'bad-name',
    `${quoted(String(name))} is not a channel name: a lowercase letter, then lowercase letters, digits, '_' or '-' (at most 64), and not v<number>, which names a published version`,
  );
}

/**
 * Checks a full run id.
 * @throws LockstepError `bad-run-id`.
 */
export function checkRunId(id: string): string {
  if (typeof id === 'string' && RUN_ID.test(id)) return id;
  throw new LockstepError(
    'bad-run-id',
    `${quoted(String(id))} is not a run id: run ids look like 0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b (\`lockstep runs <workflow>\` lists them)`,
  );
}

/**
 * Checks what a person typed for a run: a run id or the start of one.
 * @throws LockstepError `bad-run-id`.
 */
export function checkRunIdPrefix(prefix: string): string {
  if (typeof prefix === 'string' && RUN_ID_PREFIX.test(prefix)) return prefix;
  throw new LockstepError(
    'bad-run-id',
    `${quoted(String(prefix))} is not a run id or the start of one: lowercase hex digits and '-' (\`lockstep runs <workflow>\` lists them)`,
  );
}
