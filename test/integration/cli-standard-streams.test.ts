// The command line writes straight to its descriptors (standard-streams.ts). A reader that goes
// away ends the process quietly with its exit code so far; a descriptor that is non-blocking and
// full (as Node leaves a pipe once its stream was touched) hands the rest to the stream, losing
// and reordering nothing. Real processes and real pipes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';

const STREAMS = pathToFileURL(path.join(REPO_ROOT, 'out/core/src/cli/standard-streams.js')).href;

/** Starts `node --input-type=module -e <script>` with standard output and error piped. */
function start(script: string) {
  return spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const LINES = 50_000; // about 1.3 MB: far more than a pipe holds

test('a reader that goes away ends the writer quietly, with the exit code it had so far', async () => {
  const child = start(`
    import { writeOut } from ${JSON.stringify(STREAMS)};
    process.exitCode = 3;
    for (let i = 0; i < ${LINES}; i++) writeOut('line ' + i + '\\n');
    process.exitCode = 4; // not reached: the pipe closed first
  `);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await once(child.stdout, 'data');
  // As `head -1` does. The parent's end is a socket: closed with output unread, the writer gets
  // ECONNRESET rather than EPIPE, depending on timing; either means the reader went away.
  child.stdout.destroy();
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 3);
  assert.equal(stderr, '', 'nothing said about the closed pipe');
});

test('a full non-blocking pipe: the rest goes through the stream, in order, none lost', async () => {
  const child = start(`
    import { writeErr, writeOut } from ${JSON.stringify(STREAMS)};
    // Creating the stream makes Node set the pipe non-blocking: a full pipe now answers EAGAIN.
    void process.stdout.writable;
    for (let i = 0; i < ${LINES}; i++) writeOut('line ' + i + '\\n');
    writeErr('done\\n');
  `);
  child.stdout.pause();
  await sleep(500); // the pipe fills while nothing reads it
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const [code] = (await once(child, 'exit')) as [number | null];
  if (!child.stdout.readableEnded) await once(child.stdout, 'end');
  assert.equal(stderr, 'done\n');
  assert.equal(code, 0);
  const lines = Buffer.concat(chunks).toString('utf8').split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, LINES);
  lines.forEach((line, i) => assert.equal(line, `line ${i}`));
});
