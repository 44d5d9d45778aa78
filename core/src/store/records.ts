/**
 * What the store keeps: version records, publications and control-log entries. These shapes are
 * the storage format (format 1): change them only with a format bump and a migration.
 */
import type { WorkflowDefinition } from '../model/workflow.js';
import { canonicalJson, contentId, sha256 } from '../hash/canonical.js';
import { type ContentId } from '../model/content-id.js';
import type { ChannelChange } from './channel-records.js';

/** The git state a version was stored or published from. */
export interface GitInfo {
  readonly commit: string;
  /** True when the workflow file differed from that commit (uncommitted or untracked). */
  readonly dirty: boolean;
}

/** What a caller supplies to store a version; the store adds the id and checksum. */
export interface VersionDraft {
  readonly definition: WorkflowDefinition;
  /** The YAML text exactly as written; kept for `show` and `diff`, not part of the id. */
  readonly source: string;
  /** Where the file was, relative to the workspace root (`/` separators). */
  readonly sourcePath?: string;
  /** ISO 8601 time the version was first stored. */
  readonly createdAt: string;
  readonly author: string;
  readonly git: GitInfo | null;
}

/** An immutable version: a workflow definition identified by the hash of its canonical JSON. */
export interface VersionRecord extends VersionDraft {
  readonly kind: 'lockstep.version';
  /** `sha256:` of the definition's RFC 8785 canonical JSON, and nothing else. */
  readonly id: ContentId;
  readonly name: string;
  /** `sha256:` of the whole record's canonical JSON without this field: detects any edit. */
  readonly checksum: ContentId;
}

/** A version and, when it has been published, its publication. */
export interface VersionSummary {
  readonly id: ContentId;
  readonly name: string;
  readonly createdAt: string;
  readonly author: string;
  readonly publication?: Publication;
}

/** A published version: the next number in its workflow's gapless sequence. */
export interface Publication {
  readonly workflow: string;
  /** 1, 2, 3… per workflow, gapless. */
  readonly seq: number;
  readonly version: ContentId;
  readonly message: string;
  readonly at: string;
  readonly author: string;
  readonly git: GitInfo | null;
  /** The control-log entry that records it. */
  readonly entry: number;
}

/** What `publish` needs besides the version itself. */
export interface PublishRequest {
  readonly version: VersionDraft;
  readonly message: string;
  readonly at: string;
  readonly author: string;
  readonly git: GitInfo | null;
}

/** Fields every control-log entry has. */
interface EntryBase {
  /** 1, 2, 3… gapless over the whole log. */
  readonly index: number;
  /** The previous entry's hash; null for the first entry. */
  readonly prev: ContentId | null;
  readonly at: string;
  readonly actor: string;
  /** `sha256:` of the entry's canonical JSON without this field. */
  readonly hash: ContentId;
}

/**
 * A publication in the control log. It embeds the version record, so the audit trail alone
 * answers "what logic was this", and one synced append publishes durably.
 */
export interface PublishEntry extends EntryBase {
  readonly type: 'publish';
  readonly workflow: string;
  readonly seq: number;
  readonly version: ContentId;
  readonly message: string;
  readonly git: GitInfo | null;
  readonly record: VersionRecord;
}

/** A change of a channel in the control log (see channel-records.ts). */
export interface ChannelEntry extends EntryBase, ChannelChange {
  readonly type: 'channel';
}

/** An entry of the hash-chained control log: a publication or a channel change. */
export type ControlEntry = PublishEntry | ChannelEntry;

/**
 * An entry without the version record a publication embeds: what a reader keeps in memory for
 * every entry (the records stay on disk, read when asked for), so a large log stays small in memory.
 */
export type ControlEntryHead = ControlEntry extends infer E
  ? E extends unknown
    ? Omit<E, 'record'>
    : never
  : never;

/** The entry's head: everything but an embedded version record. */
export function entryHead(entry: ControlEntry): ControlEntryHead {
  if (entry.type !== 'publish') return entry;
  const { record: _record, ...head } = entry;
  return head;
}

