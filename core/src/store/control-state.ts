/**
 * What the control log says, folded into lookups: each workflow's publications, the chain's
 * head, and any break in the chain. Shared by every store backend so they agree exactly.
 */
import type { ContentId } from '../model/content-id.js';
import {
  publicationOf,
  sealEntry,
  type ControlEntry,
  type ControlEntryHead,
  type Publication,
  type PublishRequest,
  type VersionRecord,
} from './records.js';
import type { VerifyProblem } from './store.js';

/** A line of the log that is not a usable entry, or an entry that does not link to the chain. */
export interface ChainBreak {
  /** 1-based line (or entry position for backends without lines). */
  readonly line: number;
  readonly message: string;
}

export class ControlState {
  private readonly byWorkflow = new Map<string, Publication[]>();
  private readonly byVersion = new Map<ContentId, Publication>();
  private readonly breaks: ChainBreak[] = [];
  private headIndex = 0;
  private headHash: ContentId | null = null;
  private count = 0;

  /** The last entry's index (0 when empty). */
  get lastIndex(): number {
    return this.headIndex;
  }

  /** The last entry's hash (null when empty). */
  get lastHash(): ContentId | null {
    return this.headHash;
  }

  /** Entries applied so far. */
  get entryCount(): number {
    return this.count;
  }

  /** Problems that make the log unsafe to extend; empty for a healthy log. */
  get chainBreaks(): readonly ChainBreak[] {
    return this.breaks;
  }

  /**
   * Folds the next entry in (a full entry or just its head). Linkage (index and prev hash) is
   * checked here, cheaply; recomputing every hash is `verify`'s job.
   */
  apply(entry: ControlEntryHead, line: number): void {
    if (entry.index !== this.headIndex + 1) {
      this.breaks.push({
        line,
        message: `entry ${entry.index} follows entry ${this.headIndex}: entries are missing or repeated (were two logs merged?)`,
      });
    } else if (entry.prev !== this.headHash) {
      this.breaks.push({
        line,
        message: `entry ${entry.index} does not link to the entry before it (its prev is not that entry's hash)`,
      });
    }
    this.headIndex = entry.index;
    this.headHash = entry.hash;
    this.count++;
    if (entry.type === 'publish') {
      const publication = publicationOf(entry);
      const list = this.byWorkflow.get(entry.workflow) ?? [];
      const expected = (list.at(-1)?.seq ?? 0) + 1;
      if (entry.seq !== expected) {
        this.breaks.push({
          line,
          message: `${entry.workflow} v${entry.seq} follows v${expected - 1}: version numbers must be gapless (two branches published?)`,
        });
      }
      list.push(publication);
      this.byWorkflow.set(entry.workflow, list);
      if (!this.byVersion.has(entry.version)) this.byVersion.set(entry.version, publication);
    }
  }

  /** Records a line that could not be read as an entry. */
  addUnreadable(line: number, message: string): void {
    this.breaks.push({ line, message });
  }

  /**
   * The entry that would publish `record` next: the workflow's next `seq`, chained to the head.
   * The caller appends it, then folds it in with `apply`.
   */
  nextPublication(record: VersionRecord, request: PublishRequest): ControlEntry {
    return sealEntry(
      {
        type: 'publish',
        at: request.at,
        actor: request.author,
        workflow: record.name,
        seq: this.nextSeq(record.name),
        version: record.id,
        message: request.message,
        git: request.git,
        record,
      },
      this.headIndex + 1,
      this.headHash,
    );
  }

  /** The next `seq` for a workflow. */
  nextSeq(workflow: string): number {
    return (this.byWorkflow.get(workflow)?.at(-1)?.seq ?? 0) + 1;
  }

  /** The publication of a version, if it is published. */
  publicationOfVersion(id: ContentId): Publication | undefined {
    return this.byVersion.get(id);
  }

  /** A workflow's publications by ascending seq. */
  publications(workflow: string): Publication[] {
    return [...(this.byWorkflow.get(workflow) ?? [])];
  }

  /** Names of workflows with at least one publication. */
  workflows(): string[] {
    return [...this.byWorkflow.keys()];
  }

  /** Chain breaks as verify problems for the log at `where`. */
  problems(where: string): VerifyProblem[] {
    return this.breaks.map((b) => ({ severity: 'error', where, line: b.line, message: b.message }));
  }
}
