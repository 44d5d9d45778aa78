/**
 * Version summaries in the index, for history views: snapshots (one folder per workflow, re-listed
 * only when the folder's time changed, as day folders of runs are) and publications (the control
 * log, read from where the last catch-up stopped; read again from the start when the bytes there
 * are no longer what was read, after a git checkout say).
 *
 * It summarises what `FsStore.listVersions` lists, without re-checking hashes on every query:
 * that is `verify`'s job, and the store's own reads still check every record they return.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { isContentId, type ContentId } from '../../../model/content-id.js';
import { newestFirst } from '../../../store/listing.js';
import {
  versionRecordProblem,
  type GitInfo,
  type VersionRecord,
  type VersionSummary,
} from '../../../store/records.js';
import { parseLogLine } from '../files/control-log-file.js';
import type { IndexDatabase } from './index-database.js';
import { RACY_MS } from './run-catch-up.js';
import { listFolder } from '../files/list-folder.js';

export interface VersionCatchUp {
  readonly changed: boolean;
}

/** Where the control log was read up to, kept in `meta`. */
interface LogPosition {
  /** Bytes of complete lines read. */
  readonly offset: number;
  readonly lines: number;
  /** The last line read: where it starts and the sha256 of its bytes. */
  readonly lastOffset: number;
  readonly lastHash: string;
}

/** Catches the version tables up with the snapshot folders and the control log. */
export function catchUpVersions(
  db: IndexDatabase,
  snapshotsRoot: string,
  controlLog: string,
  now: number = Date.now(),
): VersionCatchUp {
  const snapshots = catchUpSnapshots(db, snapshotsRoot, now);
  const log = catchUpControlLog(db, controlLog);
  return { changed: snapshots || log };
}

/** Versions of `name`, newest first, with their publications: what `listVersions` returns. */
export function listVersionSummaries(db: IndexDatabase, name: string): VersionSummary[] {
  const byId = new Map<ContentId, VersionSummary>();
  for (const [id, recordName, createdAt, author] of db.all(
    'SELECT id, name, created_at, author FROM snapshots WHERE dir = ? AND name IS NOT NULL',
    [name],
  )) {
    byId.set(id as ContentId, {
      id: id as ContentId,
      name: String(recordName),
      createdAt: String(createdAt),
      author: String(author),
    });
  }
  for (const row of db.all(
    `SELECT entry, workflow, seq, version, message, at, author, git, record_name,
       record_created_at, record_author FROM publications WHERE workflow = ? ORDER BY line`,
    [name],
  )) {
    const [entry, workflow, seq, version, message, at, author, git] = row;
    const [recordName, createdAt, recordAuthor] = row.slice(8);
    byId.set(version as ContentId, {
      id: version as ContentId,
      name: String(recordName),
      createdAt: String(createdAt),
      author: String(recordAuthor),
      publication: {
        workflow: String(workflow),
        seq: Number(seq),
        version: version as ContentId,
        message: String(message),
        at: String(at),
        author: String(author),
        git: JSON.parse(String(git)) as GitInfo | null,
        entry: Number(entry),
      },
    });
  }
  return newestFirst([...byId.values()]);
}

/** Distinct versions indexed (snapshots and published). */
export function countVersions(db: IndexDatabase): number {
  return Number(
    db.first(
      `SELECT count(*) FROM (SELECT id FROM snapshots WHERE name IS NOT NULL
         UNION SELECT version FROM publications)`,
    )![0],
  );
}

function catchUpSnapshots(db: IndexDatabase, root: string, now: number): boolean {
  let changed = false;
  const known = new Map(
    db.all('SELECT name, mtime FROM snapshot_dirs').map(([n, m]) => [String(n), Number(m)]),
  );
  const present = new Set(listFolder(root).filter((name) => !name.startsWith('.')));
  for (const name of known.keys()) {
    if (present.has(name)) continue;
    db.run('DELETE FROM snapshots WHERE dir = ?', [name]);
    db.run('DELETE FROM snapshot_dirs WHERE name = ?', [name]);
    changed = true;
  }
  for (const name of present) {
    const dir = path.join(root, name);
    let mtime: number;
    try {
      const stat = statSync(dir);
      if (!stat.isDirectory()) continue;
      mtime = stat.mtimeMs;
    } catch {
      continue;
    }
    const recorded = known.get(name);
    if (recorded === mtime) continue;
    const indexed = new Set(
      db.all('SELECT id FROM snapshots WHERE dir = ?', [name]).map(([id]) => String(id)),
    );
    for (const file of listFolder(dir)) {
      // As `FsStore.snapshotIds`: temporary files start with a dot.
      if (!file.endsWith('.json') || file.startsWith('.')) continue;
      const id = `sha256:${file.slice(0, -'.json'.length)}`;
      if (!isContentId(id) || indexed.delete(id)) continue;
      const record = readRecord(path.join(dir, file), id);
      db.run(
        'INSERT OR REPLACE INTO snapshots (dir, id, name, created_at, author) VALUES (?, ?, ?, ?, ?)',
        [name, id, record?.name ?? null, record?.createdAt ?? null, record?.author ?? null],
      );
      changed = true;
    }
    for (const id of indexed) {
      db.run('DELETE FROM snapshots WHERE dir = ? AND id = ?', [name, id]);
      changed = true;
    }
    const trusted = now - mtime > RACY_MS ? mtime : -1;
    if (recorded !== trusted) {
      db.run('INSERT OR REPLACE INTO snapshot_dirs (name, mtime) VALUES (?, ?)', [name, trusted]);
      changed = true;
    }
  }
  return changed;
}

