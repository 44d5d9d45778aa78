/**
 * Prompts and schemas kept in files: `prompt: { file: prompts/classify.md }` (also `system`, an
 * llm step's `schema` and a tool's `parameters`). The path is relative to the workflow file's
 * folder. Validation reads the file and embeds its content (`{ file, content }`) in the definition,
 * so the version id covers the content and a stored version never reads the file again.
 */
import type { JsonObject, JsonValue } from './workflow.js';

/** The most bytes a referenced file may hold (1 MiB). */
export const MAX_REFERENCED_FILE_BYTES = 1024 * 1024;

/**
 * A reference to a file. `content` is the file's text (prompt, system) or the JSON/YAML object it
 * holds (schema, parameters), filled in by validation; a definition that was never validated with a
 * file reader has none.
 */
export interface FileRef<T> {
  file: string;
  content?: T;
}

/** A prompt or system message: inline text or a file of text. */
export type TextSource = string | FileRef<string>;

/** What a workspace's file reader answers for one reference. */
export type FileRead =
  | { readonly ok: true; readonly text: string }
  | {
      readonly ok: false;
      readonly code: 'file-not-found' | 'file-outside-workspace' | 'file-too-large';
      readonly message: string;
    };

/**
 * Reads a referenced file for the workflow file `workflowFile` (`ref` as written, relative to the
 * workflow file's folder). Synchronous because validation is.
 */
export type ReferencedFileReader = (workflowFile: string, ref: string) => FileRead;

/** True when `value` is a file reference (`{ file }`, optionally with its embedded `content`). */
export function isFileRef(value: unknown): value is FileRef<unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    typeof (value as { file?: unknown }).file === 'string' &&
    keys.every((k) => k === 'file' || k === 'content')
  );
}

/** The text of a prompt or system message; undefined when absent or a file not yet embedded. */
export function textOf(source: TextSource | undefined): string | undefined {
  return typeof source === 'object' ? source.content : source;
}

/**
 * The JSON Schema of `schema` or `parameters`: the value itself, or a file reference's embedded
 * object (undefined when not embedded).
 */
export function schemaOf(value: JsonObject | undefined): JsonObject | undefined {
  if (!isFileRef(value)) return value;
  const content = value.content as JsonValue | undefined;
  return content !== null && typeof content === 'object' && !Array.isArray(content)
    ? content
    : undefined;
}
