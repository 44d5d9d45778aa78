/**
 * The one place Ajv instances are built. Two kinds of schema are compiled in Lockstep:
 *
 * - its own (workflow files, `.lockstep/config.yaml`, fixtures files): strict, every error at
 *   once with the failing data (`verbose`, for field-named messages), compiled once per process;
 * - schemas users write (an `llm` step's `schema`): lenient (a user's unknown keyword is not our
 *   error), compiled once per distinct schema and remembered within a bound, because a long-lived
 *   process (the editor's service, an embedding server) sees schemas come and go.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { boundedMemo } from '../bounded-memo.js';
import { canonicalJson } from '../hash/canonical.js';

/** How many compiled user schemas a process keeps. */
const USER_SCHEMA_LIMIT = 256;

let ownAjv: Ajv | undefined;
let userAjv: Ajv | undefined;

/**
 * Compiles one of Lockstep's own schemas. Call it once per schema (keep the result): Ajv keeps
 * what it compiled. Annotation keywords the schemas carry for editors (`errorMessage`, a message
 * for a failed `pattern`; `markdownDescription`, hover text) are known to it.
 * @throws Error when the schema itself is invalid (a bug, caught by the tests).
 */
export function compileOwnSchema(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  ownAjv ??= newOwnAjv();
  return ownAjv.compile(schema);
}

function newOwnAjv(): Ajv {
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

const compileByCanonicalText = boundedMemo(USER_SCHEMA_LIMIT, (text: string): ValidateFunction => {
  const ajv = (userAjv ??= new Ajv({ allErrors: true, strict: false }));
  const schema = JSON.parse(text) as object;
  const validate = ajv.compile(schema);
  // Ajv would otherwise keep every schema it compiled (and refuse a second one with the same
  // `$id`); the compiled function does not need it to be kept.
  ajv.removeSchema(schema);
  return validate;
});

/**
 * A schema a user wrote, compiled (once per distinct content, within a bound).
 * @throws Error when it does not compile; validation reports that before a run.
 */
export function compileUserSchema(schema: object): ValidateFunction {
  return compileByCanonicalText(canonicalJson(schema));
}

/**
 * Checks that a JSON Schema written by a user is itself valid, and returns the compiler's
 * complaint, or undefined when it is valid. Nothing is compiled or kept.
 */
export function userSchemaProblem(schema: unknown): string | undefined {
  const ajv = (userAjv ??= new Ajv({ allErrors: true, strict: false }));
  const valid = ajv.validateSchema(schema as object);
  if (valid === true) return undefined;
  // The first complaint is the cause; the rest restate it for each alternative of the meta-schema.
  return ajv.errorsText(ajv.errors?.slice(0, 1), { dataVar: 'schema' });
}
