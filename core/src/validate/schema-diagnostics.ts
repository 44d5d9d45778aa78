/**
 * Turns JSON Schema errors (Ajv) into diagnostics with human messages and exact ranges: unknown
 * keys point at the key, a missing key at its parent, `oneOf` failures are explained in terms of
 * the format ("a step needs exactly one kind") instead of listing every failed branch.
 */
import type { ErrorObject } from 'ajv';
import { WORKFLOW_SCHEMA } from '../format/schema.js';
import { STEP_KINDS } from '../model/workflow.js';
import type { JsonPath, RangeTarget, SourceLocator } from '../parse/source-locator.js';
import type { Diagnostic, DiagnosticCode } from '../model/diagnostics.js';
import { formatPath, pointerToPath } from './json-path.js';
import { didYouMean, listNames } from './suggest.js';

type SchemaNode = Record<string, unknown>;

interface Problem {
  readonly code: DiagnosticCode;
  readonly path: JsonPath;
  readonly target: RangeTarget;
  readonly message: string;
}

/** Converts Ajv errors for one document into diagnostics (deduplicated, in source order). */
export function schemaDiagnostics(
  errors: readonly ErrorObject[],
  data: unknown,
  locator: SourceLocator,
): Diagnostic[] {
  const problems = explain(errors, data);
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const p of problems) {
    const key = `${p.code}|${formatPath(p.path)}|${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      code: p.code,
      severity: 'error',
      message: `${formatPath(p.path, data)}: ${p.message}`,
      range: locator.range(p.path, p.target),
    });
  }
  return out;
}

/** Schema keywords that only annotate; a schema made of these plus `oneOf` is a pure choice. */
const ANNOTATIONS = new Set([
  'oneOf',
  'description',
  'markdownDescription',
  'title',
  'errorMessage',
]);

const definitions = WORKFLOW_SCHEMA['definitions'] as Record<string, SchemaNode>;

/**
 * Whether `error` was raised inside one of `choice`'s branches. Ajv reports branch errors before
 * the `oneOf` error, with schema paths relative to whichever `$ref` they sit in, so membership is
 * decided from the data path: a pure choice owns every error at or below its value; a choice that
 * sits beside other keywords (a step's kind, an llm request) owns only its `required` branches.
 */
function belongsTo(error: ErrorObject, choice: ErrorObject): boolean {
  if (error === choice || !isUnder(error.instancePath, choice.instancePath)) return false;
  const parent = (choice.parentSchema ?? {}) as SchemaNode;
  if (Object.keys(parent).every((k) => ANNOTATIONS.has(k))) return true;
  const branches = (choice.schema as SchemaNode[]) ?? [];
  return (
    error.keyword === 'required' &&
    error.instancePath === choice.instancePath &&
    branches.some((b) =>
      (b['required'] as unknown[] | undefined)?.includes(error.params['missingProperty']),
    )
  );
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function explain(errors: readonly ErrorObject[], data: unknown): Problem[] {
  const choices = errors.filter((e) => e.keyword === 'oneOf');
  const problems: Problem[] = [];
  for (const error of errors) {
    if (choices.some((c) => belongsTo(error, c))) continue; // explained by its oneOf, below
    if (error.keyword === 'propertyNames') continue; // its nested error names the property
    if (error.keyword === 'if') continue; // the errors of its `then` say what is wrong
    if (error.keyword === 'oneOf') {
      problems.push(
        ...explainOneOf(
          error,
          errors.filter((e) => belongsTo(e, error)),
          data,
        ),
      );
    } else {
      problems.push(explainOne(error));
    }
  }
  return problems;
}

function explainOneOf(error: ErrorObject, branchErrors: ErrorObject[], data: unknown): Problem[] {
  const path = pointerToPath(error.instancePath);
  const value = valueAt(data, path);

  if (error.parentSchema === definitions['step']) {
    const kinds = STEP_KINDS.filter((k) => isRecord(value) && value[k] !== undefined);
    return [
      {
        code: 'step-kind',
        path,
        target: 'value',
        message:
          kinds.length === 0
            ? `a step needs exactly one kind key: ${orList([...STEP_KINDS])}`
            : `a step has exactly one kind, but this one has ${listNames(kinds)}: split it into ${kinds.length} steps`,
      },
    ];
  }
  if (error.parentSchema === definitions['llmStep']) {
    const both =
      isRecord(value) && value['prompt'] !== undefined && value['messages'] !== undefined;
    return [
      {
        code: 'schema',
        path,
        target: 'value',
        message: both
          ? 'give either prompt (with an optional system) or messages, not both'
          : 'missing the request: give prompt (with an optional system) or messages',
      },
    ];
  }

  // When the value has the JSON type of exactly one branch, that branch's errors are the useful
  // ones ("unknown key 'bogus'"), not "must be a string or a mapping".
  const branches = ((error.schema as SchemaNode[]) ?? []).map(resolveRef);
  const matching = branches.filter((b) => typeMatches(b, value));
  if (matching.length === 1) {
    // Errors of the other branches (an `enum` of strings, for a mapping) are beside the point.
    const others = branches
      .map((b, index) => (b === matching[0] ? undefined : `${error.schemaPath}/${index}/`))
      .filter((prefix) => prefix !== undefined);
    const inner = branchErrors.filter(
      (e) =>
        !(e.keyword === 'type' && e.instancePath === error.instancePath) &&
        !others.some((prefix) => e.schemaPath.startsWith(prefix)),
    );
    if (inner.length > 0) return explain(inner, data);
  }
  // A choice between required keys (`answer` or `answers`): say which keys, not "a valid value".
  const keyChoices = branches.map(requiredOnly);
  if (keyChoices.every((keys) => keys !== undefined)) {
    const present = keyChoices.flat().filter((k) => isRecord(value) && value[k!] !== undefined);
    return [
      {
        code: 'schema',
        path,
        target: 'value',
        message:
          present.length > 1
            ? `give only one of ${orList(keyChoices.flat() as string[])}, not ${listNames(present as string[])}`
            : `give one of ${orList(keyChoices.flat() as string[])}`,
      },
    ];
  }
  return [
    {
      code: 'schema',
      path,
      target: 'value',
      message: `must be ${orList(branches.map(describeSchema))}${gotSuffix(value)}`,
    },
  ];
}

function resolveRef(schema: SchemaNode): SchemaNode {
  const ref = schema['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
    return { ...definitions[ref.slice('#/definitions/'.length)], ...schema };
  }
  return schema;
}

function typeMatches(schema: SchemaNode, value: unknown): boolean {
  const type = schema['type'];
  if (typeof type !== 'string') return true;
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isRecord(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

/** `must be one of a, b or c`, or `must be a` for a single value. */
function mustBeOneOf(values: readonly string[]): string {
  return values.length === 1 ? `must be ${values[0]}` : `must be one of ${orList(values)}`;
}

/** `a, b or c`. */
function orList(names: readonly string[]): string {
  return listNames(names).replace(/ and ([^,]*)$/, ' or $1');
}

function explainOne(error: ErrorObject): Problem {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const message =
      typeof parent['errorMessage'] === 'string' ? parent['errorMessage'] : error.message;
    return {
      code: 'schema',
      path: [...path, propertyName],
      target: 'key',
      message: `'${propertyName}' is not a valid name: it ${message}`,
    };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = Object.keys((parent['properties'] as SchemaNode | undefined) ?? {});
      return {
        code: 'unknown-key',
        path: [...path, key],
        target: 'key',
        message: `unknown key '${key}'${didYouMean(key, known)}; allowed here: ${listNames(known)}`,
      };
    }
    case 'required':
      return {
        code: 'schema',
        path,
        target: 'key',
        // A conditional requirement (`then: { required, errorMessage }`) says why.
        message:
          typeof parent['errorMessage'] === 'string'
            ? parent['errorMessage']
            : `missing required key '${String(params['missingProperty'])}'`,
      };
    case 'dependencies': {
      const property = String(params['property']);
      return {
        code: 'schema',
        path: [...path, property],
        target: 'key',
        message: `'${property}' only applies to a step with '${String(params['missingProperty'])}'`,
      };
    }
    case 'type':
      return {
        code: 'schema',
        path,
        target: 'value',
        message: `must be ${article(String(params['type']))}${gotSuffix(error.data)}`,
      };
    case 'enum':
      return {
        code: 'schema',
        path,
        target: 'value',
        message: `${mustBeOneOf((params['allowedValues'] as unknown[]).map(String))}${gotSuffix(error.data)}`,
      };
    case 'pattern':
      return {
        code: 'schema',
        path,
        target: 'value',
        message: `${typeof parent['errorMessage'] === 'string' ? parent['errorMessage'] : `must match ${String(params['pattern'])}`}${gotSuffix(error.data)}`,
      };
    case 'minItems':
      return {
        code: 'schema',
        path,
        target: 'value',
        message: `must have at least ${String(params['limit'])} item(s)`,
      };
    case 'maxItems':
      return {
        code: 'schema',
        path,
        target: 'value',
        message: `must have at most ${String(params['limit'])} items`,
      };
    case 'minLength':
      return { code: 'schema', path, target: 'value', message: 'must not be empty' };
    case 'minimum':
    case 'maximum':
      return {
        code: 'schema',
        path,
        target: 'value',
        message: `must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params['limit'])}${gotSuffix(error.data)}`,
      };
    default:
      return { code: 'schema', path, target: 'value', message: error.message ?? error.keyword };
  }
}

/** The keys a branch requires when that is all it says (`{ required: [answer] }`), else undefined. */
function requiredOnly(schema: SchemaNode): string[] | undefined {
  const keys = Object.keys(schema);
  const required = schema['required'];
  return keys.length === 1 && Array.isArray(required) ? (required as string[]) : undefined;
}

/** A short description of what a schema accepts, for "must be A or B" messages. */
function describeSchema(schema: SchemaNode): string {
  if (typeof schema['errorMessage'] === 'string') {
    return schema['errorMessage'].replace(/^must be /, '');
  }
  if (typeof schema['type'] === 'string') {
    if (
      schema['type'] === 'array' &&
      isRecord(schema['items']) &&
      typeof schema['items']['type'] === 'string'
    ) {
      return `a list of ${String(schema['items']['type'])}s`;
    }
    if (schema['type'] === 'object') return 'a mapping';
    return article(schema['type']);
  }
  return 'a valid value';
}

function article(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'integer':
      return 'an integer';
    case 'null':
      return 'empty';
    default:
      return type.includes(',') ? type.split(',').map(article).join(' or ') : `a ${type}`;
  }
}

/** ` (got "x")` with a short rendering of the offending value. */
function gotSuffix(value: unknown): string {
  if (value === undefined) return '';
  let shown: string;
  if (value === null) shown = 'nothing';
  else if (Array.isArray(value)) shown = 'a list';
  else if (value instanceof Uint8Array)
    shown = 'binary data'; // YAML's !!binary
  else if (typeof value === 'object') shown = 'a mapping';
  else {
    // Not every YAML value is JSON (a function-valued tag, a bigint): say what it is instead.
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch {
      text = undefined;
    }
    text ??= typeof value;
    shown = text.length > 40 ? `${text.slice(0, 37)}…` : text;
  }
  return ` (got ${shown})`;
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let current = data;
  for (const segment of path) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
