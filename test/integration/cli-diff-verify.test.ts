/** `lockstep diff` and `lockstep verify` as real processes. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  assertExit,
  assertOneLineError,
  controlLogLines,
  GREET,
  GREET_V2,
  gitRepo,
  lines,
  lockstep,
  parseJson,
  snapshotIds,
  writeFiles,
} from '../helpers/cli-workspace.js';

/** GREET with `hello` edited, `shout` removed, `x` added and the output changed. */
const GREET_EDITED = `# Greets someone, loudly.
name: greet
description: Say hello.
inputs:
  who:
    type: string
    description: Who to greet.
steps:
  - id: hello
    transform: \${{ "Hey, " & inputs.who }}
  - id: x
    transform: \${{ 1 }}
outputs:
  text: \${{ steps.hello.output }}
`;

interface DiffJson {
  identical: boolean;
  a: { label: string; id: string; seq: number | null };
  b: { label: string; id: string; seq: number | null };
  changes: { path: string; change: string }[];
  unified: string;
}

interface VerifyJson {
  store: string;
  ok: boolean;
  checked: { versions: number; entries: number; blobs: number };
  problems: { severity: string; where: string; line?: number; message: string }[];
}

describe('cli diff and verify', { concurrency: true }, () => {
  test('diff: lists changed, added and removed steps and a unified diff; exit 1', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']), 0);
    writeFiles(dir, { 'greet.workflow.yaml': GREET_EDITED });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'second']), 0);
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2 });

    const [published, json, againstFile] = await Promise.all([
      lockstep(dir, ['diff', 'greet@1', 'greet@2']),
      lockstep(dir, ['diff', '--json', 'greet@v1', 'greet@2']),
      lockstep(dir, ['diff', 'greet@1', 'greet.workflow.yaml']),
    ]);

    assertExit(published, 1);
    assert.equal(published.stderr, '');
    const out = lines(published.stdout);
    assert.deepEqual(out.slice(0, 6), [
      'greet v1 → greet v2',
      '  ~ outputs.text changed',
      '  ~ steps.hello changed',
      '  - steps.shout removed',
      '  + steps.x added',
      '',
    ]);
    assert.deepEqual(out.slice(6, 8), ['--- greet v1', '+++ greet v2']);
    assert.ok(out.includes('-    transform: ${{ "Hello, " & inputs.who }}'), published.stdout);
    assert.ok(out.includes('+    transform: ${{ "Hey, " & inputs.who }}'), published.stdout);
    assert.ok(out.includes('-  - id: shout'), published.stdout);
    assert.ok(out.includes('+  - id: x'), published.stdout);
    assert.ok(out.includes('   - id: hello'), 'unchanged context lines are kept');

    assertExit(json, 1);
    const diff = parseJson<DiffJson>(json);
    assert.equal(diff.identical, false);
    assert.deepEqual(
      [diff.a.label, diff.a.seq, diff.b.label, diff.b.seq],
      ['greet v1', 1, 'greet v2', 2],
    );
    assert.deepEqual(diff.changes.map((c) => `${c.change} ${c.path}`).sort(), [
      'added steps.x',
      'changed outputs.text',
      'changed steps.hello',
      'removed steps.shout',
    ]);
    assert.match(diff.unified, /^--- greet v1\n\+\+\+ greet v2\n/);

    // A working file against a published version: the file's current content.
    assertExit(againstFile, 1);
    const fileOut = lines(againstFile.stdout);
    assert.deepEqual(fileOut.slice(0, 3), [
      'greet v1 → greet.workflow.yaml',
      '  ~ steps.hello changed',
      '',
    ]);
    assert.ok(fileOut.includes('+++ greet.workflow.yaml'), againstFile.stdout);
    assert.ok(fileOut.includes('+    transform: ${{ "Hi, " & inputs.who }}'), againstFile.stdout);
  });

  test('diff: refs to the same content exit 0 and say so', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    const v1 = await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']);
    assertExit(v1, 0);
    const id = /sha256:[0-9a-f]{64}/.exec(v1.stdout)![0];
    // Only a comment differs in the working file.
    writeFiles(dir, { 'greet.workflow.yaml': `${GREET}# trailing note\n` });

    const [byHash, byFile] = await Promise.all([
      lockstep(dir, ['diff', 'greet@1', `greet@${id.slice(0, 16)}`]),
      lockstep(dir, ['diff', 'greet.workflow.yaml', 'greet@v1']),
    ]);
    assertExit(byHash, 0);
    assert.equal(byHash.stdout, `greet v1 and greet v1 are the same version (${id})\n`);
    // The file is the same version as v1, but its text is compared as it is now, so the edited
    // comment shows.
    assertExit(byFile, 0);
    assert.equal(
      lines(byFile.stdout)[0],
      `greet.workflow.yaml and greet v1 are the same version (${id}); only formatting or comments differ:`,
    );
    assert.match(byFile.stdout, /\n\+# trailing note\n|\n-# trailing note\n/);
  });

  test('verify: a healthy store passes; hand-edited snapshots and log lines are named', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    const store = path.join(dir, '.lockstep');
    const snap = await lockstep(dir, ['snapshot', 'greet.workflow.yaml']);
    assertExit(snap, 0);
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']), 0);
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2 });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'second']), 0);
    writeFiles(dir, { 'greet.workflow.yaml': GREET_EDITED });
    assertExit(await lockstep(dir, ['snapshot', 'greet.workflow.yaml']), 0);

    const [healthy, healthyJson] = await Promise.all([
      lockstep(dir, ['verify']),
      lockstep(dir, ['verify', '--json']),
    ]);
    assertExit(healthy, 0);
    assert.match(
      healthy.stdout,
      /^Verified \.lockstep: \d+ versions, 2 control-log entries, 0 blobs, all intact\n$/,
    );
    assertExit(healthyJson, 0);
    const report = parseJson<VerifyJson>(healthyJson);
    assert.equal(report.ok, true);
    assert.equal(report.store, store);
    assert.equal(report.checked.entries, 2);
    assert.deepEqual(report.problems, []);

    // Hand-edit the unpublished snapshot: verify names the file; reading it is refused.
    const publishedLog = controlLogLines(store).join('\n');
    const ids = snapshotIds(store, 'greet');
    assert.equal(ids.length, 2, 'the snapshot of v1 and one unpublished snapshot');
    const unpublished = ids.find((id) => !publishedLog.includes(id));
    assert.ok(unpublished);
    const snapshotFile = path.join(
      store,
      'local',
      'versions',
      'greet',
      `${unpublished.slice(7)}.json`,
    );
    const original = readFileSync(snapshotFile, 'utf8');
    const edited = original.replaceAll('Hey, ', 'Yo, ');
    assert.notEqual(edited, original);
    writeFileSync(snapshotFile, edited);
    const relativeSnapshot = path.relative(dir, snapshotFile);
    const [tampered, read] = await Promise.all([
      lockstep(dir, ['verify']),
      lockstep(dir, ['show', `greet@${unpublished}`]),
    ]);
    assertExit(tampered, 1);
    const out = lines(tampered.stdout);
    assert.equal(out.length, 2, tampered.stdout);
    assert.ok(
      out[0]!.startsWith(`${relativeSnapshot}: error: the definition hashes to sha256:`),
      out[0],
    );
    assert.match(out[1]!, /^\.lockstep FAILED verification \(/);
    assert.match(
      assertOneLineError(read, 2),
      new RegExp(`^lockstep: ${escape(snapshotFile)}: .*restore the file from git or a backup`),
    );
    writeFileSync(snapshotFile, original);
    assertExit(await lockstep(dir, ['verify']), 0);

    // Hand-edit the second publication in the control log: verify names the file and line,
    // and publishing refuses to extend the broken chain.
    const log = path.join(store, 'control.jsonl');
    const logText = readFileSync(log, 'utf8');
    const [first, second] = controlLogLines(store);
    assert.ok(first && second);
    const editedSecond = second.replace('"message":"second"', '"message":"2nd"');
    assert.notEqual(editedSecond, second);
    writeFileSync(log, `${first}\n${editedSecond}\n`);
    const [broken, brokenJson, publish] = await Promise.all([
      lockstep(dir, ['verify']),
      lockstep(dir, ['verify', '--json']),
      lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'third']),
    ]);
    assertExit(broken, 1);
    assert.match(lines(broken.stdout)[0]!, /^\.lockstep[\\/]control\.jsonl:2: error: /);
    assertExit(brokenJson, 1);
    const problems = parseJson<VerifyJson>(brokenJson).problems;
    assert.deepEqual(
      problems.map((p) => [p.severity, p.where, p.line]),
      [['error', log, 2]],
    );
    assert.match(assertOneLineError(publish, 2), /control\.jsonl:2: .*Nothing was published/);
    assert.equal(controlLogLines(store).length, 2, 'nothing appended to a broken log');
    writeFileSync(log, logText);
    assertExit(await lockstep(dir, ['verify']), 0);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
