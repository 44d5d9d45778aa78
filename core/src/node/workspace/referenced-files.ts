/**
 * Reads the prompt and schema files workflows reference (model/file-refs.ts) for validation: a
 * path relative to the workflow file's folder, inside the workspace (after following symlinks),
 * not hidden, at most 1 MiB. Hidden files and folders (`.env`, `.git/`, `.lockstep/`, `.npmrc`)
 * are refused: a workflow from a stranger's pull request could otherwise embed a local secret into
 * a version and send it to a model of its choosing.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  MAX_REFERENCED_FILE_BYTES,
  type FileRead,
  type ReferencedFileReader,
} from '../../model/file-refs.js';

/** Where a reference points, without reading it: the absolute path (undefined when outside). */
export function referencedPath(
  root: string,
  workflowFile: string,
  ref: string,
): string | undefined {
  const absolute = path.resolve(path.dirname(workflowFile), ref);
  return isInside(root, absolute) ? absolute : undefined;
}

/** A reader for the workspace at `root` (absolute); workflow files are absolute paths. */
export function referencedFileReader(root: string): ReferencedFileReader {
  let realRoot: string | undefined;
  return (workflowFile: string, ref: string): FileRead => {
    const absolute = referencedPath(root, workflowFile, ref);
    if (absolute === undefined) return outside(ref);
    let real: string;
    try {
      realRoot ??= realpathSync(root);
      real = realpathSync(absolute);
    } catch {
      return { ok: false, code: 'file-not-found', message: `${ref}: no such file` };
    }
    if (!isInside(realRoot, real)) return outside(ref);
    if (isHidden(realRoot, real) || isHidden(root, absolute)) {
      return {
        ok: false,
        code: 'file-outside-workspace',
        message: `${ref}: a hidden file or folder (.env, .git, .lockstep…) cannot be referenced: such files often hold secrets; move the prompt to a visible folder`,
      };
    }
    try {
      const stat = statSync(real);
      if (!stat.isFile()) {
        return { ok: false, code: 'file-not-found', message: `${ref}: not a file` };
      }
      if (stat.size > MAX_REFERENCED_FILE_BYTES) {
        return {
          ok: false,
          code: 'file-too-large',
          message: `${ref}: ${stat.size} bytes; a referenced file may hold at most 1 MiB`,
        };
      }
      return { ok: true, text: readFileSync(real, 'utf8') };
    } catch (error) {
      return {
        ok: false,
        code: 'file-not-found',
        message: `${ref}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      };
    }
  };
}

function outside(ref: string): FileRead {
  return {
    ok: false,
    code: 'file-outside-workspace',
    message: `${ref}: outside the workspace; a referenced file must be inside it`,
  };
}

/** Whether any part of `file`'s path below `root` starts with a dot. */
function isHidden(root: string, file: string): boolean {
  return path
    .relative(root, file)
    .split(path.sep)
    .some((part) => part.startsWith('.') && part !== '..');
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
