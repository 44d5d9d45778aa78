/**
 * The ids of the Testing view's items: a workspace folder (multi-root only), a workflow, and one
 * baseline of it. Package.json's menus match their prefixes (`baseline|` is removable), so the
 * prefixes are part of the contract. Pure (no `vscode`): unit tests read it without an editor.
 */

/** What a Testing item stands for. */
export type TestSubject =
  | { readonly kind: 'folder'; readonly folder: string }
  | { readonly kind: 'workflow'; readonly folder: string; readonly workflow: string }
  | {
      readonly kind: 'baseline';
      readonly folder: string;
      readonly workflow: string;
      /** The baseline's recorded run. */
      readonly run: string;
    };

/** The id of a subject's item: its kind, then its parts as JSON (a folder URI may hold `|`). */
export function testIdOf(subject: TestSubject): string {
  switch (subject.kind) {
    case 'folder':
      return `folder|${JSON.stringify([subject.folder])}`;
    case 'workflow':
      return `workflow|${JSON.stringify([subject.folder, subject.workflow])}`;
    case 'baseline':
      return `baseline|${JSON.stringify([subject.folder, subject.workflow, subject.run])}`;
  }
}

/** What an item's id names; undefined for an id this extension did not make. */
export function subjectOfTestId(id: string): TestSubject | undefined {
  const bar = id.indexOf('|');
  if (bar === -1) return undefined;
  let parts: unknown;
  try {
    parts = JSON.parse(id.slice(bar + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || !parts.every((part) => typeof part === 'string')) return undefined;
  const [folder, workflow, run] = parts as string[];
  switch (id.slice(0, bar)) {
    case 'folder':
      return parts.length === 1 ? { kind: 'folder', folder: folder! } : undefined;
    case 'workflow':
      return parts.length === 2
        ? { kind: 'workflow', folder: folder!, workflow: workflow! }
        : undefined;
    case 'baseline':
      return parts.length === 3
        ? { kind: 'baseline', folder: folder!, workflow: workflow!, run: run! }
        : undefined;
    default:
      return undefined;
  }
}
