/**
 * Go to definition on the `file:` of a prompt or schema kept in a file
 * (`prompt: { file: prompts/classify.md }`): opens that file, resolved as validation resolves it
 * (relative to the workflow file's folder, inside the workspace).
 */
import { existsSync } from 'node:fs';
import type { Location } from 'vscode-languageserver';
import { referencedPath } from '../../../core/src/node/workspace/referenced-files.js';
import { fileReferenceSites } from '../../../core/src/validate/file-references.js';
import type { FeatureContext } from '../analysis/feature-context.js';
import { toLspPosition } from '../lsp-ranges.js';
import { pathToUri, uriToPath } from '../uris.js';

/**
 * The referenced file when `offset` is on a reference's `file:` value; undefined when it is not
 * (so other features answer), an empty list when the file does not exist or lies outside.
 */
export function fileReferenceDefinition(
  context: FeatureContext,
  offset: number,
): Location[] | undefined {
  const { parsed } = context.analysis.validated;
  const { document } = context.analysis;
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const site of fileReferenceSites(value as Record<string, unknown>)) {
    const range = parsed.locator.range([...site.path, 'file']);
    const start = document.offsetAt(toLspPosition(range.start));
    const end = document.offsetAt(toLspPosition(range.end));
    if (offset < start || offset > end) continue;
    const workflow = uriToPath(context.uri);
    const target =
      workflow === undefined ? undefined : referencedPath(context.scope.root, workflow, site.file);
    if (target === undefined || !existsSync(target)) return [];
    const top = { line: 0, character: 0 };
    return [{ uri: pathToUri(target), range: { start: top, end: top } }];
  }
  return undefined;
}
