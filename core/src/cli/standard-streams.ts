/**
 * The command line's writes to standard output and standard error: straight to the descriptor
 * with `fs.writeSync`, not through `process.stdout` and `process.stderr`. Those stream objects
 * load Node's stream machinery (and for a terminal or a pipe its tty or net modules), several
 * milliseconds at the start of every command, most of which print a few lines; a synchronous
 * write also leaves nothing buffered when the process ends.
 *
 * Where a descriptor write cannot do, this and every later write to that descriptor goes through
 * the stream, so that the order holds: on Windows (a console wants the stream's Unicode writes),
 * and when the descriptor is non-blocking and full (EAGAIN, a parent's choice). A reader that went
 * away (EPIPE: `lockstep runs … | head`; ECONNRESET when the parent's end is a socket, as Node's
 * child processes have, closed with output unread) ends the process quietly with the exit code so
 * far; any other failure to write ends it with one line and exit 70.
 */
import { writeSync } from 'node:fs';
import { EXIT } from './exit-codes.js';

/** Standard output (1) or standard error (2). */
type Descriptor = 1 | 2;

const throughStream = new Set<Descriptor>(process.platform === 'win32' ? [1, 2] : []);
const guardedStreams = new Set<NodeJS.WriteStream>();

/** Writes `text` to standard output. */
export function writeOut(text: string): void {
  write(1, text);
}

/** Writes `text` to standard error. */
export function writeErr(text: string): void {
  write(2, text);
}

/**
 * Ends the process after an error nothing handled: `lockstep: <what>: <message>` on standard
 * error (with the stack when LOCKSTEP_DEBUG is set), exit 70.
 */
export function exitAfterFailure(what: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const detail =
    process.env['LOCKSTEP_DEBUG'] && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  try {
    writeSync(2, `lockstep: ${what}: ${message}${detail}\n`);
  } catch {
    // standard error is gone too: the exit code is all that is left to say it
  }
  process.exit(EXIT.internal);
}

function write(descriptor: Descriptor, text: string): void {
  let rest: string | Buffer = text;
  if (!throughStream.has(descriptor)) {
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(descriptor, bytes, written);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (readerWentAway(code)) process.exit(process.exitCode ?? EXIT.ok);
      if (code !== 'EAGAIN') exitAfterFailure('cannot write the output', error);
      throughStream.add(descriptor);
      rest = bytes.subarray(written);
    }
  }
  guarded(descriptor === 1 ? process.stdout : process.stderr).write(rest);
}

/** The stream, with its errors handled as a descriptor write's are. */
function guarded(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!guardedStreams.has(stream)) {
    guardedStreams.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (readerWentAway(error.code)) process.exit(process.exitCode ?? EXIT.ok);
      exitAfterFailure('cannot write the output', error);
    });
  }
  return stream;
}

/** Whether a write failed because nothing reads the output any more. */
function readerWentAway(code: string | undefined): boolean {
  return code === 'EPIPE' || code === 'ECONNRESET';
}
