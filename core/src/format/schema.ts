/**
 * The workflow JSON Schema and its compiled validator. The schema file is the single source of
 * truth for structure: the validator, the language server and `lockstep schema` all read it.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileOwnSchema } from './ajv.js';
import workflowSchema from './workflow.schema.json' with { type: 'json' };

/** The workflow format's JSON Schema (draft-07), as parsed JSON. */
export const WORKFLOW_SCHEMA: Readonly<Record<string, unknown>> = workflowSchema;

let compiled: ValidateFunction | undefined;

/** Validates a parsed definition against the schema; compiled once per process, on first use. */
export function validateAgainstSchema(value: unknown): ErrorObject[] {
  compiled ??= compileOwnSchema(WORKFLOW_SCHEMA);
  return compiled(value) ? [] : [...(compiled.errors ?? [])];
}
