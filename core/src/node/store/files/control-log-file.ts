/**
 * The control log as a file: one JSON entry per line, appended and synced under a lock. Readers
 * tolerate a partly written last line and catch up incrementally with what other processes
 * appended, reading only the new bytes.
 *
 * The file is read and written with synchronous calls: every operation is a small, local one
 * (the only slow one, fdatasync, must finish before a publish returns anyway), and publishing
 * runs them inside a cross-process lock, where each hand-off to Node's thread pool would add to
 * the time the lock is held.
 */
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  fsyncSync,
  openSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { entryHead, type ControlEntry, type ControlEntryHead } from '../../../store/records.js';
import type { LogPosition } from './control-checkpoint.js';
import { appendIndex, loadIndex, rewriteIndex } from './control-log-index.js';

/** One complete line of the log. */
export interface LogLine {
  /** 1-based line number. */
  readonly line: number;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** Byte length, without the newline. */
  readonly length: number;
  /** The entry without its embedded version record (read the line again for that). */
  readonly entry?: ControlEntryHead;
  /** Why the line is not a usable entry. */
  readonly error?: string;
}

/** Bytes after the last newline: an append that was cut short (or a hand edit). */
export interface LogTail {
  readonly offset: number;
  readonly bytes: Buffer;
}

export interface LogDelta {
  /** True when the file no longer starts with what was read before: start over from `lines`. */
  readonly reset: boolean;
  readonly lines: readonly LogLine[];
  readonly tail?: LogTail;
}

const CONFLICT_MARKER = /^(?:<{7}|={7}|>{7})(?: |$)/;
/** Where the embedded record starts in a line written by `formatLogLine`. */
const RECORD_KEY = Buffer.from(',"record":');

/**
 * The line for an entry: its fields with the embedded version record last, so that readers that
 * need only the head (every open of the store) parse a few hundred bytes instead of the record.
 * Hashes are over canonical JSON, so this order changes no hash.
 */
export function formatLogLine(entry: ControlEntry): string {
  if (entry.type !== 'publish') return JSON.stringify(entry);
  const { record, ...head } = entry;
  return JSON.stringify({ ...head, record });
}

