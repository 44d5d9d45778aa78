/** What every command needs: options, output, and ways to find the workspace, store and refs. */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { RefError } from '../model/errors.js';
import { sourceWithEmbeddedFiles } from '../versions/embedded-files.js';
import { Workspace } from '../node/workspace/workspace.js';
import type { Publication, VersionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { looksLikeFile, parseRef } from '../versions/refs.js';
import { resolveStoredRef, saveAndResolve } from '../versions/resolve.js';
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
  /** The YAML to show: a file's current text, else the text stored with the version. */
  readonly text: string;
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
    return {
      ...resolved,
      label,
      text: sourceWithEmbeddedFiles(resolved.record.source, resolved.record.definition),
    };
  } finally {
    await store.close();
  }
}

async function snapshotFileRef(context: CommandContext, file: string): Promise<LoadedVersion> {
  const workspace = await Workspace.forFile(file, context.global);
  const draft = await workspace.draft(file);
  const store = await workspace.openStore({ create: true });
  try {
    // The stored record keeps the text first seen with this content; a comment edited since
    // is still the same version, but the user wants to see the file as it is now.
    return {
      ...(await saveAndResolve(store, draft)),
      label: file,
      text: sourceWithEmbeddedFiles(draft.source, draft.definition),
    };
  } finally {
    await store.close();
  }
}

/** Opens the store of the workspace around the current folder (it must exist). */
export async function openCurrentStore(context: CommandContext): Promise<Store> {
  const workspace = await Workspace.locate(process.cwd(), context.global);
  return workspace.openStore();
}

/**
 * Checks that every ref naming a file names an existing one, before anything is snapshotted: a
 * command given two refs must not store the first when the second is a typo.
 * @throws RefError naming the missing file.
 */
export async function assertFileRefsExist(refs: readonly string[]): Promise<void> {
  for (const text of refs) {
    if (looksLikeFile(text) && !(await isFile(text))) {
      throw new RefError('unknown-file', `${text}: no such workflow file`);
    }
  }
}

async function isFile(text: string): Promise<boolean> {
  if (!looksLikeFile(text) && !text.includes(path.sep)) return false;
  return access(text).then(
    () => true,
    () => false,
  );
}
