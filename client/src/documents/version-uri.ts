/**
 * `lockstep-version:` URIs name one stored version of a workflow, read-only: `support-triage v3`
 * for a published version, `support-triage @ab12cd34` for a snapshot (the path is the tab's
 * title). The query says which workspace folder's store holds it. Building and parsing are pure
 * (no `vscode`), so unit tests check them without an editor.
 */

/** The URI scheme of stored versions. */
export const VERSION_SCHEME = 'lockstep-version';

/** What a version URI names. */
export interface VersionRef {
  /** The workspace folder whose store holds it (its URI, as a string). */
  readonly folder: string;
  readonly workflow: string;
  /** A published number, or a full `sha256:` id. */
  readonly version: number | string;
}

/** The tab title of a version: `support-triage v3`, `support-triage @ab12cd34`. */
export function versionTitle(workflow: string, version: number | string): string {
  return typeof version === 'number'
    ? `${workflow} v${version}`
    : `${workflow} @${version.replace(/^sha256:/, '').slice(0, 8)}`;
}

/** The path and query of a version's URI. */
export function versionUriParts(ref: VersionRef): { path: string; query: string } {
  const query = new URLSearchParams({
    folder: ref.folder,
    workflow: ref.workflow,
    version: String(ref.version),
  });
  return { path: `/${versionTitle(ref.workflow, ref.version)}`, query: query.toString() };
}

/** What a version URI's query names; undefined when it is not one of ours. */
export function parseVersionQuery(query: string): VersionRef | undefined {
  const params = new URLSearchParams(query);
  const folder = params.get('folder');
  const workflow = params.get('workflow');
  const version = params.get('version');
  if (!folder || !workflow || !version) return undefined;
  if (/^[1-9][0-9]*$/.test(version)) return { folder, workflow, version: Number(version) };
  if (/^sha256:[0-9a-f]{64}$/.test(version)) return { folder, workflow, version };
  return undefined;
}
