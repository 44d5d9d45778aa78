/**
 * Evaluates `${{ … }}` templates with JSONata. A value that is exactly one expression keeps the
 * expression's type; anything else is string interpolation. Clock and random functions are
 * replaced by the host's, so that they are recorded and replayed.
 */
import jsonata from 'jsonata';
import type { JsonValue } from '../format/types.js';
import { isTemplate, parseTemplate, singleExpression } from '../expressions/template.js';
import { EngineError } from './engine-error.js';

/** What expressions may read. */
export interface Scope {
  readonly inputs: { readonly [name: string]: JsonValue };
  readonly steps: { readonly [id: string]: { readonly output: JsonValue } };
  readonly env: { readonly [name: string]: string };
  readonly secrets: { readonly [name: string]: string };
  /** The foreach item (under its `as` name) and `index`, inside a foreach step. */
  readonly [local: string]: JsonValue | object;
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

const compiled = new Map<string, jsonata.Expression>();
/** Compiled expressions kept per process; more than this and the cache starts over. */
const MAX_CACHED = 10_000;

function compile(source: string): jsonata.Expression {
  let expression = compiled.get(source);
  if (!expression) {
    if (compiled.size >= MAX_CACHED) compiled.clear();
    expression = jsonata(source);
    compiled.set(source, expression);
  }
  return expression;
}

/**
 * Evaluates every template inside `value` (objects and lists member by member).
 * @param where the field's path, for error messages (`steps[2].llm.prompt`).
 * @throws EngineError (code `expression`) naming the field and the expression.
 */
export async function evaluateValue(
  value: JsonValue | undefined,
  scope: Scope,
  functions: ExpressionFunctions,
  where: string,
): Promise<JsonValue> {
  if (value === undefined) return null;
  if (typeof value === 'string') return evaluateString(value, scope, functions, where);
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      out.push(await evaluateValue(value[i], scope, functions, `${where}[${i}]`));
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, member] of Object.entries(value)) {
      out[key] = await evaluateValue(member, scope, functions, `${where}.${key}`);
    }
    return out;
  }
  return value;
}

async function evaluateString(
  text: string,
  scope: Scope,
  functions: ExpressionFunctions,
  where: string,
): Promise<JsonValue> {
  if (!isTemplate(text)) return text;
  const single = singleExpression(text);
  if (single) return evaluateExpression(single.source, scope, functions, where);
  const { expressions } = parseTemplate(text);
  let out = '';
  let last = 0;
  for (const expression of expressions) {
    out += text.slice(last, expression.start);
    out += interpolate(await evaluateExpression(expression.source, scope, functions, where));
    last = expression.end;
  }
  return out + text.slice(last);
}

/** Evaluates one expression's source (without the `${{ }}`). */
export async function evaluateExpression(
  source: string,
  scope: Scope,
  functions: ExpressionFunctions,
  where: string,
): Promise<JsonValue> {
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
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** How a value reads inside a string: strings as they are, nothing as '', the rest as JSON. */
function interpolate(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
