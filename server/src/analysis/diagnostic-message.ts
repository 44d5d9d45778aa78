/**
 * Reading the server's own diagnostics back (quick fixes start from them): the message text and
 * the field path every core message starts with (`steps.classify.llm.model: …`).
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { JsonPath } from '../../../core/src/parse/source-locator.js';
import type { OutlineStep } from './outline.js';

/** A diagnostic's message as text (LSP 3.18 also allows markup; this server sends text). */
export function messageOf(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

/** The field path a message starts with, parsed; undefined when it has none. */
export function messagePath(message: string, steps: readonly OutlineStep[]): JsonPath | undefined {
  const colon = message.indexOf(': ');
  return colon === -1 ? undefined : parsePath(message.slice(0, colon), steps);
}

/**
 * Parses a path as core messages print it (`steps.classify.llm`, `steps[2]`, `headers["x-key"]`,
 * `(top level)`) back into the document's segments: a step named by its id becomes its position
 * among `steps` (the document's). Undefined when the text is not such a path.
 */
export function parsePath(text: string, steps: readonly OutlineStep[]): JsonPath | undefined {
  const path = parseSegments(text);
  if (path?.[0] !== 'steps' || typeof path[1] !== 'string') return path;
  const step = steps.find((s) => s.id === path[1]);
  return step === undefined ? undefined : ['steps', step.index, ...path.slice(2)];
}

function parseSegments(text: string): JsonPath | undefined {
  if (text === '(top level)') return [];
  const out: (string | number)[] = [];
  const token = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\.)/y;
  let at = 0;
  while (at < text.length) {
    token.lastIndex = at;
    const match = token.exec(text);
    if (!match) return undefined;
    at = token.lastIndex;
    if (match[1] !== undefined) out.push(match[1]);
    else if (match[2] !== undefined) out.push(Number(match[2]));
    else if (match[3] !== undefined) out.push(JSON.parse(match[3]) as string);
  }
  return out;
}
