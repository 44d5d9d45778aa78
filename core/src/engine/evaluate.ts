/**
 * Evaluates `${{ … }}` templates with JSONata. A value that is exactly one expression keeps the
 * expression's type; anything else is string interpolation. Clock and random functions are
 * replaced by the host's, so that they are recorded and replayed.
 *
 * Secrets are not in the scope expressions see: no expression can compute with one, list them
 * (`$keys($$)`) or print them (`$string($$)`). A whole `${{ secrets.NAME }}` is replaced by the
 * secret's value where the caller allows secrets (see `SecretPlacement`), and is an error anywhere
 * else; any other expression that reads `secrets` is an error everywhere.
 */
import jsonata from 'jsonata';
import { boundedMemo } from '../bounded-memo.js';
import type { JsonValue } from '../model/workflow.js';
import { compileExpression } from '../expressions/references.js';
import { SECRET_PLACES, secretPlaceholderName } from '../expressions/secret-places.js';
import { isTemplate, parseTemplate, singleExpression } from '../expressions/template.js';
import { EngineError } from './engine-error.js';

/** What expressions may read. */
export interface Scope {
  readonly inputs: { readonly [name: string]: JsonValue };
  readonly steps: { readonly [id: string]: { readonly output: JsonValue } };
  readonly env: { readonly [name: string]: string };
  /** The foreach item (under its `as` name) and `index`, inside a foreach step. */
  readonly [local: string]: JsonValue | object;
}

/**
 * Where secrets may be placed: the fields that send a secret where it is needed (see
 * expressions/secret-places.ts). The names placed are collected, so the host can check where the
 * request goes before it leaves.
 */
export interface SecretPlacement {
  /** The run's secrets by name (unset ones absent: they read as nothing). */
  readonly values: ReadonlyMap<string, string>;
  /** Filled with the name of every secret placed. */
  readonly placed: Set<string>;
}

/** The nondeterministic functions expressions may call, supplied by the host. */
export interface ExpressionFunctions {
  /** `$now()`: the current time as ISO 8601. */
  now(): Promise<string>;
  /** `$millis()`: milliseconds since the epoch. */
  millis(): Promise<number>;
  /** `$random()`: a number in [0, 1). */
  random(): Promise<number>;
}

/** Compiled expressions, template plans and plain paths kept per process, at most this many each. */
const MAX_CACHED = 10_000;

const compile = boundedMemo(MAX_CACHED, (source: string) => jsonata(source));

/**
 * Evaluates every template inside `value` (objects and lists member by member).
 * @param where the field's path, for error messages (`steps.classify.llm.prompt`).
 * @param secrets where `value` may hold `${{ secrets.NAME }}` placeholders; without it, a secret
 *   anywhere in `value` is an error.
 * @throws EngineError (code `expression`) naming the field and the expression; (code
 *   `secret-use`) for a secret read where it may not be, or computed with.
 */
export async function evaluateValue(
  value: JsonValue | undefined,
  scope: Scope,
  functions: ExpressionFunctions,
  where: string,
  secrets?: SecretPlacement,
): Promise<JsonValue> {
  // Most values read plain paths only (`${{ inputs.ticket }}`, `${{ steps.a.output.body }}`):
  // those are evaluated in one synchronous walk, without an asynchronous frame per member.
  const direct = evaluateDirectly(value, scope, secrets);
  if (direct !== NOT_DIRECT) return direct;
  return evaluateMembers(value, scope, functions, where, secrets);
}

async function evaluateMembers(
  value: JsonValue | undefined,
  scope: Scope,
  functions: ExpressionFunctions,
  where: string,
  secrets: SecretPlacement | undefined,
): Promise<JsonValue> {
  const literal = literalValue(value);
  if (literal !== EVALUATE) return literal;
  if (typeof value === 'string') return evaluateString(value, scope, functions, where, secrets);
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      const member = literalValue(value[i]);
      out.push(
        member !== EVALUATE
          ? member
          : await evaluateMembers(value[i], scope, functions, `${where}[${i}]`, secrets),
      );
    }
    return out;
  }
  const out: { [key: string]: JsonValue } = {};
  for (const [key, member] of Object.entries(value as { [key: string]: JsonValue })) {
    const literal = literalValue(member);
    out[key] =
      literal !== EVALUATE
        ? literal
        : await evaluateMembers(member, scope, functions, `${where}.${key}`, secrets);
  }
  return out;
}

/** Marks a value that holds templates or members (see `literalValue`). */
const EVALUATE = Symbol('evaluate');

/**
 * What `evaluateValue` gives for a value with nothing to evaluate (a scalar, text without
 * `${{`), taken without a trip through it: most members of a step (methods, header names, model
 * settings) are such, and each trip allocated an async frame, a promise and the member's path.
 */
