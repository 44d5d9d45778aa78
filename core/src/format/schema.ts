/**
 * The workflow JSON Schema and its compiled validator. The schema file is the single source of
 * truth for structure: the validator, the language server and `lockstep schema` all read it.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import workflowSchema from './workflow.schema.json' with { type: 'json' };

/** The workflow format's JSON Schema (draft-07), as parsed JSON. */
export const WORKFLOW_SCHEMA: Readonly<Record<string, unknown>> = workflowSchema;

let compiled: ValidateFunction | undefined;

/**
 * Annotation keywords the schema carries for editors: `errorMessage` (a human message for a
 * failed `pattern`) and `markdownDescription` (hover text). Ajv must know them in strict mode.
 */
function newAjv(): Ajv {
  // strictRequired is off: `oneOf: [{ required: [llm] }, …]` names keys defined beside the oneOf.
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'markdownDescription', schemaType: 'string' });
  return ajv;
}

/** Validates a parsed definition against the schema; compiled once per process, on first use. */
export function validateAgainstSchema(value: unknown): ErrorObject[] {
  compiled ??= newAjv().compile(WORKFLOW_SCHEMA);
  return compiled(value) ? [] : [...(compiled.errors ?? [])];
}

let userSchemaAjv: Ajv | undefined;

/**
 * Checks that a JSON Schema written by a user (an `llm` step's `schema`) is itself valid, and
 * returns the compiler's complaint, or undefined when it compiles.
 */
export function checkUserJsonSchema(schema: unknown): string | undefined {
  // validateSchema checks against the meta-schema without compiling, so nothing is cached per
  // call: a long-lived language server validates many edited copies of the same schema.
  userSchemaAjv ??= new Ajv({ strict: false, allErrors: true });
  const valid = userSchemaAjv.validateSchema(schema as object);
  if (valid === true) return undefined;
  // The first complaint is the cause; the rest restate it for each alternative of the meta-schema.
  return userSchemaAjv.errorsText(userSchemaAjv.errors?.slice(0, 1), { dataVar: 'schema' });
}
