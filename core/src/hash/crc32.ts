/**
 * CRC-32 (the IEEE polynomial of zip, PNG and zlib), the checksum of the store's cache files.
 * Computed in JavaScript (buffer-crc32: one table, written out) rather than with `node:zlib`:
 * loading zlib loads Node's whole stream machinery, a few milliseconds at the start of every
 * short command that checks a cache file, which is every listing. The values are zlib's.
 */
import * as bufferCrc32Module from 'buffer-crc32';

// The package's ES module exports the function as its default; its type declarations describe
// only the CommonJS `export =`.
const bufferCrc32 = (bufferCrc32Module as unknown as { default: typeof bufferCrc32Module }).default;

/** The CRC-32 of `data` (text as UTF-8), as an unsigned 32-bit number. */
export function crc32(data: Buffer | string): number {
  return bufferCrc32.unsigned(data);
}
