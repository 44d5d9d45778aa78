/**
 * A local, rebuildable index of the control log: each line's position and head (the entry without
 * its embedded version record). Opening a store reads this instead of the whole log, whose lines
 * carry full version records (about 5 KB each: 55 MB at 10 000 versions).
 *
 * It is a cache and never the truth: written without syncing, possibly behind the log, possibly
 * with lines repeated by two processes catching up at once, and trusted only for the prefix that
 * still matches the log (see ControlLogFile). Each line ends with the CRC-32 of its JSON, so a
 * line damaged on disk (whose offsets may still fit the log) is noticed without reading the log:
 * the reader then reads the log whole and writes the index again. Deleting it loses nothing.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from '../../../hash/crc32.js';
import type { ControlEntryHead } from '../../../store/records.js';
import { TEMP_PREFIX } from './layout.js';

/** One indexed line of the log. */
export interface IndexedLine {
  readonly offset: number;
  readonly length: number;
  readonly entry?: ControlEntryHead;
  readonly error?: string;
}

interface StoredLine {
  o: number;
  l: number;
  e?: ControlEntryHead;
  x?: string;
}

/** What an index file holds: the lines it covers, and whether a line of it was damaged. */
export interface LoadedIndex {
  readonly lines: IndexedLine[];
  /** A line failed its checksum or did not parse: the index must be written again. */
  readonly damaged: boolean;
}

/**
 * The indexed lines that cover the log contiguously from its first byte, in order. Lines repeated
 * by concurrent writers are skipped; reading stops at the first gap, and at the first damaged line
 * (then `damaged` is set).
 */
export function loadIndex(file: string): LoadedIndex {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { lines: [], damaged: false };
  }
  const lines: IndexedLine[] = [];
  let expected = 0;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const tab = raw.lastIndexOf('\t');
    const json = raw.slice(0, tab);
    if (tab === -1 || raw.slice(tab + 1) !== checksum(json)) return { lines, damaged: true };
    let stored: StoredLine;
    try {
      stored = JSON.parse(json) as StoredLine;
    } catch {
      return { lines, damaged: true };
    }
    if (typeof stored.o !== 'number' || typeof stored.l !== 'number') break;
    if (stored.o < expected) continue; // a line another process indexed too
    if (stored.o > expected) break;
    lines.push(
      stored.e
        ? { offset: stored.o, length: stored.l, entry: stored.e }
        : { offset: stored.o, length: stored.l, error: stored.x ?? 'unreadable line' },
    );
    expected = stored.o + stored.l + 1;
  }
  return { lines, damaged: false };
}

/** Appends lines to the index (one write, so concurrent appenders do not interleave). */
export function appendIndex(file: string, lines: readonly IndexedLine[]): void {
  if (lines.length === 0) return;
  try {
    const fd = openSync(file, 'a');
    try {
      writeSync(fd, format(lines));
    } finally {
      closeSync(fd);
    }
  } catch {
    // A cache that could not be written is rebuilt by the next reader.
  }
}

/** Replaces the index with `lines` (written aside, then renamed over it). */
export function rewriteIndex(file: string, lines: readonly IndexedLine[]): void {
  const temp = path.join(path.dirname(file), `${TEMP_PREFIX}${path.basename(file)}-${process.pid}`);
  try {
    // local/ is not in git: a fresh clone has none until something creates it.
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, format(lines));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch {
    // As above: a missing or stale index only costs the next reader a full read.
  }
}

function format(lines: readonly IndexedLine[]): string {
  return lines
    .map((line) => {
      const stored: StoredLine = line.entry
        ? { o: line.offset, l: line.length, e: line.entry }
        : { o: line.offset, l: line.length, x: line.error ?? 'unreadable line' };
      const json = JSON.stringify(stored);
      return `${json}\t${checksum(json)}\n`;
    })
    .join('');
}

/** A line's checksum: the CRC-32 of its JSON. */
function checksum(json: string): string {
  return crc32(json).toString(16);
}
