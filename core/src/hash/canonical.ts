/**
 * Content identity: RFC 8785 (JSON Canonicalization Scheme) and SHA-256. A version's id is the
 * hash of its definition's canonical JSON, so formatting, comments and key order never change it.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** A content id: `sha256:` followed by 64 lowercase hex digits. */
export type ContentId = `sha256:${string}`;

const CONTENT_ID = /^sha256:[0-9a-f]{64}$/;

/**
 * The RFC 8785 canonical JSON of a value.
 * @throws Error when the value is not representable as JSON (undefined at the top, a function,
 *   a non-finite number).
 */
export function canonicalJson(value: unknown): string {
  const plain = plainCanonical(value, 0);
  if (plain !== undefined) return plain;
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be represented as canonical JSON');
  return text;
}

/** Nesting beyond which `plainCanonical` leaves a value to `canonicalize` (which finds cycles). */
const PLAIN_DEPTH = 200;
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The canonical JSON of plain JSON data (null, booleans, finite numbers, well-formed strings,
 * arrays and plain objects of those, as parsed JSON is), written straight into one string: the
 * same text as `canonicalize`, which builds and sorts part lists and a set per key on the way
 * (request keys are computed for every effect). Undefined for anything else (undefined or a
 * function in a list, `toJSON`, a lone surrogate, non-finite numbers, very deep nesting), which
 * `canonicalize` then handles, throwing what it throws.
 */
function plainCanonical(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return LONE_SURROGATE.test(value) ? undefined : JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth >= PLAIN_DEPTH) return undefined;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const member = plainCanonical(value[i], depth + 1);
      if (member === undefined) return undefined;
      out += i === 0 ? member : `,${member}`;
    }
    return `${out}]`;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const object = value as { readonly [key: string]: unknown };
  // Default sort: UTF-16 code units, as RFC 8785 and `canonicalize` order keys.
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue; // left out, as JSON.stringify and `canonicalize` do
    if (LONE_SURROGATE.test(key)) return undefined;
    const text = plainCanonical(member, depth + 1);
    if (text === undefined) return undefined;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/** `sha256:<hex>` of UTF-8 text or raw bytes. */
export function sha256(data: string | Uint8Array): ContentId {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The content id of a JSON value: sha256 of its canonical JSON. */
export function contentId(value: unknown): ContentId {
  return sha256(canonicalJson(value));
}

/** True for a well-formed full content id. */
export function isContentId(value: unknown): value is ContentId {
  return typeof value === 'string' && CONTENT_ID.test(value);
}

/** The first 12 hex digits, for display (`sha256:1a2b3c4d5e6f`). */
export function shortId(id: string): string {
  return id.startsWith('sha256:') ? id.slice(0, 7 + 12) : id;
}