/** A snapshot's record when it is one (hashes checked once, when first indexed). */
function readRecord(file: string, id: ContentId): VersionRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return versionRecordProblem(record, id) === undefined ? (record as VersionRecord) : undefined;
  } catch {
    return undefined;
  }
}

function catchUpControlLog(db: IndexDatabase, file: string): boolean {
  let position = loadPosition(db);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    if (position.offset === 0) return false;
    forgetPublications(db);
    return true;
  }
  let changed = false;
  try {
    const size = fstatSync(fd).size;
    if (position.offset > 0 && (size < position.offset || !lastLineUnchanged(fd, position))) {
      forgetPublications(db); // rewritten underneath: read it again from the start
      position = loadPosition(db);
      changed = true;
    }
    if (size === position.offset) return changed;
    const buffer = Buffer.alloc(size - position.offset);
    readFully(fd, buffer, position.offset);
    let start = 0;
    let { lines, lastOffset, lastHash } = position;
    for (let nl = buffer.indexOf(10); nl !== -1; nl = buffer.indexOf(10, start)) {
      const bytes = buffer.subarray(start, nl);
      lines++;
      lastOffset = position.offset + start;
      lastHash = sha256Hex(bytes);
      addPublication(db, lines, bytes.toString('utf8'));
      start = nl + 1;
    }
    if (start === 0) return changed; // only a partly written line so far
    savePosition(db, { offset: position.offset + start, lines, lastOffset, lastHash });
    return true;
  } finally {
    closeSync(fd);
  }
}

function addPublication(db: IndexDatabase, line: number, text: string): void {
  const { entry } = parseLogLine(text);
  if (entry?.type !== 'publish' || typeof entry.record !== 'object' || entry.record === null)
    return;
  db.run(
    `INSERT INTO publications (line, entry, workflow, seq, version, message, at, author, git,
       record_name, record_created_at, record_author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      line,
      entry.index,
      entry.workflow,
      entry.seq,
      entry.version,
      String(entry.message),
      String(entry.at),
      String(entry.actor),
      JSON.stringify(entry.git ?? null),
      String(entry.record.name),
      String(entry.record.createdAt),
      String(entry.record.author),
    ],
  );
}

function loadPosition(db: IndexDatabase): LogPosition {
  return {
    offset: Number(db.meta('control_offset') ?? 0),
    lines: Number(db.meta('control_lines') ?? 0),
    lastOffset: Number(db.meta('control_last_offset') ?? 0),
    lastHash: String(db.meta('control_last_hash') ?? ''),
  };
}

function savePosition(db: IndexDatabase, position: LogPosition): void {
  db.setMeta('control_offset', position.offset);
  db.setMeta('control_lines', position.lines);
  db.setMeta('control_last_offset', position.lastOffset);
  db.setMeta('control_last_hash', position.lastHash);
}

function forgetPublications(db: IndexDatabase): void {
  db.run('DELETE FROM publications');
  savePosition(db, { offset: 0, lines: 0, lastOffset: 0, lastHash: '' });
}

/** Whether the last line read is still there, byte for byte, followed by its newline. */
function lastLineUnchanged(fd: number, position: LogPosition): boolean {
  const length = position.offset - position.lastOffset;
  const bytes = Buffer.alloc(length);
  if (readSync(fd, bytes, 0, length, position.lastOffset) !== length) return false;
  return bytes[length - 1] === 10 && sha256Hex(bytes.subarray(0, -1)) === position.lastHash;
}

function readFully(fd: number, buffer: Buffer, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    const read = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (read === 0) throw new Error('the control log shrank while it was read');
    done += read;
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
