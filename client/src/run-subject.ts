/**
 * The run a replay or baseline command acts on, as run details and the runner pass it (a History
 * row passes its node instead). Pure (no `vscode`): unit tests check the validation.
 */

export interface RunSubject {
  /** The URI (as a string) of the workspace folder whose store holds the run. */
  readonly folder: string;
  readonly run: {
    readonly id: string;
    readonly workflow: string;
    readonly version: { readonly id: string; readonly seq?: number };
  };
  /** The workflow's file in that folder (absolute path), if it has one. */
  readonly file?: string;
}

/** Whether a command's argument is a well-formed RunSubject. */
export function isRunSubject(argument: unknown): argument is RunSubject {
  if (typeof argument !== 'object' || argument === null) return false;
  const a = argument as { folder?: unknown; run?: unknown; file?: unknown };
  const run = a.run as { id?: unknown; workflow?: unknown; version?: { id?: unknown } } | null;
  return (
    typeof a.folder === 'string' &&
    (a.file === undefined || typeof a.file === 'string') &&
    typeof run === 'object' &&
    run !== null &&
    typeof run.id === 'string' &&
    typeof run.workflow === 'string' &&
    typeof run.version === 'object' &&
    run.version !== null &&
    typeof run.version.id === 'string'
  );
}

/**
 * A run id as messages show it: its first 13 characters (`01a2456b-8ba2`). Run ids are UUIDv7,
 * whose first 8 characters change only once a minute, so a shorter form names many runs.
 */
export function shortRunId(id: string): string {
  return id.slice(0, 13);
}