/** Parses one line of the log into a whole entry, or says why it is not one. */
export function parseLogLine(text: string): { entry?: ControlEntry; error?: string } {
  if (CONFLICT_MARKER.test(text)) {
    return {
      error:
        'a git merge conflict marker: two branches both published. Keep one side, then publish the other branch’s changes again from the main branch',
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not valid JSON (a damaged or hand-edited line)' };
  }
  return isEntry(value)
    ? { entry: value as ControlEntry }
    : { error: 'not a control-log entry (fields missing or of the wrong type)' };
}

function isEntry(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const entry = value as { readonly [field: string]: unknown };
  if (
    typeof entry['index'] !== 'number' ||
    typeof entry['hash'] !== 'string' ||
    typeof entry['workflow'] !== 'string'
  ) {
    return false;
  }
  if (entry['type'] === 'publish') {
    return typeof entry['seq'] === 'number' && typeof entry['version'] === 'string';
  }
  return (
    entry['type'] === 'channel' &&
    typeof entry['channel'] === 'string' &&
    typeof entry['revision'] === 'number' &&
    typeof entry['action'] === 'string' &&
    typeof entry['to'] === 'object'
  );
}

/**
 * Parses a line for the in-memory index: only the head, without the embedded version record.
 * A line not in `formatLogLine`'s order (edited by hand, say) is parsed whole. A damaged record
 * behind an intact head is found when the record is read, and by `verify`.
 */
export function parseLogLineHead(bytes: Buffer): { entry?: ControlEntryHead; error?: string } {
  const recordAt = bytes.indexOf(RECORD_KEY);
  if (recordAt > 0 && bytes[0] === 0x7b /* { */) {
    try {
      const head = JSON.parse(`${bytes.toString('utf8', 0, recordAt)}}`) as unknown;
      if (isEntry(head)) return { entry: head as ControlEntryHead };
    } catch {
      // fall through to the whole line, which says precisely what is wrong
    }
  }
  const { entry, error } = parseLogLine(bytes.toString('utf8'));
  return entry ? { entry: entryHead(entry) } : { error: error! };
}

export class ControlLogFile {
  /** Bytes consumed so far: always just after a newline. */
  private consumed = 0;
  private lineCount = 0;
  /** The last consumed line, to notice when the file was replaced underneath us. */
  private lastLine: { offset: number; text: Buffer } | undefined;
  /** How far the index covers the log (bytes); lines past it are appended to the index. */
  private indexedTo = 0;
  /** Whether the last `readNew` found no log (then nothing was consumed either). */
  private missing = false;
  /** Off once reading resumed from a checkpoint: the index may not reach that far. */
  private indexing = true;

  /**
   * @param file the control log.
   * @param indexFile a local index of the log (see control-log-index.ts), read on the first
   *   `readNew` instead of the whole log and kept up to date; none when undefined.
   */
  constructor(
    readonly file: string,
    private readonly indexFile?: string,
  ) {}

  /** Reads what was appended since the last call (everything on the first call). */
  readNew(): LogDelta {
    // Missing last time (nothing published yet): asked without an exception first, which a
    // failed open costs on every read of a store that has no publications.
    if (this.missing && statSync(this.file, { throwIfNoEntry: false }) === undefined) {
      return { reset: false, lines: [] };
    }
    const fd = openIfExists(this.file, 'r');
    this.missing = fd === undefined;
    if (fd === undefined) {
      const reset = this.consumed > 0;
      this.forget();
      return { reset, lines: [] };
    }
    try {
      const size = fstatSync(fd).size;
      let reset = false;
      if (size < this.consumed || !this.prefixUnchanged(fd)) {
        reset = true; // rewritten (a git checkout, say): read it again from the start
        this.forget();
      }
      const lines: LogLine[] = this.consumed === 0 ? this.fromIndex(fd, size) : [];
      if (size === this.consumed) return { reset, lines };
      const buffer = Buffer.alloc(size - this.consumed);
      readFully(fd, buffer, this.consumed);
      let start = 0;
      let last: { offset: number; bytes: Buffer } | undefined;
      for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10, start)) {
        const bytes = buffer.subarray(start, newline);
        const offset = this.consumed + start;
        this.lineCount++;
        lines.push({
          line: this.lineCount,
          offset,
          length: bytes.length,
          ...parseLogLineHead(bytes),
        });
        last = { offset, bytes };
        start = newline + 1;
      }
      // A copy of the last line only (not of every line): `buffer` can be the whole log.
      if (last) this.lastLine = { offset: last.offset, text: Buffer.from(last.bytes) };
      this.consumed += start;
      this.updateIndex(lines);
      const tail =
        start < buffer.length
          ? { offset: this.consumed, bytes: Buffer.from(buffer.subarray(start)) }
          : undefined;
      return tail ? { reset, lines, tail } : { reset, lines };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Goes on from where a checkpoint of the folded state stopped, when the log still holds the
   * checkpoint's last line at its place with its hash; the next `readNew` then reads only what
   * follows. Only before the first `readNew`.
   * @returns false (and nothing changed) when the log no longer matches the checkpoint.
   */
  resumeAt(position: LogPosition): boolean {
    if (this.consumed !== 0) return false;
    const { consumed, lines, lastOffset, lastLength, lastHash } = position;
    if (lastOffset + lastLength + 1 !== consumed) return false;
    const fd = openIfExists(this.file, 'r');
    if (fd === undefined) return false;
    try {
      const bytes = Buffer.alloc(lastLength + 1);
      if (
        fstatSync(fd).size < consumed ||
        readSync(fd, bytes, 0, bytes.length, lastOffset) !== bytes.length ||
        bytes[lastLength] !== 10
      ) {
        return false;
      }
      const text = bytes.subarray(0, lastLength);
      if (parseLogLineHead(text).entry?.hash !== lastHash) return false;
      this.consumed = consumed;
      this.lineCount = lines;
      this.lastLine = { offset: lastOffset, text };
      // Lines past the checkpoint are not added to the index, which may stop short of it: it is
      // read (and brought up to date) only when a checkpoint cannot be used.
      this.indexing = false;
      return true;
    } finally {
      closeSync(fd);
    }
  }

  /** Where the log was read up to, for a checkpoint: undefined before any complete line. */
  position(): LogPosition | undefined {
    const last = this.lastLine;
    if (!last) return undefined;
    const hash = parseLogLineHead(last.text).entry?.hash;
    if (hash === undefined) return undefined;
    return {
      consumed: this.consumed,
      lines: this.lineCount,
      lastOffset: last.offset,
      lastLength: last.text.length,
      lastHash: hash,
    };
  }

  /**
   * The lines the index holds, when they still describe the start of the log: the log must be at
   * least as long, and its bytes at the last indexed position must be a whole line whose entry
   * has the indexed hash. (An edit inside an earlier line that keeps every length is caught when
   * that line's record is read, and by `verify`, which read the log itself.)
   */
  private fromIndex(fd: number, size: number): LogLine[] {
    if (this.indexFile === undefined) return [];
    const { lines: indexed, damaged } = loadIndex(this.indexFile);
    // A damaged index is read past no further than its damage: the log is read whole, and the
    // index written again from it (see updateIndex), rather than appended to after a bad line.
    if (damaged) return [];
    const last = indexed.at(-1);
    if (!last?.entry || last.offset + last.length + 1 > size) return [];
    const bytes = Buffer.alloc(last.length + 1);
    if (
      readSync(fd, bytes, 0, bytes.length, last.offset) !== bytes.length ||
      bytes[last.length] !== 10
    ) {
      return [];
    }
    const text = bytes.subarray(0, last.length);
    if (parseLogLineHead(text).entry?.hash !== last.entry.hash) return [];
    this.consumed = last.offset + last.length + 1;
    this.indexedTo = this.consumed;
    this.lastLine = { offset: last.offset, text };
    this.lineCount = indexed.length;
    return indexed.map((line, i) => ({ ...line, line: i + 1 }));
  }

  /** Adds lines read past the index to it, or rewrites it when it covered none of the log. */
  private updateIndex(lines: readonly LogLine[]): void {
    if (this.indexFile === undefined || !this.indexing) return;
    const fresh = lines.filter((line) => line.offset >= this.indexedTo);
    if (this.indexedTo === 0) rewriteIndex(this.indexFile, fresh);
    else appendIndex(this.indexFile, fresh);
    this.indexedTo = this.consumed;
  }

  /**
   * The exact text of a line read earlier. The last line comes from memory: `readNew` compares it
   * with the file each time it runs (and `append` wrote it), so a caller that has just caught up
   * (a publisher holding the lock checking the chain's head, say) gets the bytes on disk without
   * opening the file again.
   */
  readLine(offset: number, length: number): string {
    return this.readLineBytes(offset, length).toString('utf8');
  }

  /** The bytes of a line read earlier (see `readLine`), for what parses bytes; read only (shared). */
  readLineBytes(offset: number, length: number): Buffer {
    if (this.lastLine?.offset === offset && this.lastLine.text.length === length) {
      return this.lastLine.text;
    }
    const fd = openSync(this.file, 'r');
    try {
      const buffer = Buffer.alloc(length);
      readFully(fd, buffer, offset);
      return buffer;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Appends one line and syncs it (fdatasync) before returning. The caller holds the lock and has
   * caught up with `readNew`, and has dealt with any tail, so the file ends with a newline.
   */
  append(text: string): LogLine {
    const bytes = Buffer.from(`${text}\n`, 'utf8');
    const fd = openSync(this.file, 'a');
    try {
      writeFully(fd, bytes);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const offset = this.consumed;
    const line = bytes.subarray(0, -1);
    this.lineCount++;
    this.consumed += bytes.length;
    this.lastLine = { offset, text: line };
    const written = {
      line: this.lineCount,
      offset,
      length: line.length,
      ...parseLogLineHead(line),
    };
    this.updateIndex([written]);
    return written;
  }

  /** Ends an unterminated last line with a newline (it held a complete, valid entry). */
  terminateTail(tail: LogTail): LogLine {
    const fd = openSync(this.file, 'a');
    try {
      writeFully(fd, Buffer.from('\n'));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.lineCount++;
    this.consumed = tail.offset + tail.bytes.length + 1;
    this.lastLine = { offset: tail.offset, text: tail.bytes };
    const terminated = {
      line: this.lineCount,
      offset: tail.offset,
      length: tail.bytes.length,
      ...parseLogLineHead(tail.bytes),
    };
    this.updateIndex([terminated]);
    return terminated;
  }

  /** Cuts the file back to `offset` (dropping an unacknowledged partial append) and syncs it. */
  truncateTo(offset: number): void {
    const fd = openSync(this.file, 'r+');
    try {
      ftruncateSync(fd, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private forget(): void {
    this.indexing = true;
    this.consumed = 0;
    this.lineCount = 0;
    this.lastLine = undefined;
    this.indexedTo = 0;
  }

  private prefixUnchanged(fd: number): boolean {
    if (!this.lastLine) return true;
    const { offset, text } = this.lastLine;
    const buffer = Buffer.alloc(text.length + 1);
    const bytesRead = readSync(fd, buffer, 0, buffer.length, offset);
    return (
      bytesRead === buffer.length &&
      buffer[text.length] === 10 &&
      buffer.subarray(0, text.length).equals(text)
    );
  }
}

/** A line parsed whole, with its text. */
export interface WholeLogLine {
  readonly line: number;
  readonly text: string;
  readonly entry?: ControlEntry;
  readonly error?: string;
}

/** Every line of the log file as it is now, parsed whole: for `verify`, which reads it once. */
export function readWholeLog(file: string): { lines: WholeLogLine[]; tail?: LogTail } {
  const fd = openIfExists(file, 'r');
  if (fd === undefined) return { lines: [] };
  let buffer: Buffer;
  try {
    buffer = Buffer.alloc(fstatSync(fd).size);
    readFully(fd, buffer, 0);
  } finally {
    closeSync(fd);
  }
  const lines: WholeLogLine[] = [];
  let start = 0;
  for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10, start)) {
    const text = buffer.toString('utf8', start, newline);
    lines.push({ line: lines.length + 1, text, ...parseLogLine(text) });
    start = newline + 1;
  }
  return start < buffer.length
    ? { lines, tail: { offset: start, bytes: buffer.subarray(start) } }
    : { lines };
}

function openIfExists(file: string, flags: string): number | undefined {
  try {
    return openSync(file, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readFully(fd: number, buffer: Buffer, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    const bytesRead = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file after ${position + done} bytes`);
    done += bytesRead;
  }
}

function writeFully(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
