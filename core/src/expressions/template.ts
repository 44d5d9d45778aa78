/**
 * Templates: strings holding `${{ … }}` expressions. A value that is exactly one expression keeps
 * the expression's type; anything else is string interpolation.
 */

/** One `${{ … }}` occurrence in a string, with 0-based offsets into that string. */
export interface TemplateExpression {
  /** The expression between the braces, untrimmed. */
  readonly source: string;
  /** Offset of `$` in `${{`. */
  readonly start: number;
  /** Offset just after the closing `}}`. */
  readonly end: number;
  /** Offset of the first character of `source`. */
  readonly sourceStart: number;
}

/** A problem with the template syntax itself (not with an expression inside it). */
export interface TemplateError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface ParsedTemplate {
  readonly expressions: readonly TemplateExpression[];
  readonly errors: readonly TemplateError[];
}

const OPEN = '${{';

/** True when the string contains `${{`, i.e. is a template at all. Cheap pre-check. */
export function isTemplate(value: string): boolean {
  return value.includes(OPEN);
}

/**
 * Finds every `${{ … }}` in `value`. The closing `}}` is found by scanning the expression, so
 * braces inside string literals and object constructors (`{"a": {"b": 1}}`) do not end it early.
 */
export function parseTemplate(value: string): ParsedTemplate {
  const expressions: TemplateExpression[] = [];
  const errors: TemplateError[] = [];
  let from = 0;
  for (;;) {
    const start = value.indexOf(OPEN, from);
    if (start === -1) break;
    const sourceStart = start + OPEN.length;
    const close = findClose(value, sourceStart);
    if (close === -1) {
      errors.push({
        message: 'unterminated `${{`: add the closing `}}`',
        start,
        end: value.length,
      });
      break;
    }
    const source = value.slice(sourceStart, close);
    const end = close + 2;
    if (source.trim() === '') {
      errors.push({ message: 'empty expression `${{ }}`', start, end });
    } else {
      expressions.push({ source, start, end, sourceStart });
    }
    from = end;
  }
  return { expressions, errors };
}

/**
 * The single expression a value consists of (surrounding whitespace allowed), or undefined when
 * the value is plain text or interpolation.
 */
export function singleExpression(value: string): TemplateExpression | undefined {
  const { expressions, errors } = parseTemplate(value);
  const only = expressions[0];
  if (errors.length > 0 || expressions.length !== 1 || !only) return undefined;
  const outside = value.slice(0, only.start) + value.slice(only.end);
  return outside.trim() === '' ? only : undefined;
}

/** Offset of the `}}` closing an expression that starts at `from`, or -1. */
function findClose(value: string, from: number): number {
  let depth = 0;
  let quote = '';
  for (let i = from; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) {
        if (value[i + 1] === '}') return i;
        continue; // a stray `}`: keep it in the expression, whose parser will report it
      }
      depth--;
    }
  }
  return -1;
}
