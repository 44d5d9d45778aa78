/**
 * Per-file validation results, keyed by the exact text and the settings (env allow-list, secret
 * names) they were computed with, and by the content of the prompt and schema files the workflow
 * references (read again on each lookup: they are small, and a changed one must re-validate). A
 * keystroke re-validates only the edited file; every other file's result (and its summary for the
 * workspace checks) comes from here.
 */
import path from 'node:path';
import type { FileRead } from '../../../core/src/model/file-refs.js';
import {
  referencedFileReader,
  referencedPath,
} from '../../../core/src/node/workspace/referenced-files.js';
import type { ValidationSettings } from '../../../core/src/validate/config-settings.js';
import {
  validateWorkflowText,
  type ValidatedWorkflow,
} from '../../../core/src/validate/validate-workflow.js';

/** One referenced file as a validation read it. */
interface Read {
  readonly ref: string;
  /** Where it points (undefined: outside the workspace). */
  readonly file: string | undefined;
  readonly seen: string;
}

interface Entry {
  readonly text: string;
  readonly settings: string;
  readonly root: string | undefined;
  readonly reads: readonly Read[];
  readonly validated: ValidatedWorkflow;
}

/** One validation per file key: the latest text's. */
export class ValidationCache {
  private readonly entries = new Map<string, Entry>();

  /** @param onValidate observes every real (uncached) validation, by file key. */
  constructor(private readonly onValidate?: (key: string) => void) {}

  /**
   * The file's validation for this text, computed only when the text, the settings or a referenced
   * file changed. `root` is the workspace root (absolute) that references are read in; without it
   * (or for a key that is not a path) references are not read.
   */
  validate(
    key: string,
    text: string,
    settings: ValidationSettings,
    root?: string,
  ): ValidatedWorkflow {
    const known = this.entries.get(key);
    if (known && current(key, known, text, settings, root)) return known.validated;
    this.onValidate?.(key);
    const reads: Read[] = [];
    const reader = readerFor(key, root);
    const validated = validateWorkflowText(text, {
      ...settings,
      ...(reader
        ? {
            readReference: (ref: string) => {
              const result = reader(ref);
              reads.push({ ref, file: referencedPath(root!, key, ref), seen: signature(result) });
              return result;
            },
          }
        : {}),
    });
    this.entries.set(key, { text, settings: keyOf(settings), root, reads, validated });
    return validated;
  }

  /** Whether `validate` would answer from the cache. */
  has(key: string, text: string, settings: ValidationSettings, root?: string): boolean {
    const known = this.entries.get(key);
    return !!known && current(key, known, text, settings, root);
  }

  /** Whether a cached workflow references `file` (an absolute path). */
  references(file: string): boolean {
    for (const entry of this.entries.values()) {
      if (entry.reads.some((read) => read.file === file)) return true;
    }
    return false;
  }

  /** Drops a file's result (deleted files). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}

/** Whether an entry answers for this text, settings and root, and its referenced files are unchanged. */
function current(
  key: string,
  entry: Entry,
  text: string,
  settings: ValidationSettings,
  root: string | undefined,
): boolean {
  if (entry.text !== text || entry.settings !== keyOf(settings) || entry.root !== root) {
    return false;
  }
  if (entry.reads.length === 0) return true;
  const reader = readerFor(key, root);
  return !!reader && entry.reads.every((read) => signature(reader(read.ref)) === read.seen);
}

function readerFor(key: string, root: string | undefined): ((ref: string) => FileRead) | undefined {
  if (root === undefined || !path.isAbsolute(key) || !path.isAbsolute(root)) return undefined;
  const read = referencedFileReader(root);
  return (ref) => read(key, ref);
}

function signature(result: FileRead): string {
  return result.ok ? `ok:${result.text}` : `${result.code}:${result.message}`;
}

function keyOf(settings: ValidationSettings): string {
  return `${settings.envAllowList.join(',')}|${settings.secretNames.join(',')}`;
}
