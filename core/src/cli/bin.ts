/**
 * The `lockstep` executable: run the CLI and exit with its code. Whatever goes wrong outside a
 * command (an error nothing caught) ends in one line and exit 70, never a stack trace unless
 * LOCKSTEP_DEBUG is set; output that cannot be written is handled where it is written
 * (standard-streams.ts).
 */
import { runCli } from './main.js';
import { exitAfterFailure } from './standard-streams.js';

const internalError = (error: unknown): never =>
  exitAfterFailure(
    'internal error (set LOCKSTEP_DEBUG=1 for details, and please report it)',
    error,
  );
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
