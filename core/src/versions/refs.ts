/**
 * Version refs, one grammar everywhere (CLI, editor, sub-workflow pins):
 *
 * - `name@3` or `name@v3`: the published version with that number;
 * - `name@sha256:<8–64 hex digits>`: any stored version whose id starts so;
 * - `name@<channel>`: the version a channel points to;
 * - a path to a workflow file: its current content (snapshotted first).
 */
import { RefError } from '../model/errors.js';
import { CHANNEL_NAME, WORKFLOW_NAME, quoted } from '../model/names.js';

export type VersionRef =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'seq'; readonly name: string; readonly seq: number }
  | { readonly kind: 'hash'; readonly name: string; readonly prefix: string }
  | { readonly kind: 'channel'; readonly name: string; readonly channel: string };

const HASH = /^sha256:[0-9a-f]{8,64}$/;
const SEQ = /^v?([1-9][0-9]{0,8})$/;

/** Whether text looks like a path to a workflow file rather than a `name@…` ref. */
export function looksLikeFile(text: string): boolean {
  return /\.ya?ml$/i.test(text) || (!text.includes('@') && /[\\/]/.test(text));
}

/**
 * Parses a ref.
 * @throws RefError saying what is wrong and which forms are accepted.
 */
export function parseRef(text: string): VersionRef {
  if (looksLikeFile(text)) return { kind: 'file', path: text };
  const at = text.lastIndexOf('@');
  if (at === -1) {
    throw new RefError(
      'bad-ref',
      WORKFLOW_NAME.test(text)
        ? `'${text}' is not a version ref: write ${text}@<number>, ${text}@sha256:<hash> or ${text}@<channel>, or give a workflow file path`
        : `${quoted(text)} is not a version ref: write <name>@<number>, <name>@sha256:<hash> or <name>@<channel>, or give a workflow file path`,
    );
  }
  const name = text.slice(0, at);
  const selector = text.slice(at + 1);
  if (!WORKFLOW_NAME.test(name)) {
    throw new RefError(
      'bad-ref',
      `${quoted(name)} in ${quoted(text)} is not a workflow name (lowercase letters, digits, '.', '_' or '-')`,
    );
  }
  const seq = SEQ.exec(selector);
  if (seq) return { kind: 'seq', name, seq: Number(seq[1]) };
  if (selector.startsWith('sha256:')) {
    if (!HASH.test(selector.toLowerCase())) {
      throw new RefError(
        'bad-ref',
        `${quoted(selector)} in ${quoted(text)} needs at least 8 hex digits after sha256:`,
      );
    }
    return { kind: 'hash', name, prefix: selector.toLowerCase() };
  }
  if (CHANNEL_NAME.test(selector)) return { kind: 'channel', name, channel: selector };
  throw new RefError(
    'bad-ref',
    `${quoted(selector)} in ${quoted(text)} is not a version: use a published number (3), sha256:<at least 8 hex digits> or a channel name`,
  );
}

/** The canonical text of a stored-version ref. */
export function formatRef(ref: VersionRef): string {
  switch (ref.kind) {
    case 'file':
      return ref.path;
    case 'seq':
      return `${ref.name}@${ref.seq}`;
    case 'hash':
      return `${ref.name}@${ref.prefix}`;
    case 'channel':
      return `${ref.name}@${ref.channel}`;
  }
}
