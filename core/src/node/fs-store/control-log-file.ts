/**
 * The control log as a file: one JSON entry per line, appended and synced under a lock. Readers
 * tolerate a partly written last line and catch up incrementally with what other processes
 * appended, reading only the new bytes.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { entryHead, type ControlEntry, type ControlEntryHead } from '../../store/records.js';

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

/** Parses one line of the log into an entry, or says why it is not one. */
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
  const entry = value as Partial<ControlEntry> | null;
  if (
    entry === null ||
    typeof entry !== 'object' ||
    typeof entry.index !== 'number' ||
    typeof entry.hash !== 'string' ||
    entry.type !== 'publish' ||
    typeof entry.workflow !== 'string' ||
    typeof entry.seq !== 'number' ||
    typeof entry.version !== 'string'
  ) {
    return { error: 'not a control-log entry (fields missing or of the wrong type)' };
  }
  return { entry: entry as ControlEntry };
}

/**
 * Parses a line for the in-memory index: the embedded version record is dropped at once, so
 * reading a large log does not keep every record alive.
 */
function parseLineHead(text: string): { entry?: ControlEntryHead; error?: string } {
  const { entry, error } = parseLogLine(text);
  return entry ? { entry: entryHead(entry) } : { error: error! };
}

export class ControlLogFile {
  /** Bytes consumed so far: always just after a newline. */
  private consumed = 0;
  private lineCount = 0;
  /** The last consumed line, to notice when the file was replaced underneath us. */
  private lastLine: { offset: number; text: Buffer } | undefined;

  constructor(readonly file: string) {}

  /** Reads what was appended since the last call (everything on the first call). */
  async readNew(): Promise<LogDelta> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      size = 0;
    }
    const handle = size > 0 ? await open(this.file, 'r') : undefined;
    try {
      let reset = false;
      if (size < this.consumed || (handle && !(await this.prefixUnchanged(handle)))) {
        reset = true; // rewritten (a git checkout, say): read it again from the start
        this.consumed = 0;
        this.lineCount = 0;
        this.lastLine = undefined;
      }
      if (!handle || size === this.consumed) return { reset, lines: [] };
      const buffer = Buffer.alloc(size - this.consumed);
      await readFully(handle, buffer, this.consumed);
      const lines: LogLine[] = [];
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
          ...parseLineHead(bytes.toString('utf8')),
        });
        last = { offset, bytes };
        start = newline + 1;
      }
      // A copy of the last line only (not of every line): `buffer` can be the whole log.
      if (last) this.lastLine = { offset: last.offset, text: Buffer.from(last.bytes) };
      this.consumed += start;
      const tail =
        start < buffer.length
          ? { offset: this.consumed, bytes: Buffer.from(buffer.subarray(start)) }
          : undefined;
      return tail ? { reset, lines, tail } : { reset, lines };
    } finally {
      await handle?.close();
    }
  }

  /**
   * The exact text of a line read earlier. The last line comes from memory: `readNew` compares it
   * with the file each time it runs (and `append` wrote it), so a caller that has just caught up
   * (a publisher holding the lock checking the chain's head, say) gets the bytes on disk without
   * opening the file again.
   */
  async readLine(offset: number, length: number): Promise<string> {
    if (this.lastLine?.offset === offset && this.lastLine.text.length === length) {
      return this.lastLine.text.toString('utf8');
    }
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.alloc(length);
      await readFully(handle, buffer, offset);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  }

  /**
   * Appends one line and syncs it (fdatasync) before returning. The caller holds the lock and has
   * caught up with `readNew`, and has dealt with any tail, so the file ends with a newline.
   */
  async append(text: string): Promise<LogLine> {
    const handle = await open(this.file, 'a');
    const bytes = Buffer.from(`${text}\n`, 'utf8');
    try {
      await handle.write(bytes);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    const offset = this.consumed;
    this.lineCount++;
    this.consumed += bytes.length;
    this.lastLine = { offset, text: bytes.subarray(0, -1) };
    return { line: this.lineCount, offset, length: bytes.length - 1, ...parseLineHead(text) };
  }

  /** Ends an unterminated last line with a newline (it held a complete, valid entry). */
  async terminateTail(tail: LogTail): Promise<LogLine> {
    const handle = await open(this.file, 'a');
    try {
      await handle.write('\n');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.lineCount++;
    this.consumed = tail.offset + tail.bytes.length + 1;
    this.lastLine = { offset: tail.offset, text: tail.bytes };
    return {
      line: this.lineCount,
      offset: tail.offset,
      length: tail.bytes.length,
      ...parseLineHead(tail.bytes.toString('utf8')),
    };
  }

  /** Cuts the file back to `offset` (dropping an unacknowledged partial append) and syncs it. */
  async truncateTo(offset: number): Promise<void> {
    const handle = await open(this.file, 'r+');
    try {
      await handle.truncate(offset);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async prefixUnchanged(handle: FileHandle): Promise<boolean> {
    if (!this.lastLine) return true;
    const { offset, text } = this.lastLine;
    const buffer = Buffer.alloc(text.length + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return (
      bytesRead === buffer.length &&
      buffer[text.length] === 10 &&
      buffer.subarray(0, text.length).equals(text)
    );
  }
}

async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file after ${position + done} bytes`);
    done += bytesRead;
  }
}
