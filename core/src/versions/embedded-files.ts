/**
 * How `show` and `diff` present a version whose prompts or schemas are kept in files: the stored
 * YAML, then each referenced file's embedded content under a comment line naming it.
 */
import { isFileRef } from '../model/file-refs.js';
import type { WorkflowDefinition } from '../model/workflow.js';

/** One embedded file of a version, in the definition's order. */
export interface EmbeddedFile {
  /** Where the reference is (`steps.classify.llm.prompt`). */
  readonly at: string;
  readonly file: string;
  /** The text (prompt, system) or the object as indented JSON (schema, parameters). */
  readonly text: string;
}

/** The files a definition embeds (references without content are left out). */
export function embeddedFiles(definition: WorkflowDefinition): EmbeddedFile[] {
  const found: EmbeddedFile[] = [];
  const add = (at: string, value: unknown): void => {
    if (!isFileRef(value) || value.content === undefined) return;
    const text =
      typeof value.content === 'string' ? value.content : JSON.stringify(value.content, null, 2);
    found.push({ at, file: value.file, text });
  };
  for (const step of definition.steps ?? []) {
    const llm = step.llm;
    if (!llm) continue;
    const at = `steps.${step.id}.llm`;
    add(`${at}.system`, llm.system);
    add(`${at}.prompt`, llm.prompt);
    add(`${at}.schema`, llm.schema);
    for (const tool of llm.tools ?? []) add(`${at}.tools.${tool.name}.parameters`, tool.parameters);
  }
  return found;
}

/**
 * `source` followed by each embedded file as `# --- <file> (<where>) ---` and its content; the
 * source alone when the definition embeds none.
 */
export function sourceWithEmbeddedFiles(source: string, definition: WorkflowDefinition): string {
  const files = embeddedFiles(definition);
  if (files.length === 0) return source;
  const parts = [source.endsWith('\n') ? source : `${source}\n`];
  for (const { at, file, text } of files) {
    parts.push(`\n# --- ${file} (${at}) ---\n${text.endsWith('\n') ? text : `${text}\n`}`);
  }
  return parts.join('');
}
