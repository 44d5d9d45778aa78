/**
 * Content identity: RFC 8785 (JSON Canonicalization Scheme) and SHA-256. A version's id is the
 * hash of its definition's canonical JSON, so formatting, comments and key order never change it.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { ContentId } from '../model/content-id.js';

/**
 * The RFC 8785 canonical JSON of a value.
 * @throws Error when the value is not representable as JSON (undefined at the top, a function,
 *   a non-finite number).
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be represented as canonical JSON');
  return text;
}

/** `sha256:<hex>` of UTF-8 text or raw bytes. */
export function sha256(data: string | Uint8Array): ContentId {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The content id of a JSON value: sha256 of its canonical JSON. */
export function contentId(value: unknown): ContentId {
  return sha256(canonicalJson(value));
}