function literalValue(value: JsonValue | undefined): JsonValue | typeof EVALUATE {
  if (value === undefined) return null;
  if (typeof value === 'string') return isTemplate(value) ? EVALUATE : value;
  if (value === null || typeof value !== 'object') return value;
  return EVALUATE;
}

/** Marks a value `evaluateDirectly` leaves to the full evaluation. */
const NOT_DIRECT = Symbol('not direct');

/**
 * `evaluateValue`'s answer for a value whose expressions are all plain paths found in the scope
 * (see `lookupPlainPath`), or NOT_DIRECT when any expression needs JSONata or would fail (the
 * full evaluation then answers, or reports the error naming its field).
 */
function evaluateDirectly(
  value: JsonValue | undefined,
  scope: Scope,
  secrets: SecretPlacement | undefined,
): JsonValue | typeof NOT_DIRECT {
  if (value === undefined) return null;
  if (typeof value === 'string')
    return isTemplate(value) ? stringDirectly(value, scope, secrets) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const member of value) {
      const evaluated = evaluateDirectly(member, scope, secrets);
      if (evaluated === NOT_DIRECT) return NOT_DIRECT;
      out.push(evaluated);
    }
    return out;
  }
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value)) {
    const evaluated = evaluateDirectly(value[key], scope, secrets);
    if (evaluated === NOT_DIRECT) return NOT_DIRECT;
    out[key] = evaluated;
  }
  return out;
}

function stringDirectly(
  text: string,
  scope: Scope,
  secrets: SecretPlacement | undefined,
): JsonValue | typeof NOT_DIRECT {
  const plan = templatePlan(text);
  // A secret where it may not be is left to the full evaluation, which names the field.
  if (plan.secrets && !secrets) return NOT_DIRECT;
  if (plan.single !== undefined) return expressionDirectly(plan.single, scope, secrets);
  let out = '';
  for (const piece of plan.pieces) {
    if (typeof piece === 'string') out += piece;
    else {
      const evaluated = expressionDirectly(piece.source, scope, secrets);
      if (evaluated === NOT_DIRECT) return NOT_DIRECT;
      out += interpolate(evaluated);
    }
  }
  return out;
}

/** A plain path's value as `toJson` gives it, or NOT_DIRECT (JSONata needed, or an error). */
function expressionDirectly(
  source: string,
  scope: Scope,
  secrets: SecretPlacement | undefined,
): JsonValue | typeof NOT_DIRECT {
  const secret = secretPlaceholderName(source);
  if (secret !== undefined) return secrets ? placeSecret(secret, secrets) : NOT_DIRECT;
  const names = plainPath(source);
  const found = names ? lookupPlainPath(scope, names) : undefined;
  if (!found) return NOT_DIRECT;
  const value = found.value;
  if (value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  // -0 becomes 0, as through JSON; a number that is not finite is an error for the full path.
  if (typeof value === 'number')
    return !Number.isFinite(value) ? NOT_DIRECT : value === 0 ? 0 : value;
  // A structure is copied through JSON as `toJson` does (its field name only labels the errors
  // of results that are functions or non-finite numbers, which a structure never is).
  return typeof value === 'object' ? toJson(value, '', source) : NOT_DIRECT;
}

/**
 * A template split once: its literal text and expression sources in order, and the source of
 * the one expression when the whole value is one (keeping the expression's type). Definitions
 * are evaluated run after run with the same templates.
 */
interface TemplatePlan {
  readonly single?: string;
  readonly pieces: readonly (string | { readonly source: string })[];
  /** Whether any expression reads `secrets`. */
  readonly secrets: boolean;
}

const templatePlan = boundedMemo(MAX_CACHED, (text: string): TemplatePlan => {
  const single = singleExpression(text);
  const pieces: (string | { readonly source: string })[] = [];
  let last = 0;
  for (const expression of parseTemplate(text).expressions) {
    pieces.push(text.slice(last, expression.start), { source: expression.source });
    last = expression.end;
  }
  pieces.push(text.slice(last));
  const secrets = pieces.some((piece) => typeof piece !== 'string' && readsSecrets(piece.source));
  return single ? { single: single.source, pieces, secrets } : { pieces, secrets };
});

/** Whether an expression reads `secrets` in any way (placeholders included). */
function readsSecrets(source: string): boolean {
  if (!source.includes('secrets')) return false;
  const compiled = compileExpression(source);
  // An expression that does not compile fails when evaluated, with its own message.
  return compiled.ok && compiled.references.some((reference) => reference.root === 'secrets');
}

/** A placeholder's value (an unset secret reads as nothing), recorded as placed. */
function placeSecret(name: string, secrets: SecretPlacement): string {
  secrets.placed.add(name);
  return secrets.values.get(name) ?? '';
}

async function evaluateString(
  text: string,
  scope: Scope,
  functions: ExpressionFunctions,
  where: string,
  secrets: SecretPlacement | undefined,
): Promise<JsonValue> {
  if (!isTemplate(text)) return text;
  const plan = templatePlan(text);
  if (plan.single !== undefined)
    return evaluatePiece(plan.single, scope, functions, where, secrets);
  let out = '';
  for (const piece of plan.pieces) {
    out +=
      typeof piece === 'string'
        ? piece
        : interpolate(await evaluatePiece(piece.source, scope, functions, where, secrets));
  }
  return out;
}

/** One expression of a template: a secret placed where allowed, else evaluated. */
async function evaluatePiece(
  source: string,
  scope: Scope,
  functions: ExpressionFunctions,
  where: string,
  secrets: SecretPlacement | undefined,
): Promise<JsonValue> {
  const secret = secretPlaceholderName(source);
  if (secret !== undefined) {
    if (secrets) return placeSecret(secret, secrets);
    throw new EngineError(
      'secret-use',
      `${where}: secrets.${secret} cannot be used here: a secret may only be placed where it is sent (${SECRET_PLACES})`,
    );
  }
  if (readsSecrets(source)) {
    throw new EngineError(
      'secret-use',
      `${where}: \${{ ${source.trim()} }} computes with a secret: a secret may appear only as a whole \${{ secrets.NAME }}, alone or inside a string`,
    );
  }
  return evaluateExpression(source, scope, functions, where);
}

/**
 * A plain path (`inputs.ticket`, `steps.fetch.output.body`): names only, each a JSONata field
 * name and none one of its keywords. Most expressions in workflows are such references.
 */
const PLAIN_PATH = /^\s*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\s*$/;
const KEYWORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);
/** The names of a plain path (`inputs.ticket` → inputs, ticket); null for other expressions. */
const plainPath = boundedMemo(MAX_CACHED, (source: string): readonly string[] | null => {
  const parts = PLAIN_PATH.test(source) ? source.trim().split('.') : [];
  return parts.length > 0 && !parts.some((name) => KEYWORDS.has(name)) ? parts : null;
});

