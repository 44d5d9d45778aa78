/**
 * The one place where the CLI turns an error into what the user sees: one line on standard error
 * (or one JSON document with `--json`) and a documented exit code. Never a stack trace, unless
 * LOCKSTEP_DEBUG is set; an error that is not a LockstepError is a bug and says so.
 */
import { CommanderError } from 'commander';
import {
  InvalidDefinitionError,
  LockstepError,
  StoreError,
  type ErrorCode,
} from '../model/errors.js';
import { InputError } from '../model/inputs.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { formatDiagnostic, printJson, type Output } from './output.js';

export interface ReportOptions {
  /** Print one JSON document instead of text. */
  readonly json: boolean;
  /**
   * The exit code of an invalid workflow file: a finding (1) for commands that check files
   * (validate, snapshot, publish), an unusable argument (2) for commands that read versions.
   */
  readonly invalidFileExit: ExitCode;
  /** What the command line parser said was wrong, when it stopped the command. */
  readonly usageMessage?: string;
}

/** Prints `error` and returns the exit code the command ends with. */
export function reportError(error: unknown, output: Output, options: ReportOptions): ExitCode {
  if (error instanceof CommanderError) {
    // Help and --version end through here too, with exit code 0.
    if (error.exitCode === 0) return EXIT.ok;
    if (options.json) {
      const message = options.usageMessage ?? error.message.replace(/^error: /, '');
      printJson(output, { ok: false, error: { code: 'usage', message } });
    }
    return EXIT.usage;
  }
  if (error instanceof LockstepError) {
    const exit = exitCodeOf(error.code, options);
    if (options.json) printJson(output, { ok: false, error: errorJson(error) });
    else printText(error, output);
    return exit;
  }
  const unwritable = unwritableError(error);
  if (unwritable) return reportError(unwritable, output, options);
  const message = error instanceof Error ? error.message : String(error);
  if (process.env['LOCKSTEP_DEBUG'])
    output.err(error instanceof Error ? (error.stack ?? message) : message);
  if (options.json) printJson(output, { ok: false, error: { code: 'internal', message } });
  else
    output.err(
      `lockstep: internal error: ${message} (set LOCKSTEP_DEBUG=1 for details, and please report it)`,
    );
  return EXIT.internal;
}

/** The exit code of a deliberate error, by its code. */
function exitCodeOf(code: ErrorCode, options: ReportOptions): ExitCode {
  switch (code) {
    case 'invalid-definition':
      return options.invalidFileExit;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.usage;
  }
}

function errorJson(error: LockstepError): Record<string, unknown> {
  if (error instanceof InvalidDefinitionError)
    return { code: error.code, message: error.message, diagnostics: error.diagnostics };
  if (error instanceof InputError)
    return { code: error.code, message: inputMessage(error), problems: error.problems };
  return { code: error.code, message: error.message };
}

function printText(error: LockstepError, output: Output): void {
  if (error instanceof InvalidDefinitionError) {
    for (const d of error.diagnostics) output.err(formatDiagnostic(error.file, d));
    output.err(`lockstep: ${error.file} has errors (listed above); nothing was changed`);
  } else if (error instanceof InputError) {
    output.err(`lockstep: ${inputMessage(error)}`);
  } else {
    output.err(`lockstep: ${error.message}`);
  }
}

function inputMessage(error: InputError): string {
  return `${error.workflow}: the inputs do not fit: ${error.problems.join('; ')}`;
}

/**
 * A write the file system refused (no permission, a read-only file system, a full disk) is the
 * user's to fix, not a bug: said in one line naming the cause and the path when known. The
 * store's writes are atomic or append-only, so what was cut short is never taken for data.
 */
function unwritableError(error: unknown): StoreError | undefined {
  const { code, path: file } = (error ?? {}) as NodeJS.ErrnoException;
  const where = typeof file === 'string' ? ` ${file}` : '';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new StoreError(
        'unwritable',
        `cannot write${where}: permission denied (${code}); run as a user who may write the store, or point --store elsewhere`,
        { cause: error },
      );
    case 'EROFS':
      return new StoreError(
        'unwritable',
        `cannot write${where}: the file system is read-only (EROFS); point --store at a writable folder`,
        { cause: error },
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new StoreError(
        'unwritable',
        `cannot write${where}: the disk is full (${code}); free some space and run the command again (lockstep verify checks the store)`,
        { cause: error },
      );
    default:
      return undefined;
  }
}
