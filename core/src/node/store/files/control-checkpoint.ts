/**
 * A checkpoint of the folded control state: what reading the control log up to a point gives
 * (chain head, channels, every publication and each entry's place in the log), saved so that
 * opening a store reads a small header and two tables instead of a line per entry. At 10 000
 * versions the control-log index is 5 MB of JSON; what an open reads here is under 1 MB, and each
 * workflow's publications are read only when that workflow is asked about.
 *
 * Like the control-log index it is a cache, never the truth (a sectioned file: see
 * sectioned-file.ts): trusted only while the log still holds the recorded last line at the
 * recorded place with the recorded hash. A damaged header or table makes the store read the log
 * as if there were no checkpoint; a damaged workflow section is read again from the log's lines.
 * Deleting it loses nothing.
 *
 * Sections:
 * 0. each entry's offset in the log (f64 LE), then each one's length (u32 LE), by entry index (a
 *    checkpoint is written only for a log whose line n holds entry n);
 * 1. one 44-byte record per publication, sorted by version digest: the digest (32 bytes), then
 *    the workflow's place in the header's `workflows`, the seq and the entry index (u32 LE);
 * 2… one per workflow, in the header's order: its publications as a JSON array, by seq.
 */
import type { ContentId } from '../../../model/content-id.js';
import type { ControlState, SavedControlState } from '../../../store/control-state.js';
import type { PublicationBase } from '../../../store/publication-book.js';
import type { Publication } from '../../../store/records.js';
import { hexOf } from './layout.js';
import { SectionedFile, writeSectionedFile } from './sectioned-file.js';

const MAGIC = Buffer.from('lockstep control checkpoint 1\n', 'latin1');
const VERSION_RECORD = 44;
const FIRST_WORKFLOW = 2;

/** Where a checkpoint stops in the log: just after its last line, which must still be there. */
export interface LogPosition {
  /** Bytes of the log covered (just after a newline). */
  readonly consumed: number;
  /** Lines covered (equal to the entries: a checkpoint is written for a healthy log only). */
  readonly lines: number;
  readonly lastOffset: number;
  readonly lastLength: number;
  readonly lastHash: ContentId;
}

/** Each entry's place in the log, by entry index (entry `i` at `i - 1`). */
export interface EntryPlaces {
  readonly offsets: Float64Array;
  readonly lengths: Uint32Array;
}

/** A checkpoint as read: enough to restore the state and go on reading the log after it. */
export interface Checkpoint {
  readonly position: LogPosition;
  readonly state: SavedControlState;
  readonly publications: PublicationBase;
  readonly places: EntryPlaces;
}

/**
 * Reads the publications of the given entries (in seq order) from the log itself: what a
 * workflow section is replaced with when it is damaged.
 */
export type ReadPublications = (entries: readonly number[]) => Publication[];

interface Header {
  readonly position: LogPosition;
  readonly state: SavedControlState;
  readonly workflows: readonly { name: string; lastSeq: number }[];
}

/**
 * The checkpoint in `file`, or undefined when there is none or its header or tables are damaged
 * or of another format (the caller then reads the log). Whether it still describes the log is
 * for the caller to check against `position`.
 */
export function readCheckpoint(
  file: string,
  readFromLog: ReadPublications,
): Checkpoint | undefined {
  const sectioned = SectionedFile.open(file, MAGIC);
  if (!sectioned) return undefined;
  try {
    const header = sectioned.header as Header;
    const count = header.state.count;
    // Seqs are gapless from 1 in a log a checkpoint is written for.
    const published = header.workflows.reduce((sum, w) => sum + w.lastSeq, 0);
    const positions = sectioned.section(0);
    const versions = sectioned.section(1);
    if (
      header.position.lines !== count ||
      sectioned.count !== FIRST_WORKFLOW + header.workflows.length ||
      positions?.length !== count * 12 ||
      versions?.length !== published * VERSION_RECORD
    ) {
      return undefined;
    }
    const places = { offsets: new Float64Array(count), lengths: new Uint32Array(count) };
    for (let i = 0; i < count; i++) {
      places.offsets[i] = positions.readDoubleLE(i * 8);
      places.lengths[i] = positions.readUInt32LE(count * 8 + i * 4);
    }
    return {
      position: header.position,
      state: header.state,
      places,
      publications: new SavedPublications(sectioned, header, versions, readFromLog),
    };
  } catch {
    return undefined; // a header of the wrong shape
  } finally {
    sectioned.close();
  }
}

/**
 * Writes a checkpoint of `state`, which is what the log holds up to `position`. Writes nothing
 * for a state that cannot be restored exactly: chain breaks, or a version published twice.
 * Failures are ignored: without a checkpoint the next open reads the log.
 * @returns whether a checkpoint was written.
 */
