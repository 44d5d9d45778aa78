/**
 * The `lockstep` executable: run the CLI and exit with its code. Whatever goes wrong outside a
 * command (a closed output stream, an error nothing caught) ends in one line and exit 70, never a
 * stack trace unless LOCKSTEP_DEBUG is set.
 */
import { EXIT } from './exit-codes.js';
import { runCli } from './main.js';

/** Ends the process after an error no command handled. */
function fail(what: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const detail =
    process.env['LOCKSTEP_DEBUG'] && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  try {
    process.stderr.write(`lockstep: ${what}: ${message}${detail}\n`);
  } catch {
    // standard error is gone too: the exit code is all that is left to say it
  }
  process.exit(EXIT.internal);
}

// Output piped into `head` (or any reader that stops early) closes the pipe: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    fail('cannot write the output', error);
  });
}
process.on('uncaughtException', (error) =>
  fail('internal error (set LOCKSTEP_DEBUG=1 for details, and please report it)', error),
);
process.on('unhandledRejection', (error) =>
  fail('internal error (set LOCKSTEP_DEBUG=1 for details, and please report it)', error),
);

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
