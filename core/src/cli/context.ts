/** What every command needs: options, output, and ways to find the workspace, store and refs. */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { RefError } from '../errors.js';
import { Workspace } from '../node/workspace.js';
import type { Publication, VersionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { looksLikeFile, parseRef } from '../versions/refs.js';
import { resolveStoredRef } from '../versions/resolve.js';
import type { Output } from './output.js';

export interface GlobalOptions {
  readonly store?: string;
}

export interface CommandContext {
  readonly output: Output;
  readonly global: GlobalOptions;
}

/** A resolved ref, with what opened it (the caller closes the store). */
export interface LoadedVersion {
  readonly record: VersionRecord;
  readonly publication?: Publication;
  /** How to name it in output: `support-triage v3`, `support-triage sha256:1a2b…`, a file. */
  readonly label: string;
}

/**
 * Resolves a ref to a stored version. A workflow file is snapshotted first (so what is shown is
 * stored); a `name@…` ref is looked up in the store of the workspace around the current folder.
 */
export async function loadRef(context: CommandContext, text: string): Promise<LoadedVersion> {
  if (await isFile(text)) return snapshotFileRef(context, text);
  const ref = parseRef(text);
  if (ref.kind === 'file') {
    throw new RefError('unknown-file', `${text}: no such workflow file`);
  }
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore();
  try {
    const resolved = await resolveStoredRef(store, ref);
    const label = resolved.publication
      ? `${ref.name} v${resolved.publication.seq}`
      : `${ref.name} ${resolved.record.id.slice(0, 19)}`;
    return { ...resolved, label };
  } finally {
    await store.close();
  }
}

async function snapshotFileRef(context: CommandContext, file: string): Promise<LoadedVersion> {
  const workspace = await Workspace.forFile(file, context.global);
  const draft = await workspace.draft(file);
  const store = await workspace.openStore({ create: true });
  try {
    const { version } = await store.saveVersion(draft);
    const publication = (await store.listPublications(version.name)).find(
      (p) => p.version === version.id,
    );
    return publication
      ? { record: version, publication, label: file }
      : { record: version, label: file };
  } finally {
    await store.close();
  }
}

/** Opens the store of the workspace around the current folder (it must exist). */
export async function openCurrentStore(context: CommandContext): Promise<Store> {
  const workspace = await Workspace.locate(process.cwd(), context.global);
  return workspace.openStore();
}

async function isFile(text: string): Promise<boolean> {
  if (!looksLikeFile(text) && !text.includes(path.sep)) return false;
  return access(text).then(
    () => true,
    () => false,
  );
}
