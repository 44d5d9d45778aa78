/**
 * A cache file read in parts: a magic line, a JSON header, and sections the header points at,
 * each with its CRC-32. A reader reads the header and only the sections it needs, when it needs
 * them. Written aside and renamed over the last one (no sync: what these files hold can always
 * be worked out again from the store's own files).
 *
 * Layout: the magic, the header's byte length and its CRC-32 (u32 LE each), the header, the
 * sections one after the other.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { crc32 } from '../../../hash/crc32.js';
import { TEMP_PREFIX } from './layout.js';

/** Where a section is, and its CRC-32. */
interface Section {
  readonly at: number;
  readonly length: number;
  readonly crc: number;
}

interface StoredHeader {
  readonly value: unknown;
  readonly sections: readonly Section[];
}

export class SectionedFile {
  private constructor(
    private readonly file: string,
    private fd: number | undefined,
    /** The header as written (its shape is the caller's to check). */
    readonly header: unknown,
    private readonly sections: readonly Section[],
  ) {}

  /**
   * Opens `file` and reads its header; undefined when it is missing, of another kind (`magic`),
   * damaged, or cut short. Close it once the sections needed now are read; later reads open it
   * again.
   */
  static open(file: string, magic: Buffer): SectionedFile | undefined {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return undefined;
    }
    try {
      const preamble = readAt(fd, 0, magic.length + 8);
      if (!preamble?.subarray(0, magic.length).equals(magic)) throw new Error('not this kind');
      const bytes = readAt(fd, magic.length + 8, preamble.readUInt32LE(magic.length));
      if (!bytes || crc32(bytes) !== preamble.readUInt32LE(magic.length + 4)) {
        throw new Error('damaged header');
      }
      const stored = JSON.parse(bytes.toString('utf8')) as StoredHeader;
      const size = fstatSync(fd).size;
      if (!Array.isArray(stored.sections) || stored.sections.some((s) => s.at + s.length > size)) {
        throw new Error('cut short');
      }
      return new SectionedFile(file, fd, stored.value, stored.sections);
    } catch {
      closeSync(fd);
      return undefined;
    }
  }

  /** How many sections there are. */
  get count(): number {
    return this.sections.length;
  }

  /**
   * Section `index`'s bytes; undefined when it is damaged, or the file is gone or was replaced
   * (by then its bytes no longer match the CRC-32 the header gave).
   */
  section(index: number): Buffer | undefined {
    const section = this.sections[index];
    if (!section) return undefined;
    let fd = this.fd;
    if (fd === undefined) {
      try {
        fd = openSync(this.file, 'r');
      } catch {
        return undefined;
      }
    }
    try {
      const bytes = readAt(fd, section.at, section.length);
      return bytes && crc32(bytes) === section.crc ? bytes : undefined;
    } catch {
      return undefined;
    } finally {
      if (fd !== this.fd) closeSync(fd);
    }
  }

  /** Closes the file; sections read later open it again. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Writes `header` and `sections` to `file` (aside, then renamed over it).
 * @returns false when anything failed (the file is a cache: the caller goes on without it).
 */
export function writeSectionedFile(
  file: string,
  magic: Buffer,
  header: unknown,
  sections: readonly Buffer[],
): boolean {
  // The header holds the sections' offsets, which depend on its own length: laid out again
  // until that length no longer changes (one more pass at most, in practice).
  let length = 0;
  let bytes: Buffer;
  for (;;) {
    let at = magic.length + 8 + length;
    const placed = sections.map((s) => {
      const section = { at, length: s.length, crc: crc32(s) };
      at += s.length;
      return section;
    });
    bytes = Buffer.from(JSON.stringify({ value: header, sections: placed } satisfies StoredHeader));
    if (bytes.length === length) break;
    length = bytes.length;
  }
  const preamble = Buffer.alloc(magic.length + 8);
  magic.copy(preamble);
  preamble.writeUInt32LE(bytes.length, magic.length);
  preamble.writeUInt32LE(crc32(bytes), magic.length + 4);
  const temp = path.join(
    path.dirname(file),
    `${TEMP_PREFIX}${path.basename(file)}-${process.pid}-${threadId}`,
  );
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(temp, 'w');
    try {
      for (const part of [preamble, bytes, ...sections]) {
        let done = 0;
        while (done < part.length) done += writeSync(fd, part, done, part.length - done);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    return true;
  } catch {
    return false;
  }
}

function readAt(fd: number, position: number, length: number): Buffer | undefined {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) return undefined;
    done += n;
  }
  return buffer;
}
