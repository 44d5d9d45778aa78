// A long command's progress on standard error: nothing for quick work, at most one line per
// interval with the time left from the pace so far, and the last count once done.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressLine } from '../../../../core/src/cli/progress-line.js';
import type { Output } from '../../../../core/src/cli/output.js';

function recorder(): { output: Output; lines: string[] } {
  const lines: string[] = [];
  const output: Output = {
    out: () => assert.fail('progress goes to standard error'),
    write: () => assert.fail('progress goes to standard error'),
    err: (text) => lines.push(text),
  };
  return { output, lines };
}

test('quick work prints nothing, not even the last count', () => {
  const { output, lines } = recorder();
  let now = 0;
  const report = progressLine(output, 'migrate: runs', { now: () => now });
  for (let done = 100; done <= 1_000; done += 100) {
    now += 100;
    report({ done, total: 1_000 });
  }
  assert.deepEqual(lines, []);
});

test('long work prints at most one line per interval, with the time left, then the last count', () => {
  const { output, lines } = recorder();
  let now = 0;
  const report = progressLine(output, 'migrate: runs', { now: () => now, intervalMs: 2_000 });
  // 1,000 runs a second, reported every 500.
  for (let done = 500; done <= 100_000; done += 500) {
    now += 500;
    report({ done, total: 100_000 });
  }
  assert.equal(lines[0], 'lockstep: migrate: runs: 2,000 of 100,000 (about 98 s left)');
  assert.equal(lines.at(-2), 'lockstep: migrate: runs: 98,000 of 100,000 (about 2 s left)');
  assert.equal(lines.at(-1), 'lockstep: migrate: runs: 100,000 of 100,000, done');
  // 100 s of work, one line per 2 s, and the last.
  assert.equal(lines.length, 50);
  assert.ok(lines.includes('lockstep: migrate: runs: 50,000 of 100,000 (about 50 s left)'));
});

test('minutes are shown past two minutes left', () => {
  const { output, lines } = recorder();
  let now = 0;
  const report = progressLine(output, 'copy', { now: () => now });
  now = 3_000;
  report({ done: 1_000, total: 100_000 }); // 3 ms a run: 297 s left
  assert.deepEqual(lines, ['lockstep: copy: 1,000 of 100,000 (about 5 min left)']);
});
