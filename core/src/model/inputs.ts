/** Run inputs: checked against the workflow's declared inputs, with defaults applied. */
import type { InputDefinition, JsonValue, WorkflowDefinition } from './workflow.js';
import canonicalize from 'canonicalize';
import { LockstepError } from './errors.js';

/** Inputs that do not fit the workflow; each problem names the input and what to do. */
export class InputError extends LockstepError {
  constructor(
    readonly workflow: string,
    readonly problems: readonly string[],
  ) {
    super('invalid-input', `${workflow}: ${problems.join('; ')}`);
  }
}

/**
 * The inputs a run starts with: every declared input given or defaulted, each of its declared
 * type, no undeclared ones.
 * @throws InputError listing every problem at once.
 */
export function prepareInputs(
  definition: WorkflowDefinition,
  given: { readonly [name: string]: JsonValue },
): { [name: string]: JsonValue } {
  const declared = definition.inputs ?? {};
  const problems: string[] = [];
  const out: { [name: string]: JsonValue } = {};
  for (const name of Object.keys(given)) {
    if (!(name in declared)) {
      const known = Object.keys(declared);
      problems.push(
        `'${name}' is not an input of this workflow (inputs: ${known.length > 0 ? known.join(', ') : 'none'})`,
      );
    }
  }
  for (const [name, input] of Object.entries(declared)) {
    const value = given[name];
    if (value === undefined) {
      if (input.default !== undefined) out[name] = input.default;
      else if (input.required === false) out[name] = null;
      else problems.push(`input '${name}' is required (${describeInput(input)})`);
      continue;
    }
    const problem = inputValueProblem(value, input);
    if (problem) problems.push(`input '${name}' ${problem}`);
    else out[name] = value;
  }
  if (problems.length > 0) throw new InputError(definition.name, problems);
  return out;
}

/**
 * What is wrong with `value` for a declared input (`must be a string, not 3`), or undefined when
 * it fits: the check a run makes, shared with validation of literal values given to sub-workflows.
 */
export function inputValueProblem(value: JsonValue, input: InputDefinition): string | undefined {
  const ok =
    input.type === 'string'
      ? typeof value === 'string'
      : input.type === 'number'
        ? typeof value === 'number'
        : input.type === 'integer'
          ? typeof value === 'number' && Number.isInteger(value)
          : input.type === 'boolean'
            ? typeof value === 'boolean'
            : input.type === 'array'
              ? Array.isArray(value)
              : value !== null && typeof value === 'object' && !Array.isArray(value);
  if (!ok) return `must be ${describeInput(input)}, not ${JSON.stringify(value).slice(0, 40)}`;
  if (input.enum && !input.enum.some((allowed) => canonicalize(allowed) === canonicalize(value))) {
    return `must be one of ${input.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return undefined;
}

/** An input's type in words, with its description (`a list: tickets to triage`). */
export function describeInput(input: InputDefinition): string {
  const type = { object: 'a mapping', array: 'a list', integer: 'an integer' }[
    input.type as string
  ];
  return `${type ?? `a ${input.type}`}${input.description ? `: ${input.description}` : ''}`;
}
