/**
 * The engine reads prompts and schemas kept in files from the content embedded in the version
 * (model/file-refs.ts), never from the file: a version runs the same after its files change.
 */
import { schemaOf, textOf, type TextSource } from '../../model/file-refs.js';
import type { JsonObject } from '../../model/workflow.js';
import { EngineError } from '../engine-error.js';

/**
 * The text of a prompt or system message.
 * @throws EngineError (`invalid-definition`) for a file reference without embedded content.
 */
export function embeddedText(source: TextSource, where: string): string {
  const text = textOf(source);
  if (text === undefined) throw notEmbedded(source, where);
  return text;
}

/**
 * The JSON Schema of `schema` or `parameters`.
 * @throws EngineError (`invalid-definition`) for a file reference without embedded content.
 */
export function embeddedSchema(value: JsonObject, where: string): JsonObject {
  const schema = schemaOf(value);
  if (schema === undefined) throw notEmbedded(value, where);
  return schema;
}

function notEmbedded(value: unknown, where: string): EngineError {
  const file = (value as { file?: unknown }).file;
  return new EngineError(
    'invalid-definition',
    `${where}: the file ${String(file)} was not embedded; validate the workflow with its workspace before running it`,
  );
}
