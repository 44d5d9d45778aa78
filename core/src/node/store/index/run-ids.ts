/**
 * Run ids as the index stores them. A canonical UUID (lowercase hex, dashes in place: what
 * Lockstep writes) is stored as its 16 bytes, less than half its text, in the table and in the
 * unique index on it; anything else a journal file could be named is stored as text. Byte order
 * of the 16 bytes is the order of the text, and a UUIDv7's first 6 bytes are its time in ms, so a
 * day folder's journals and the ids starting with a typed prefix are ranges of that index.
 */
import type { SqlValue } from 'sql.js';

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What a prefix of a canonical id looks like. */
const CANONICAL_PREFIX =
  /^(?:[0-9a-f]{0,8}|[0-9a-f]{8}-[0-9a-f]{0,4}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{0,4}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{0,4}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{0,12})$/;
const DAY_MS = 86_400_000;

/** The stored form of a run id. */
export function encodeRunId(id: string): Uint8Array | string {
  return CANONICAL.test(id) ? Buffer.from(id.replace(/-/g, ''), 'hex') : id;
}

/** The run id of a stored value. */
export function decodeRunId(value: SqlValue | undefined): string {
  if (!(value instanceof Uint8Array)) return String(value);
  const hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The stored ids of canonical runs of a day folder: `lo <= id < hi`. */
export function dayRange(day: string): [Uint8Array, Uint8Array] {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  return [timeBytes(start), timeBytes(start + DAY_MS)];
}

/**
 * The stored canonical ids that start with `prefix`, as `lo <= id <= hi`; undefined when no
 * canonical id can start with it.
 */
export function prefixRange(prefix: string): [Uint8Array, Uint8Array] | undefined {
  if (!CANONICAL_PREFIX.test(prefix)) return undefined;
  const hex = prefix.replace(/-/g, '');
  return [Buffer.from(hex.padEnd(32, '0'), 'hex'), Buffer.from(hex.padEnd(32, 'f'), 'hex')];
}

/** A time in ms as the first 6 bytes of a UUIDv7, followed by zeros (clamped to 48 bits). */
function timeBytes(ms: number): Uint8Array {
  const bytes = Buffer.alloc(16);
  const clamped = Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 2 ** 48 - 1) : 0;
  bytes.writeUIntBE(clamped, 0, 6);
  return bytes;
}
