/**
 * A workflow's `outputs`: each one a value (usually a `${{ … }}` expression), or a value with the
 * rule a regression baseline compares it by (`{ value, compare }`). The rule form is an object
 * whose keys are exactly `value` and `compare`; any other object is a literal value, as before.
 */
import type { JsonObject, JsonValue } from './workflow.js';

/** An output written with its comparison rule. */
export interface RuledOutput {
  readonly value: JsonValue;
  readonly compare: JsonValue;
}

/** True for an output in the rule form: an object with exactly the keys `value` and `compare`. */
export function isRuledOutput(output: JsonValue | undefined): output is JsonObject & RuledOutput {
  if (output === null || typeof output !== 'object' || Array.isArray(output)) return false;
  const keys = Object.keys(output);
  return keys.length === 2 && 'value' in output && 'compare' in output;
}

/** The outputs as values: every rule form replaced by its `value` (the object itself when none is). */
export function outputValues(outputs: JsonObject): JsonObject {
  if (!Object.values(outputs).some(isRuledOutput)) return outputs;
  const values: JsonObject = {};
  for (const [name, output] of Object.entries(outputs)) {
    values[name] = isRuledOutput(output) ? output.value : output;
  }
  return values;
}

/** The comparison rules the outputs declare, by output name (the raw `compare` values). */
export function declaredOutputRules(outputs: JsonObject | undefined): Map<string, JsonValue> {
  const rules = new Map<string, JsonValue>();
  for (const [name, output] of Object.entries(outputs ?? {})) {
    if (isRuledOutput(output)) rules.set(name, output.compare);
  }
  return rules;
}
