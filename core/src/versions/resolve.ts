/** Resolves stored-version refs against a store. */
import { RefError } from '../model/errors.js';
import { shortId } from '../model/content-id.js';
import type { Publication, VersionDraft, VersionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { formatRef, type VersionRef } from './refs.js';

/** A stored version, with its publication when it has one: what runs, replays and views use. */
export interface ResolvedVersion {
  readonly record: VersionRecord;
  /** Set when the version is published. */
  readonly publication?: Publication;
}

/** `record` with its publication, looked up now (a snapshot may have been published since). */
export async function withPublication(
  store: Store,
  record: VersionRecord,
): Promise<ResolvedVersion> {
  const publication = (await store.listPublications(record.name)).find(
    (p) => p.version === record.id,
  );
  return publication ? { record, publication } : { record };
}

/**
 * Stores a workflow file's content as a version (a new one only when the content is new) and
 * returns it with its publication when that content was published.
 */
export async function saveAndResolve(store: Store, draft: VersionDraft): Promise<ResolvedVersion> {
  const { version } = await store.saveVersion(draft);
  return withPublication(store, version);
}

/**
 * The version a `seq`, `hash` or `channel` ref names.
 * @throws RefError naming the ref and what exists instead.
 */
export async function resolveStoredRef(
  store: Store,
  ref: Exclude<VersionRef, { kind: 'file' }>,
): Promise<ResolvedVersion> {
  const text = formatRef(ref);
  const publications = await store.listPublications(ref.name);
  switch (ref.kind) {
    case 'seq': {
      const publication = publications.find((p) => p.seq === ref.seq);
      if (!publication) {
        await assertKnownWorkflow(store, ref.name);
        const range =
          publications.length === 0
            ? 'nothing is published yet (`lockstep publish <file> -m <message>`)'
            : publications.length === 1
              ? 'published: v1'
              : `published: v1–v${publications.at(-1)!.seq}`;
        throw new RefError('unknown-version', `${text}: ${ref.name} has no v${ref.seq}; ${range}`);
      }
      return { record: await mustGet(store, ref.name, publication, text), publication };
    }
    case 'hash': {
      const matches = await store.findVersions(ref.name, ref.prefix);
      if (matches.length === 0) {
        await assertKnownWorkflow(store, ref.name);
        throw new RefError(
          'unknown-version',
          `${text}: no stored version of ${ref.name} has an id starting with ${ref.prefix} (\`lockstep versions ${ref.name}\` lists them)`,
        );
      }
      if (matches.length > 1) {
        const ids = matches.map((m) => shortId(m.id)).join(', ');
        throw new RefError(
          'ambiguous-version',
          `${text} matches ${matches.length} versions (${ids}); give more hex digits`,
        );
      }
      const match = matches[0]!;
      const record = await store.getVersion(ref.name, match.id);
      if (!record)
        throw new RefError('unknown-version', `${text}: ${match.id} disappeared while reading`);
      return match.publication ? { record, publication: match.publication } : { record };
    }
    case 'channel':
      await assertKnownWorkflow(store, ref.name);
      throw new RefError(
        'unknown-channel',
        `${text}: ${ref.name} has no channel '${ref.channel}' (no channel has been set for it)`,
      );
  }
}

async function mustGet(
  store: Store,
  name: string,
  publication: Publication,
  text: string,
): Promise<VersionRecord> {
  const record = await store.getVersion(name, publication.version);
  if (!record)
    throw new RefError(
      'unknown-version',
      `${text}: the record of ${publication.version} is missing from the store`,
    );
  return record;
}

async function assertKnownWorkflow(store: Store, name: string): Promise<void> {
  const names = await store.listWorkflows();
  if (!names.includes(name)) {
    const known = names.length === 0 ? 'the store is empty' : `known: ${names.join(', ')}`;
    throw new RefError(
      'unknown-workflow',
      `no workflow named '${name}' in the store at ${store.info.location} (${known})`,
    );
  }
}
