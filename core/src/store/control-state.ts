/**
 * What the control log says, folded into lookups: each workflow's publications, the chain's
 * head, and any break in the chain. Shared by every store backend so they agree exactly.
 */
import type { ContentId } from '../model/content-id.js';
import { LockstepError, RefError } from '../model/errors.js';
import { checkChannelName, checkWorkflowName } from '../model/names.js';
import { ChannelBook, type SavedChannel } from './channel-book.js';
import { targetVersions, type ChannelChangeRequest, type ChannelState } from './channel-records.js';
import {
  publicationOf,
  sealEntry,
  type ControlEntry,
  type ControlEntryHead,
  type Publication,
  type PublishEntry,
  type PublishRequest,
  type VersionRecord,
} from './records.js';
import { PublicationBook, type PublicationBase } from './publication-book.js';
import type { VerifyProblem } from './store.js';

/** A line of the log that is not a usable entry, or an entry that does not link to the chain. */
export interface ChainBreak {
  /** 1-based line (or entry position for backends without lines). */
  readonly line: number;
  readonly message: string;
}

/**
 * A healthy state saved to be restored later (the file store's checkpoint): everything but the
 * publications, which are saved apart and read back on demand (see `PublicationBase`).
 */
export interface SavedControlState {
  readonly headIndex: number;
  readonly headHash: ContentId | null;
  readonly count: number;
  readonly channels: readonly SavedChannel[];
}

export class ControlState {
  private readonly book: PublicationBook;
  private readonly breaks: ChainBreak[] = [];
  private readonly channelBook: ChannelBook;
  private headIndex = 0;
  private headHash: ContentId | null = null;
  private count = 0;

  /** An empty state, or one restored from `save()`'s output and its saved publications. */
  constructor(saved?: { state: SavedControlState; publications: PublicationBase }) {
    this.book = new PublicationBook(saved?.publications);
    this.channelBook = new ChannelBook(saved?.state.channels);
    if (saved) {
      this.headIndex = saved.state.headIndex;
      this.headHash = saved.state.headHash;
      this.count = saved.state.count;
    }
  }

  /**
   * What to save to restore this state later, without its publications (every workflow's
   * `publications` are saved apart). Only a state without chain breaks can be saved.
   * @throws Error when the chain has breaks.
   */
  save(): SavedControlState {
    if (this.breaks.length > 0) throw new Error('a control state with chain breaks is not saved');
    return {
      headIndex: this.headIndex,
      headHash: this.headHash,
      count: this.count,
      channels: this.channelBook.save(),
    };
  }

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
      const expected = this.book.lastSeqOf(entry.workflow) + 1;
      if (entry.seq !== expected) {
        this.breaks.push({
          line,
          message: `${entry.workflow} v${entry.seq} follows v${expected - 1}: version numbers must be gapless (two branches published?)`,
        });
      }
      this.book.add(publicationOf(entry));
    } else {
      const problem = this.channelBook.apply(entry);
      if (problem) this.breaks.push({ line, message: problem });
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
  nextPublication(record: VersionRecord, request: PublishRequest): PublishEntry {
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

  /**
   * The entry that would record a channel change, chained to the head, after checking it: the
   * channel must still be at the revision the change was decided on (compare and swap: callers
   * hold the store's lock while they check and append), and it may point only at published
   * versions of its own workflow.
   * @throws LockstepError `conflict` naming the channel and both revisions; RefError
   *   `unknown-version` for a version that is not a publication of the workflow.
   */
  nextChannelChange(request: ChannelChangeRequest): ControlEntry {
    checkWorkflowName(request.workflow);
    checkChannelName(request.channel);
    const current = this.channelBook.get(request.workflow, request.channel);
    const revision = current?.revision ?? 0;
    if (revision !== request.expectedRevision) {
      throw revisionConflict(request.workflow, request.channel, current, request.expectedRevision);
    }
    for (const target of targetVersions(request.to)) {
      const publication = this.book.ofVersion(target.version);
      if (publication?.workflow !== request.workflow || publication.seq !== target.seq) {
        throw new RefError(
          'unknown-version',
          `${target.version} is not ${request.workflow} v${target.seq}: a channel points only at published versions of its workflow (\`lockstep publish\` first)`,
        );
      }
    }
    return sealEntry(
      {
        type: 'channel',
        at: request.at,
        actor: request.actor,
        workflow: request.workflow,
        channel: request.channel,
        action: request.action,
        revision: revision + 1,
        from: current?.targets ?? null,
        to: request.to,
        message: request.message,
        ...(request.rollsBack === undefined ? {} : { rollsBack: request.rollsBack }),
        ...(request.trigger === undefined ? {} : { trigger: request.trigger }),
        ...(request.gate === undefined ? {} : { gate: request.gate }),
        ...(request.deployment === undefined ? {} : { deployment: request.deployment }),
      },
      this.headIndex + 1,
      this.headHash,
    );
  }

  /** A channel of a workflow, or undefined when it was never set. */
  channel(workflow: string, channel: string): ChannelState | undefined {
    return this.channelBook.get(workflow, channel);
  }

  /** Every channel of a workflow, by name. */
  channels(workflow: string): ChannelState[] {
    return this.channelBook.list(workflow);
  }

  /** The next `seq` for a workflow. */
  nextSeq(workflow: string): number {
    return this.book.lastSeqOf(workflow) + 1;
  }

  /** The publication of a version, if it is published. */
  publicationOfVersion(id: ContentId): Publication | undefined {
    return this.book.ofVersion(id);
  }

  /** A workflow's publications by ascending seq. */
  publications(workflow: string): Publication[] {
    return this.book.list(workflow);
  }

  /** Names of workflows with at least one publication. */
  workflows(): string[] {
    return this.book.workflows();
  }

  /** Chain breaks as verify problems for the log at `where`. */
  problems(where: string): VerifyProblem[] {
    return this.breaks.map((b) => ({ severity: 'error', where, line: b.line, message: b.message }));
  }
}

/**
 * The `conflict` error of a change decided on revision `expected` of a channel now at `current`'s
 * revision: shared by the store's compare and swap and by callers that check `--if-revision`
 * before deciding anything (so a stale decision is told as a conflict, not as whatever the new
 * state makes of it).
 */
export function revisionConflict(
  workflow: string,
  channel: string,
  current: ChannelState | undefined,
  expected: number,
): LockstepError {
  const last = current?.history.at(-1);
  const by = last ? ` (${last.action} by ${last.actor} at ${last.at})` : '';
  return new LockstepError(
    'conflict',
    `channel '${channel}' of ${workflow} changed while this change was being made: it is at revision ${current?.revision ?? 0}${by}, not ${expected}. Nothing was changed; look at \`lockstep channels ${workflow}\` and try again`,
  );
}
