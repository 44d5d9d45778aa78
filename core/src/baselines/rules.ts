/**
 * Comparison rules: how `lockstep test` (and the editor's tests) decide that a replayed output
 * still matches a baseline's. Declared per output in the workflow (`{ value, compare }`) or in
 * `.lockstep/config.yaml` (`compare: { <workflow>: { <output>: <rule> } }`); the workflow's own
 * rule wins, and `exact` is the default. A discriminated union, so that a model-judged rule can
 * join later.
 */
import { compileUserSchema } from '../format/ajv.js';
import { canonicalJson } from '../hash/canonical.js';
import { LockstepError } from '../model/errors.js';
import { declaredOutputRules } from '../model/outputs.js';
import type { JsonObject, JsonValue } from '../model/workflow.js';

export type CompareRule =
  | { readonly kind: 'exact' }
  | { readonly kind: 'normalized-text' }
  | { readonly kind: 'ignore' }
  | { readonly kind: 'schema'; readonly schema: JsonObject }
  | { readonly kind: 'number'; readonly tolerance: number };

export const EXACT: CompareRule = { kind: 'exact' };

/**
 * A rule as written (`exact`, `{ number: { tolerance: 0.5 } }`…) as a CompareRule. The schemas
 * have checked it already; `where` names it should something slip through.
 * @throws LockstepError (`invalid-definition`) naming `where`.
 */
export function parseRule(raw: JsonValue, where: string): CompareRule {
  if (raw === 'exact' || raw === 'normalized-text' || raw === 'ignore') return { kind: raw };
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const schema = raw['schema'];
    if (schema !== null && typeof schema === 'object' && !Array.isArray(schema)) {
      return { kind: 'schema', schema };
    }
    const number = raw['number'];
    if (number !== null && typeof number === 'object' && !Array.isArray(number)) {
      const tolerance = number['tolerance'];
      if (typeof tolerance === 'number' && tolerance >= 0) return { kind: 'number', tolerance };
    }
  }
  throw new LockstepError(
    'invalid-definition',
    `${where}: not a comparison rule (exact, normalized-text, ignore, { schema: … } or { number: { tolerance: … } })`,
  );
}

/** How a rule is named in reports: `exact`, `number ±0.5`, `schema`. */
export function ruleLabel(rule: CompareRule): string {
  return rule.kind === 'number' ? `number ±${rule.tolerance}` : rule.kind;
}

/**
 * The rule of each output of a workflow: the one its `outputs` declare, else the config's, else
 * `exact`.
 * @param configured the config's rules for this workflow (`compare.<workflow>`).
 */
export function outputRules(
  outputs: JsonObject | undefined,
  configured: Readonly<Record<string, JsonValue>> | undefined,
): (output: string) => CompareRule {
  const declared = declaredOutputRules(outputs);
  return (output) => {
    const own = declared.get(output);
    if (own !== undefined) return parseRule(own, `outputs.${output}.compare`);
    const fromConfig = configured?.[output];
    if (fromConfig !== undefined) return parseRule(fromConfig, `compare: ${output}`);
    return EXACT;
  };
}

/** Whether a value satisfies a rule against the baseline's; `reason` says why not. */
export interface RuleResult {
  readonly pass: boolean;
  readonly reason?: string;
}

/**
 * Checks `actual` (the replay's value of one output; undefined when it has none) against
 * `expected` (the baseline's) under `rule`.
 */
export function checkRule(
  rule: CompareRule,
  expected: JsonValue | undefined,
  actual: JsonValue | undefined,
): RuleResult {
  switch (rule.kind) {
    case 'ignore':
      return { pass: true };
    case 'exact':
      return same(expected, actual, (v) => v);
    case 'normalized-text':
      return same(expected, actual, normalizeStrings);
    case 'schema': {
      if (actual === undefined) return { pass: false, reason: 'no value' };
      const validate = compileUserSchema(rule.schema);
      if (validate(actual)) return { pass: true };
      const first = validate.errors?.[0];
      return {
        pass: false,
        reason:
          `does not match the schema: ${first?.instancePath || 'the value'} ${first?.message ?? ''}`.trim(),
      };
    }
    case 'number': {
      if (typeof actual !== 'number' || typeof expected !== 'number') {
        return { pass: false, reason: 'not a number on both sides' };
      }
      const difference = Math.abs(actual - expected);
      return difference <= rule.tolerance
        ? { pass: true }
        : { pass: false, reason: `differs by ${difference} (tolerance ${rule.tolerance})` };
    }
  }
}

function same(
  expected: JsonValue | undefined,
  actual: JsonValue | undefined,
  normalize: (value: JsonValue) => JsonValue,
): RuleResult {
  if (expected === undefined || actual === undefined) {
    return expected === actual
      ? { pass: true }
      : { pass: false, reason: expected === undefined ? 'not in the baseline' : 'no value' };
  }
  return canonicalJson(normalize(expected)) === canonicalJson(normalize(actual))
    ? { pass: true }
    : { pass: false, reason: 'differs' };
}

/**
 * `normalized-text`: every string in the value (object keys untouched) trimmed, each run of
 * whitespace collapsed to one space, and lowercased (`toLowerCase`, locale-independent).
 */
export function normalizeStrings(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.trim().replace(/\s+/g, ' ').toLowerCase();
  if (Array.isArray(value)) return value.map(normalizeStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeStrings(v)]));
  }
  return value;
}
