// A write the file system refuses (no permission, read-only, disk full) is reported as the
// user's to fix, in one line naming the cause and the file, exit 2: never as an internal error.
// Found by the reliability suite's disk part (test/reliability/disk.reliability.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportError } from '../../../../core/src/cli/error-report.js';
import { EXIT } from '../../../../core/src/cli/exit-codes.js';
import type { Output } from '../../../../core/src/cli/output.js';

function capture(): Output & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: (t) => lines.push(t),
    write: (t) => lines.push(t),
    err: (t) => lines.push(t),
  };
}

const fsError = (code: string, file?: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: failed${file ? `, open '${file}'` : ''}`), {
    code,
    ...(file ? { path: file } : {}),
  });

for (const [code, cause] of [
  ['EACCES', /permission denied \(EACCES\)/],
  ['EPERM', /permission denied \(EPERM\)/],
  ['EROFS', /read-only \(EROFS\)/],
  ['ENOSPC', /disk is full \(ENOSPC\)/],
  ['EDQUOT', /disk is full \(EDQUOT\)/],
] as const) {
  test(`${code} is an unwritable store, exit 2, one line naming the file`, () => {
    const output = capture();
    const exit = reportError(fsError(code, '/s/.lockstep/local/runs/x.jsonl'), output, {
      json: false,
      invalidFileExit: EXIT.problems,
    });
    assert.equal(exit, EXIT.usage);
    assert.equal(output.lines.length, 1);
    assert.match(
      output.lines[0]!,
      /^lockstep: cannot write \/s\/\.lockstep\/local\/runs\/x\.jsonl: /,
    );
    assert.match(output.lines[0]!, cause);
    assert.doesNotMatch(output.lines[0]!, /internal error/);
  });
}

test('with --json the code is unwritable', () => {
  const output = capture();
  reportError(fsError('ENOSPC'), output, { json: true, invalidFileExit: EXIT.problems });
  const doc = JSON.parse(output.lines.join('')) as { error: { code: string; message: string } };
  assert.equal(doc.error.code, 'unwritable');
  assert.match(doc.error.message, /^cannot write: the disk is full/);
});

test('any other unexpected error is still an internal error (a bug), exit 70', () => {
  const output = capture();
  const exit = reportError(new TypeError('x is undefined'), output, {
    json: false,
    invalidFileExit: EXIT.problems,
  });
  assert.equal(exit, EXIT.internal);
  assert.match(output.lines.join('\n'), /internal error/);
});