/** A control-log entry before its position in the chain is known. */
export type ControlEntryBody =
  | (Omit<PublishEntry, keyof EntryBase> & Pick<EntryBase, 'at' | 'actor'>)
  | (Omit<ChannelEntry, keyof EntryBase> & Pick<EntryBase, 'at' | 'actor'>);

/** Builds the immutable record for a draft: computes its id and checksum. */
export function makeVersionRecord(draft: VersionDraft): VersionRecord {
  const base = {
    kind: 'lockstep.version' as const,
    id: contentId(draft.definition),
    name: draft.definition.name,
    definition: draft.definition,
    source: draft.source,
    ...(draft.sourcePath === undefined ? {} : { sourcePath: draft.sourcePath }),
    createdAt: draft.createdAt,
    author: draft.author,
    git: draft.git,
  };
  return { ...base, checksum: contentId(base) };
}

/**
 * Why a stored record is not what it claims to be, or undefined when it is intact: the id must
 * be the hash of the definition, the name the definition's, and the checksum the record's.
 */
export function versionRecordProblem(record: unknown, expectedId?: ContentId): string | undefined {
  if (record === null || typeof record !== 'object') return 'not a version record';
  const r = record as Partial<VersionRecord>;
  if (r.kind !== 'lockstep.version' || typeof r.definition !== 'object' || r.definition === null) {
    return 'not a version record';
  }
  const { checksum, ...rest } = r;
  let actualId: ContentId;
  let actualChecksum: ContentId;
  try {
    actualId = contentId(r.definition);
    actualChecksum = contentId(rest);
  } catch {
    return 'the record is not valid JSON data';
  }
  if (expectedId !== undefined && r.id !== expectedId) return `it holds ${r.id}, not ${expectedId}`;
  if (r.id !== actualId) return `the definition hashes to ${actualId}, not to its id ${r.id}`;
  if (r.name !== r.definition.name) return `its name '${r.name}' is not the definition's`;
  if (checksum !== actualChecksum)
    return 'its checksum does not match its content (edited by hand?)';
  return undefined;
}

/** Completes an entry body with its chain position and hash. */
export function sealEntry<B extends ControlEntryBody>(
  body: B,
  index: number,
  prev: ContentId | null,
): Extract<ControlEntry, { type: B['type'] }> {
  const unsealed = { index, prev, ...body };
  return { ...unsealed, hash: sha256(canonicalJson(unsealed)) } as unknown as Extract<
    ControlEntry,
    { type: B['type'] }
  >;
}

/** Why an entry's hash does not match its content, or undefined when it does. */
export function entryHashProblem(entry: ControlEntry): string | undefined {
  const { hash, ...unsealed } = entry;
  let actual: ContentId;
  try {
    actual = contentId(unsealed);
  } catch {
    return 'the entry is not valid JSON data';
  }
  return actual === hash ? undefined : `its content hashes to ${actual}, not to its recorded hash`;
}

/** The publication an entry records. */
export function publicationOf(entry: Omit<PublishEntry, 'record'>): Publication {
  return {
    workflow: entry.workflow,
    seq: entry.seq,
    version: entry.version,
    message: entry.message,
    at: entry.at,
    author: entry.actor,
    git: entry.git,
    entry: entry.index,
  };
}

/** A version record's summary, with its publication when it has one. */
export function summarize(record: VersionRecord, publication?: Publication): VersionSummary {
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt,
    author: record.author,
    ...(publication ? { publication } : {}),
  };
}

/**
 * Why an entry is not what it claims, or undefined: its hash, and for a publication the hashes of
 * the version record it embeds.
 */
export function controlEntryProblem(entry: ControlEntry): string | undefined {
  return (
    entryHashProblem(entry) ??
    (entry.type === 'publish' ? versionRecordProblem(entry.record, entry.version) : undefined)
  );
}
