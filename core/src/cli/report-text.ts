/**
 * Text for the reports CI reads (`lockstep test`, `lockstep gate`): values on one line, XML that
 * hostile text cannot break, Markdown cells and code blocks that hostile text cannot escape.
 */
import type { JsonValue } from '../model/workflow.js';

/** One value on one line, cut to `max` characters. */
export function oneLine(value: JsonValue | undefined, max = 200): string {
  if (value === undefined) return '(none)';
  // JSON.stringify writes a lone surrogate as an escape, where canonical JSON refuses it.
  const line = JSON.stringify(value);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Text as XML character data or an attribute value: markup characters escaped, and characters
 * XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF) written as `\uXXXX`.
 */
export function xmlEscape(value: string): string {
  return value
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Milliseconds as JUnit's seconds. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Text in a Markdown table cell: no line breaks, pipes and backslashes escaped. */
export function cell(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${body}\n${fence}`;
}
