/**
 * Named errors. Every message names the offending file, field, ref or version and says what to
 * do next, because these messages are what users see (the CLI prints them as one line).
 */

import type { Diagnostic } from './diagnostics.js';

/** Base class of every error Lockstep raises on purpose; anything else is a bug. */
export class LockstepError extends Error {
  /** Short, stable machine-readable kind, e.g. `unknown-version`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A version ref that does not parse, or does not resolve to a stored version. */
export class RefError extends LockstepError {}

/** A stored file (version record, control-log entry, blob) whose content does not match its hash. */
export class TamperedError extends LockstepError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      'tampered',
      `${file}: ${detail}. Stored data is never rewritten: restore the file from git or a backup, ` +
        'then run `lockstep verify`',
    );
  }
}

/** A store written by a newer Lockstep, or one whose format file is unreadable. */
export class StoreFormatError extends LockstepError {}

/** The store could not be opened or written (missing, locked, I/O failure). */
export class StoreError extends LockstepError {}

/** A workflow file or config file that failed validation; carries the diagnostics. */
export class InvalidDefinitionError extends LockstepError {
  constructor(
    readonly file: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    const first = diagnostics[0];
    const where = first ? `:${first.range.start.line}:${first.range.start.column}` : '';
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    super('invalid-definition', `${file}${where}: ${first?.message ?? 'invalid'}${more}`);
  }
}

/** A file that cannot be read (missing, a folder, no permission). */
export class FileError extends LockstepError {}

/** Bad command-line usage that commander did not catch (e.g. conflicting options). */
export class UsageError extends LockstepError {
  constructor(message: string) {
    super('usage', message);
  }
}
