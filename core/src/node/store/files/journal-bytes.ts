/**
 * The bytes of run journals: events encoded as UTF-8 lines and journals read whole, through
 * buffers reused from one journal to the next (a replay writes and reads one journal each, and
 * a buffer allocated per journal was garbage to collect per run).
 */
import { readSync } from 'node:fs';

/** What each buffer starts at, and the most it keeps after one large journal or event. */
const SCRATCH_BYTES = 64 * 1024;
const MAX_KEPT_SCRATCH = 1024 * 1024;

/**
 * A buffer reused for every journal read (reads are synchronous; `parseJournal` copies what it
 * keeps into strings), bounded like the write buffer.
 */
let readBuffer = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * The bytes of an open file, in `readBuffer` (valid until the next call): read until a read
 * comes back short, which for a file is its end. `readFileSync` asked the size first, one system
 * call more per journal, and system calls are what a replay's reads cost most.
 */
export function readToEnd(fd: number): Buffer {
  let length = 0;
  for (;;) {
    if (length === readBuffer.length) {
      const grown = Buffer.allocUnsafe(readBuffer.length * 2);
      readBuffer.copy(grown, 0, 0, length);
      readBuffer = grown;
    }
    const wanted = readBuffer.length - length;
    const read = readSync(fd, readBuffer, length, wanted, length);
    length += read;
    if (read < wanted) break;
  }
  const bytes = readBuffer.subarray(0, length);
  if (readBuffer.length > MAX_KEPT_SCRATCH) readBuffer = Buffer.allocUnsafe(SCRATCH_BYTES);
  return bytes;
}

/** A line's end in a journal (UTF-8 never uses this byte inside a character). */
export const NEWLINE = 0x0a;

/**
 * A buffer reused for every write: writes are synchronous, so no two use it at once. Lines are
 * encoded into it one by one; joining them first would copy them into one string (two bytes a
 * character as soon as one line holds a character beyond Latin-1) only to encode that.
 */
let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * The lines as UTF-8, each followed by a newline, in `scratch` (valid until the next call). The
 * newline is a byte written after each: appending it to the text would make a new string to
 * encode.
 */
export function utf8Lines(lines: readonly string[]): Buffer {
  let length = 0;
  for (const line of lines) {
    // At most three bytes a UTF-16 unit: room is checked before encoding, never after.
    const room = line.length * 3 + 1;
    if (length + room > scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, length + room));
      scratch.copy(grown, 0, 0, length);
      scratch = grown;
    }
    length += scratch.write(line, length, 'utf8');
    scratch[length++] = NEWLINE;
  }
  return scratch.subarray(0, length);
}

/** Lets go of a write buffer grown by one huge event (a large response), once it is written. */
export function releaseLargeScratch(): void {
  if (scratch.length > MAX_KEPT_SCRATCH) scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
}
