/**
 * Prompts and schemas in files (see model/file-refs.ts): finds each `{ file }` reference of a
 * parsed workflow, reads it through the caller's reader (validation itself touches no file) and
 * embeds its content, reporting a missing, outside or oversized file, or a schema file that holds
 * no object, at the reference.
 */
import type { Diagnostic } from '../model/diagnostics.js';
import { isFileRef, type FileRead } from '../model/file-refs.js';
import { hasErrors } from '../model/diagnostics.js';
import { parseYamlText } from '../parse/parse-yaml.js';
import type { JsonPath, SourceLocator } from '../parse/source-locator.js';

/** Reads the file a reference names (`ref` as written) for one workflow file. */
export type ReferenceReader = (ref: string) => FileRead;

/** A file reference of a workflow and what its file must hold. */
export interface FileReferenceSite {
  /** The path of the `{ file }` mapping (`steps[0].llm.prompt`). */
  readonly path: JsonPath;
  /** The file as written. */
  readonly file: string;
  /** `text` for prompt and system, `object` (JSON or YAML) for schema and parameters. */
  readonly holds: 'text' | 'object';
}

/** Every `{ file }` reference of a parsed workflow, in source order. */
export function fileReferenceSites(value: Record<string, unknown>): FileReferenceSite[] {
  const sites: FileReferenceSite[] = [];
  const steps = Array.isArray(value['steps']) ? (value['steps'] as unknown[]) : [];
  for (const [i, step] of steps.entries()) {
    const llm = isRecord(step) && isRecord(step['llm']) ? step['llm'] : undefined;
    if (!llm) continue;
    const base: JsonPath = ['steps', i, 'llm'];
    for (const key of ['system', 'prompt'] as const) {
      const ref = llm[key];
      if (isRecord(ref) && typeof ref['file'] === 'string') {
        sites.push({ path: [...base, key], file: ref['file'], holds: 'text' });
      }
    }
    if (isFileRef(llm['schema'])) {
      sites.push({ path: [...base, 'schema'], file: llm['schema'].file, holds: 'object' });
    }
    const tools = Array.isArray(llm['tools']) ? (llm['tools'] as unknown[]) : [];
    for (const [j, tool] of tools.entries()) {
      const parameters = isRecord(tool) ? tool['parameters'] : undefined;
      if (isFileRef(parameters)) {
        sites.push({
          path: [...base, 'tools', j, 'parameters'],
          file: parameters.file,
          holds: 'object',
        });
      }
    }
  }
  return sites;
}

/**
 * The workflow with each reference's `content` read from its file (a copy; `value` is not
 * changed), and the problems found. Without a reader the workflow comes back as it is.
 */
export function embedFileReferences(
  value: Record<string, unknown>,
  locator: SourceLocator,
  read: ReferenceReader | undefined,
): { value: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const sites = fileReferenceSites(value);
  if (sites.length === 0 || read === undefined) return { value, diagnostics: [] };
  const copy = structuredClone(value);
  const diagnostics: Diagnostic[] = [];
  const report = (code: Diagnostic['code'], path: JsonPath, message: string): void => {
    diagnostics.push({ code, severity: 'error', message, range: locator.range(path) });
  };
  for (const site of sites) {
    const ref = at(copy, site.path);
    if ('content' in ref) {
      report('schema', [...site.path, 'content'], '`content` is read from the file: remove it');
      delete ref['content'];
    }
    const result = read(site.file);
    if (!result.ok) {
      report(result.code, [...site.path, 'file'], result.message);
      continue;
    }
    if (site.holds === 'text') {
      ref['content'] = result.text;
      continue;
    }
    const parsed = parseYamlText(result.text);
    const first = parsed.diagnostics.find((d) => d.severity === 'error');
    if (hasErrors(parsed.diagnostics) || !isRecord(parsed.value)) {
      report(
        'invalid-referenced-file',
        [...site.path, 'file'],
        `${site.file}: must hold a JSON Schema as a JSON or YAML object${first ? ` (line ${first.range.start.line}: ${first.message})` : ''}`,
      );
      continue;
    }
    ref['content'] = parsed.value;
  }
  return { value: copy, diagnostics };
}

function at(value: Record<string, unknown>, path: JsonPath): Record<string, unknown> {
  let node: unknown = value;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node as Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
