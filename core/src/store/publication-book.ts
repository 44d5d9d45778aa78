/**
 * Each workflow's publications and the publication of each version: the part of the control
 * state that grows with every publish. It may rest on a `PublicationBase`, publications folded
 * earlier and saved (the file store's checkpoint), which it asks one workflow at a time, so that
 * opening a store with many thousands of versions decodes none of them until they are needed.
 */
import type { ContentId } from '../model/content-id.js';
import type { Publication } from './records.js';

/** Publications folded earlier, read on demand. */
export interface PublicationBase {
  /** Each workflow's last seq, in the order the workflows were first published. */
  readonly lastSeqs: ReadonlyMap<string, number>;
  /** A workflow's publications by ascending seq (read when first asked). */
  publications(workflow: string): readonly Publication[];
  /** The first publication of a version. */
  publicationOfVersion(id: ContentId): Publication | undefined;
}

export class PublicationBook {
  private readonly lastSeq: Map<string, number>;
  /** Publications folded in after the base, per workflow. */
  private readonly added = new Map<string, Publication[]>();
  private readonly addedByVersion = new Map<ContentId, Publication>();

  constructor(private readonly base?: PublicationBase) {
    this.lastSeq = new Map(base?.lastSeqs ?? []);
  }

  /** The workflow's last seq, 0 when it has none. */
  lastSeqOf(workflow: string): number {
    return this.lastSeq.get(workflow) ?? 0;
  }

  /** Adds the next publication (the caller checked its seq); a version keeps its first one. */
  add(publication: Publication): void {
    const list = this.added.get(publication.workflow) ?? [];
    list.push(publication);
    this.added.set(publication.workflow, list);
    this.lastSeq.set(publication.workflow, publication.seq);
    if (!this.ofVersion(publication.version)) {
      this.addedByVersion.set(publication.version, publication);
    }
  }

  /** A workflow's publications by ascending seq: a new array the caller may keep. */
  list(workflow: string): Publication[] {
    const saved = this.base?.lastSeqs.has(workflow) ? this.base.publications(workflow) : [];
    return [...saved, ...(this.added.get(workflow) ?? [])];
  }

  /** The first publication of a version. */
  ofVersion(id: ContentId): Publication | undefined {
    return this.addedByVersion.get(id) ?? this.base?.publicationOfVersion(id);
  }

  /** Names of workflows with at least one publication, in the order they were first published. */
  workflows(): string[] {
    return [...this.lastSeq.keys()];
  }
}