export function writeCheckpoint(
  file: string,
  position: LogPosition,
  state: ControlState,
  placeOf: (entry: number) => { offset: number; length: number },
): boolean {
  if (state.chainBreaks.length > 0 || position.lines !== state.entryCount) return false;
  const saved = state.save();
  const count = saved.count;
  const positions = Buffer.alloc(count * 12);
  for (let entry = 1; entry <= count; entry++) {
    const place = placeOf(entry);
    positions.writeDoubleLE(place.offset, (entry - 1) * 8);
    positions.writeUInt32LE(place.length, count * 8 + (entry - 1) * 4);
  }
  const workflows: { name: string; lastSeq: number }[] = [];
  const sections: Buffer[] = [];
  const records: Buffer[] = [];
  for (const [w, name] of state.workflows().entries()) {
    const publications = state.publications(name);
    for (const publication of publications) {
      const record = Buffer.alloc(VERSION_RECORD);
      record.write(hexOf(publication.version), 0, 32, 'hex');
      record.writeUInt32LE(w, 32);
      record.writeUInt32LE(publication.seq, 36);
      record.writeUInt32LE(publication.entry, 40);
      records.push(record);
    }
    workflows.push({ name, lastSeq: publications.at(-1)?.seq ?? 0 });
    sections.push(Buffer.from(JSON.stringify(publications)));
  }
  records.sort((a, b) => a.compare(b, 0, 32, 0, 32));
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.compare(records[i - 1]!, 0, 32, 0, 32) === 0) return false;
  }
  const header: Header = { position, state: saved, workflows };
  return writeSectionedFile(file, MAGIC, header, [positions, Buffer.concat(records), ...sections]);
}

/** The publications of a checkpoint: each workflow's section read when first asked. */
class SavedPublications implements PublicationBase {
  readonly lastSeqs: ReadonlyMap<string, number>;
  private readonly workflowIndex = new Map<string, number>();
  private readonly read = new Map<string, readonly Publication[]>();

  constructor(
    private readonly file: SectionedFile,
    private readonly header: Header,
    /** The publication records (section 1), already checked. */
    private readonly versions: Buffer,
    private readonly readFromLog: ReadPublications,
  ) {
    this.lastSeqs = new Map(header.workflows.map((w) => [w.name, w.lastSeq]));
    header.workflows.forEach((w, i) => this.workflowIndex.set(w.name, i));
  }

  publications(workflow: string): readonly Publication[] {
    const known = this.read.get(workflow);
    if (known) return known;
    const w = this.workflowIndex.get(workflow);
    if (w === undefined) return [];
    const list = this.readSection(w) ?? this.rebuild(w);
    this.read.set(workflow, list);
    return list;
  }

  publicationOfVersion(id: ContentId): Publication | undefined {
    const digest = Buffer.from(hexOf(id), 'hex');
    if (digest.length !== 32) return undefined;
    let low = 0;
    let high = this.versions.length / VERSION_RECORD - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = middle * VERSION_RECORD;
      const order = this.versions.compare(digest, 0, 32, at, at + 32);
      if (order === 0) {
        const workflow = this.header.workflows[this.versions.readUInt32LE(at + 32)];
        const seq = this.versions.readUInt32LE(at + 36);
        return workflow && this.publications(workflow.name)[seq - 1];
      }
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** A workflow's section, or undefined when it is damaged or does not match the header. */
  private readSection(w: number): readonly Publication[] | undefined {
    const { name, lastSeq } = this.header.workflows[w]!;
    const bytes = this.file.section(FIRST_WORKFLOW + w);
    if (!bytes) return undefined;
    try {
      const list = JSON.parse(bytes.toString('utf8')) as Publication[];
      const fits =
        Array.isArray(list) &&
        list.length === lastSeq &&
        list.every((p, i) => p.workflow === name && p.seq === i + 1);
      return fits ? list : undefined;
    } catch {
      return undefined;
    }
  }

  /** A workflow's publications read from the log, at the entries the publication records name. */
  private rebuild(w: number): Publication[] {
    const found: { seq: number; entry: number }[] = [];
    for (let at = 0; at < this.versions.length; at += VERSION_RECORD) {
      if (this.versions.readUInt32LE(at + 32) !== w) continue;
      found.push({
        seq: this.versions.readUInt32LE(at + 36),
        entry: this.versions.readUInt32LE(at + 40),
      });
    }
    found.sort((a, b) => a.seq - b.seq);
    return this.readFromLog(found.map((f) => f.entry));
  }
}