/**
 * A plain path looked up directly, as JSONata would (field by field through objects; nothing
 * once a field is missing), without its asynchronous evaluator, which allocated more than the
 * rest of a run together. Anything where JSONata's rules say more (a list on the way, which it
 * maps over and flattens; a list or a function as the result) is left to JSONata: undefined.
 */
function lookupPlainPath(scope: Scope, names: readonly string[]): { value: unknown } | undefined {
  let value: unknown = scope;
  for (const name of names) {
    if (value === undefined) break;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    // Own fields only, as JSONata's lookup: `constructor` is no field of an object.
    value = Object.hasOwn(value, name) ? (value as { [name: string]: unknown })[name] : undefined;
  }
  if (Array.isArray(value) || typeof value === 'function') return undefined;
  return { value };
}

/** Evaluates one expression's source (without the `${{ }}`). */
export async function evaluateExpression(
  source: string,
  scope: Scope,
  functions: ExpressionFunctions,
  where: string,
): Promise<JsonValue> {
  const names = plainPath(source);
  const direct = names ? lookupPlainPath(scope, names) : undefined;
  if (direct) return toJson(direct.value, where, source);
  let result: unknown;
  try {
    result = await compile(source).evaluate(scope, {
      now: () => functions.now(),
      millis: () => functions.millis(),
      random: () => functions.random(),
    });
  } catch (error) {
    if (error instanceof EngineError) throw error;
    const message = (error as { message?: string }).message ?? String(error);
    throw new EngineError('expression', `${where}: \${{ ${source.trim()} }} failed: ${message}`);
  }
  return toJson(result, where, source);
}

/** Plain JSON from a JSONata result: sequences become arrays, undefined becomes null. */
function toJson(value: unknown, where: string, source: string): JsonValue {
  if (value === undefined) return null;
  if (typeof value === 'function') {
    throw new EngineError(
      'expression',
      `${where}: \${{ ${source.trim()} }} is a function, not a value`,
    );
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new EngineError(
      'expression',
      `${where}: \${{ ${source.trim()} }} is not a finite number`,
    );
  }
  // Text, booleans and null are already plain JSON (most results: prompts, URLs, conditions);
  // the round trip below is for structures (JSONata sequences carry extra properties) and -0.
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** How a value reads inside a string: strings as they are, nothing as '', the rest as JSON. */
function interpolate(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
