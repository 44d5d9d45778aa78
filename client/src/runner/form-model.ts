/**
 * The runner's form, as pure functions (unit-tested without an editor): which control each
 * declared input gets, the text a value shows as, and the inputs the texts parse to, with one
 * error per field a user can act on before anything is sent. The workspace service checks the
 * inputs again when the run starts (the one authority); its problems come back to the fields
 * they name through `fieldErrors`.
 */
import type { InputField } from '../../../core/src/service/protocol.js';

/** How a field is edited. */
export type FieldKind = 'text' | 'number' | 'integer' | 'boolean' | 'select' | 'json';

export interface FieldView {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  /** The input's description, shown as help under the field. */
  readonly help?: string;
  /** `a list (JSON)`, `an integer`: what the field takes, in words. */
  readonly typeLabel: string;
  /** A select's options: values as the form's text, labels as shown. */
  readonly options?: readonly { readonly value: string; readonly label: string }[];
  /** What an empty field means: `default: "en"`, or `optional`. */
  readonly placeholder?: string;
}

/** The texts of a form, by input name (a boolean is `true` or `false`). */
export type FormTexts = Readonly<Record<string, string>>;

/** Errors by input name; `''` keys an error that belongs to no field. */
export type FormErrors = Readonly<Record<string, string>>;

const TYPE_LABELS: Record<InputField['type'], string> = {
  string: 'text',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'a mapping (JSON)',
  array: 'a list (JSON)',
};

/** The controls for a workflow's declared inputs, in declaration order. */
export function fieldViews(inputs: readonly InputField[]): FieldView[] {
  return inputs.map((input) => {
    const kind: FieldKind = input.enum
      ? 'select'
      : input.type === 'object' || input.type === 'array'
        ? 'json'
        : input.type === 'string'
          ? 'text'
          : input.type;
    return {
      name: input.name,
      kind,
      required: input.required,
      ...(input.description === undefined ? {} : { help: input.description }),
      typeLabel: TYPE_LABELS[input.type],
      ...(input.enum
        ? {
            options: [
              // An optional enum, or one with a default, may be left empty.
              ...(input.required ? [] : [{ value: '', label: '' }]),
              ...input.enum.map((v) => ({ value: textOf(input, v), label: textOf(input, v) })),
            ],
          }
        : {}),
      ...(input.default !== undefined
        ? { placeholder: `default: ${JSON.stringify(input.default)}` }
        : input.required
          ? {}
          : { placeholder: 'optional' }),
    };
  });
}

/**
 * The texts a form shows for `value` (a past run's input), or for a new run when `value` is
 * undefined: empty fields (their defaults apply), a boolean shows its default.
 */
export function formTexts(inputs: readonly InputField[], value?: unknown): Record<string, string> {
  const given =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  const texts: Record<string, string> = {};
  for (const input of inputs) {
    const v = given[input.name];
    if (v !== undefined && v !== null) texts[input.name] = textOf(input, v);
    else if (input.type === 'boolean')
      texts[input.name] = input.default === true ? 'true' : 'false';
    else if (input.enum && input.required && input.default === undefined)
      texts[input.name] = textOf(input, input.enum[0]);
    else texts[input.name] = '';
  }
  return texts;
}

/**
 * The inputs the texts stand for, or the errors that stop a run: an empty field is left out (its
 * default applies, or the service says it is required), a number must be one, JSON must parse to
 * the declared shape, a select must hold one of its options.
 */
export function parseForm(
  inputs: readonly InputField[],
  texts: FormTexts,
): { readonly input?: Record<string, unknown>; readonly errors: FormErrors } {
  const input: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of inputs) {
    const text = texts[field.name] ?? '';
    const parsed = parseField(field, text);
    if ('error' in parsed) errors[field.name] = parsed.error;
    else if (parsed.value !== undefined) input[field.name] = parsed.value;
  }
  return Object.keys(errors).length > 0 ? { errors } : { input, errors };
}

/** One field's check, as the user edits it. */
export function fieldError(field: InputField, text: string): string | undefined {
  const parsed = parseField(field, text);
  return 'error' in parsed ? parsed.error : undefined;
}

/**
 * The service's input problems (`input 'count' must be an integer, not "x"`) by the field they
 * name; problems that name no declared field are kept under `''`.
 */
export function fieldErrors(
  inputs: readonly InputField[],
  problems: readonly string[],
): FormErrors {
  const names = new Set(inputs.map((i) => i.name));
  const errors: Record<string, string> = {};
  for (const problem of problems) {
    const name = /^input '([^']+)'/.exec(problem)?.[1];
    const key = name !== undefined && names.has(name) ? name : '';
    const text = key === '' ? problem : problem.replace(/^input '[^']+' /, '');
    errors[key] = errors[key] ? `${errors[key]}; ${text}` : text;
  }
  return errors;
}

type Parsed = { readonly value: unknown } | { readonly error: string };

function parseField(field: InputField, text: string): Parsed {
  const trimmed = text.trim();
  if (trimmed === '') {
    // Empty means "not given": the default applies, an optional input is null.
    return field.required
      ? { error: `required: ${TYPE_LABELS[field.type]}` }
      : { value: undefined };
  }
  if (field.enum) {
    const match = field.enum.find((v) => textOf(field, v) === text);
    return match === undefined
      ? { error: `one of ${field.enum.map((v) => textOf(field, v)).join(', ')}` }
      : { value: match };
  }
  switch (field.type) {
    case 'string':
      return { value: text };
    case 'boolean':
      return trimmed === 'true' || trimmed === 'false'
        ? { value: trimmed === 'true' }
        : { error: 'true or false' };
    case 'number':
    case 'integer': {
      const n = Number(trimmed);
      if (!Number.isFinite(n)) return { error: `${TYPE_LABELS[field.type]}, not ${trimmed}` };
      if (field.type === 'integer' && !Number.isInteger(n)) {
        return { error: `an integer, not ${trimmed}` };
      }
      return { value: n };
    }
    case 'object':
    case 'array': {
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch (error) {
        return { error: `not JSON: ${(error as Error).message}` };
      }
      const isArray = Array.isArray(value);
      const isObject = value !== null && typeof value === 'object' && !isArray;
      if (field.type === 'array' ? !isArray : !isObject) {
        return { error: `${TYPE_LABELS[field.type]}, not ${JSON.stringify(value).slice(0, 40)}` };
      }
      return { value };
    }
  }
}

/** How a value shows in a field: strings as they are, everything else as JSON. */
function textOf(field: InputField, value: unknown): string {
  return field.type === 'string' && typeof value === 'string' ? value : JSON.stringify(value);
}
