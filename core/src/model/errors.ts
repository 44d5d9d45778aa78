/**
 * Named errors. Every message names the offending file, field, ref or version and says what to
 * do next, because these messages are what users see (the CLI prints them as one line).
 */

import type { Diagnostic } from './diagnostics.js';

/**
 * Every error code Lockstep raises on purpose. Codes are stable: the CLI's `--json` output, the
 * editor and scripts match on them, and runs record the codes of their failed steps, so rename one
 * only with a migration note (docs/cli.md lists them).
 */
export const ERROR_CODES = {
  /** Could not do what was asked: the CLI exits 2. */
  operation: [
    'usage',
    'invalid-definition',
    'invalid-input',
    'unreadable-file',
    'unknown-file',
    'bad-ref',
    'bad-name',
    'secret-missing',
    'unknown-workflow',
    'unknown-version',
    'ambiguous-version',
    'unknown-channel',
    'unknown-run',
    'ambiguous-run',
    'bad-run-id',
    'running-run',
    'starting-run',
    'duplicate-run',
    'closed-run',
    'run-abandoned',
    'no-store',
    'store-unreachable',
    'store-login',
    'untrusted-store',
    'locked',
    'lock-lost',
    'newer-format',
    'bad-format-file',
    'broken-control-log',
    'tampered',
    'index-unavailable',
    'bad-baseline',
    'conflict',
    'invalid-change',
    'retired-version',
    'gate-required',
    'bad-bundle',
    'unwritable',
  ],
  /** Why a step (and so its run) failed: recorded in the run. */
  run: [
    'expression',
    'timeout',
    'cancelled',
    'foreach',
    'step-attempts',
    'http-url',
    'http-status',
    'connection',
    'auth',
    'not-found',
    'rate-limited',
    'server-error',
    'malformed-response',
    'empty-response',
    'model-response',
    'invalid-json',
    'schema',
    'unknown-model',
    'shell-not-allowed',
    'secret-use',
    'secret-not-listed',
    'secret-host',
    'shell-cwd',
    'exit-code',
    'child-input',
    'child-version',
    'child-run',
    'no-fixture',
    'no-recording',
    'divergence',
    'max-turns',
    'internal',
  ],
} as const;

/** A stable error code (see ERROR_CODES). */
export type ErrorCode = (typeof ERROR_CODES.operation)[number] | (typeof ERROR_CODES.run)[number];

/** Base class of every error Lockstep raises on purpose; anything else is a bug. */
export class LockstepError extends Error {
  /** Short, stable machine-readable kind, e.g. `unknown-version`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
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
