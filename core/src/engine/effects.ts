/**
 * Effect identity and secret redaction. An effect is identified by (step path, kind, request key,
 * occurrence); the request key is a versioned hash of the canonical request, in which every secret
 * value has been replaced by a placeholder naming the secret, so that replays need no secrets and
 * recordings never hold one.
 */
import type { JsonValue } from '../model/workflow.js';
import { contentId } from '../hash/canonical.js';

/** The request-key scheme; bump it when what goes into a canonical request changes. */
export const REQUEST_KEY_SCHEME = 'rk1';

/** `rk1:sha256:<hex>` of the canonical request. */
export function requestKey(request: JsonValue): string {
  return `${REQUEST_KEY_SCHEME}:${contentId(request)}`;
}

/** What a secret's value becomes in anything recorded. */
export function secretPlaceholder(name: string): string {
  return `⟦secret:${name}⟧`;
}

/**
 * `text` with URL-encoded placeholders written as placeholders. A URL built around a placeholder
 * (a replay, which has no secret values) percent-encodes it, where the recorded run had the value,
 * redacted after encoding: both must give the same canonical request.
 */
export function decodePlaceholders(text: string): string {
  if (!text.includes('%E2%9F%A6')) return text;
  return text.replace(/%E2%9F%A6secret(?::|%3A)([A-Za-z0-9_+%]+?)%E2%9F%A7/gi, (_, name: string) =>
    secretPlaceholder(decodeURIComponent(name)),
  );
}

/**
 * The forms a secret's value takes on its way out: as written, JSON-escaped (inside JSON text, a
 * body a server echoes back), URL-encoded (a path segment or a query parameter) and base64, so
 * none of them is recorded.
 */
export function secretForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const base64 = btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));
  const query = new URLSearchParams({ v: secret }).toString().slice('v='.length);
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, json, encodeURIComponent(secret), query, base64])];
}

/**
 * Replaces every occurrence of every secret value (in any of its `secretForms`) in the strings of
 * `value` by the secret's placeholder (longest first, so one secret containing another is
 * replaced whole). `placeholderOf` names what a value becomes (a secret's placeholder unless
 * told otherwise: run bundles redact personal data the same way, under their own placeholders).
 */
export function redactSecrets<T extends JsonValue>(
  value: T,
  secrets: ReadonlyMap<string, string>,
  placeholderOf: (name: string) => string = secretPlaceholder,
): T {
  const pairs = redactionPairs(secrets);
  if (pairs.length === 0) return value;
  const redactString = (text: string): string => {
    let out = text;
    for (const [name, secret] of pairs) {
      if (out.includes(secret)) out = out.split(secret).join(placeholderOf(name));
    }
    return out;
  };
  // A part without any secret is returned as it is (the same object), and a list or object is
  // copied only when one of its members changed: most of a request holds no secret, and copying
  // all of it for every request was a tenth of what a replay allocated.
  const walk = (node: JsonValue): JsonValue => {
    if (typeof node === 'string') return redactString(node);
    if (Array.isArray(node)) {
      let out: JsonValue[] | undefined;
      for (let i = 0; i < node.length; i++) {
        const member = node[i]!;
        const redacted = walk(member);
        if (redacted !== member && !out) out = node.slice(0, i);
        out?.push(redacted);
      }
      return out ?? node;
    }
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node);
      let out: { [key: string]: JsonValue } | undefined;
      for (let i = 0; i < entries.length; i++) {
        const [key, member] = entries[i]!;
        const redactedKey = redactString(key);
        const redacted = walk(member);
        if ((redactedKey !== key || redacted !== member) && !out) {
          out = {};
          for (const [before, kept] of entries.slice(0, i)) out[before] = kept;
        }
        if (out) out[redactedKey] = redacted;
      }
      return out ?? node;
    }
    return node;
  };
  return walk(value) as T;
}

type RedactionPairs = readonly (readonly [name: string, form: string])[];

/**
 * The (name, form) pairs of the last secrets seen in each map, longest form first. A run redacts
 * every request and event with the same few secrets, and deriving their forms (UTF-8, base64,
 * URL encodings) each time cost more than the redaction itself. Keyed by the map and checked
 * against its current entries, so a map changed since is derived again; held weakly, so nothing
 * outlives the map that holds the secrets anyway.
 */
const derivedPairs = new WeakMap<
  ReadonlyMap<string, string>,
  { readonly entries: readonly (readonly [string, string])[]; readonly pairs: RedactionPairs }
>();

function redactionPairs(secrets: ReadonlyMap<string, string>): RedactionPairs {
  const known = derivedPairs.get(secrets);
  if (known && sameEntries(known.entries, secrets)) return known.pairs;
  const entries = [...secrets];
  const pairs = entries
    .filter(([, secret]) => secret !== '')
    .flatMap(([name, secret]) => secretForms(secret).map((form) => [name, form] as const))
    .sort((a, b) => b[1].length - a[1].length);
  derivedPairs.set(secrets, { entries, pairs });
  return pairs;
}

function sameEntries(
  entries: readonly (readonly [string, string])[],
  secrets: ReadonlyMap<string, string>,
): boolean {
  if (entries.length !== secrets.size) return false;
  let i = 0;
  for (const [name, secret] of secrets) {
    const entry = entries[i++]!;
    if (entry[0] !== name || entry[1] !== secret) return false;
  }
  return true;
}
