/**
 * The dotted parts of a scope reference (`steps.classify.output.category`) at their offsets, so
 * that a feature can point at, or replace, just the step id or the input name.
 */

/** One name of a dotted reference, at absolute 0-based offsets. */
export interface Segment {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Splits the reference text `text.slice(start, end)` into its names. JSONata allows spaces around
 * dots and back-quoted names (`` inputs.`odd-name` ``); a back-quoted segment's offsets exclude
 * the quotes.
 */
export function referenceSegments(text: string, start: number, end: number): Segment[] {
  const out: Segment[] = [];
  let i = start;
  while (i < end) {
    while (i < end && /\s/.test(text[i]!)) i++;
    if (text[i] === '`') {
      const close = text.indexOf('`', i + 1);
      if (close === -1 || close >= end) break;
      out.push({ name: text.slice(i + 1, close), start: i + 1, end: close });
      i = close + 1;
    } else {
      const from = i;
      while (i < end && /[^\s.`]/.test(text[i]!)) i++;
      if (i === from) break;
      out.push({ name: text.slice(from, i), start: from, end: i });
    }
    while (i < end && /\s/.test(text[i]!)) i++;
    if (text[i] !== '.') break;
    i++;
  }
  return out;
}
