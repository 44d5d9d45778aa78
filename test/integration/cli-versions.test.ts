/** `lockstep snapshot`, `publish`, `versions` and `show` as real processes, in real git repositories. */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  assertExit,
  assertNoStackTrace,
  assertOneLineError,
  AUTHOR,
  commitAll,
  controlLogLines,
  exists,
  git,
  GREET,
  GREET_V2,
  gitRepo,
  lines,
  lockstep,
  parseJson,
  readText,
  snapshotIds,
  treeOf,
  writeFiles,
} from '../helpers/cli-workspace.js';
import { tempDir } from '../helpers/temp.js';

const ID = /sha256:[0-9a-f]{64}/;

/** GREET with other comments, quoting and spacing: the same definition, so the same version. */
const GREET_REFORMATTED = `name: "greet"   # renamed? no: only quoted
description: 'Say hello.'


inputs:
    who:   { type: string, description: Who to greet. }
steps:
    - id: hello
      transform: \${{ "Hello, " & inputs.who }}
    # a comment between steps
    - { id: shout, transform: "\${{ $uppercase(steps.hello.output) }}" }
outputs: { text: "\${{ steps.shout.output }}" }
`;

/** Three errors, on lines 6, 7 and 9. */
const INVALID = `name: greet
inputs:
  who: { type: string }
steps:
  - id: hello
    transform: \${{ inputs.nobody }}
  - id: hello
    llm:
      model: missing
      prompt: \${{ inputs.who }}
`;

interface VersionJson {
  id: string;
  name: string;
  author: string;
  createdAt: string;
  git: { commit: string; dirty: boolean } | null;
  source?: string;
  definition?: { name: string };
}

interface PublicationJson {
  workflow: string;
  seq: number;
  version: string;
  message: string;
  author: string;
  at: string;
  git: { commit: string; dirty: boolean } | null;
}

function idOf(stdout: string): string {
  const match = ID.exec(stdout);
  assert.ok(match, `no sha256 id in: ${stdout}`);
  return match[0];
}

describe('cli snapshot, publish, versions and show', { concurrency: true }, () => {
  test('snapshot: creates the store, prints the id, and the same definition is never stored twice', async (t) => {
    const dir = gitRepo(t, { 'flows/greet.workflow.yaml': GREET });
    const head = git(dir, 'rev-parse', 'HEAD');
    const store = path.join(dir, '.lockstep');
    assert.equal(exists(store), false);

    const first = await lockstep(dir, ['snapshot', 'flows/greet.workflow.yaml']);
    assertExit(first, 0);
    assert.equal(first.stderr, '');
    assert.match(first.stdout, /^Snapshot sha256:[0-9a-f]{64} of greet\n$/);
    const id = idOf(first.stdout);

    assert.deepEqual(JSON.parse(readText(store, 'store.json')), { lockstep: 'store', format: 1 });
    assert.ok(lines(readText(store, '.gitignore')).includes('local/'));
    assert.deepEqual(snapshotIds(store, 'greet'), [id]);
    // What git sees: the shared store files, never the local ones.
    const untracked = lines(git(dir, 'status', '--porcelain', '--untracked-files=all'));
    assert.deepEqual(untracked.sort(), ['?? .lockstep/.gitignore', '?? .lockstep/store.json']);

    const again = await lockstep(dir, ['snapshot', 'flows/greet.workflow.yaml']);
    assertExit(again, 0);
    assert.match(again.stdout, /^Unchanged: greet sha256:[0-9a-f]{64} \(stored .* by /);
    assert.ok(again.stdout.includes(`${id} (stored `), again.stdout);
    assert.ok(again.stdout.includes(`by ${AUTHOR})`), again.stdout);

    // Comments, quoting, flow style and indentation are not part of the version.
    writeFiles(dir, { 'flows/greet.workflow.yaml': GREET_REFORMATTED });
    const reformatted = await lockstep(dir, ['snapshot', '--json', 'flows/greet.workflow.yaml']);
    assertExit(reformatted, 0);
    const summary = parseJson<{
      ok: boolean;
      created: boolean;
      version: VersionJson;
      store: string;
    }>(reformatted);
    assert.equal(summary.ok, true);
    assert.equal(summary.created, false);
    assert.equal(summary.version.id, id);
    assert.equal(summary.version.name, 'greet');
    assert.equal(summary.version.author, AUTHOR);
    assert.deepEqual(summary.version.git, { commit: head, dirty: false });
    assert.equal(summary.version.source, undefined, 'the summary leaves the text out');
    assert.equal(summary.store, store);
    assert.deepEqual(snapshotIds(store, 'greet'), [id]);

    writeFiles(dir, { 'flows/greet.workflow.yaml': GREET_V2 });
    const changed = await lockstep(dir, ['snapshot', '--json', 'flows/greet.workflow.yaml']);
    assertExit(changed, 0);
    const second = parseJson<{ created: boolean; version: VersionJson }>(changed);
    assert.equal(second.created, true);
    assert.notEqual(second.version.id, id);
    assert.deepEqual(second.version.git, { commit: head, dirty: true });
    assert.deepEqual(snapshotIds(store, 'greet'), [id, second.version.id].sort());
  });

  test('snapshot: an invalid file prints its diagnostics and stores nothing', async (t) => {
    const fresh = gitRepo(t, { 'greet.workflow.yaml': INVALID });
    const refused = await lockstep(fresh, ['snapshot', 'greet.workflow.yaml']);
    assertExit(refused, 1);
    assertNoStackTrace(refused);
    assert.equal(refused.stdout, '');
    const err = lines(refused.stderr);
    assert.deepEqual(
      err
        .slice(0, -1)
        .map((line) => /^greet\.workflow\.yaml:(\d+):\d+: error ([a-z-]+): /.exec(line)?.slice(1)),
      [
        ['6', 'unknown-input'],
        ['7', 'duplicate-step-id'],
        ['9', 'unknown-model'],
      ],
    );
    assert.equal(
      err.at(-1),
      'lockstep: greet.workflow.yaml has errors (listed above); nothing was changed',
    );
    assert.equal(exists(path.join(fresh, '.lockstep')), false, 'no store is created');

    // In a store that already holds versions, nothing new appears either.
    const dir = gitRepo(t, {
      'greet.workflow.yaml': GREET,
      'other.workflow.yaml': GREET.replace('name: greet', 'name: other'),
    });
    assertExit(await lockstep(dir, ['snapshot', 'greet.workflow.yaml']), 0);
    const store = path.join(dir, '.lockstep');
    const before = treeOf(store);
    writeFiles(dir, { 'greet.workflow.yaml': INVALID });
    const json = await lockstep(dir, ['snapshot', '--json', 'greet.workflow.yaml']);
    assertExit(json, 1);
    const error = parseJson<{
      ok: boolean;
      error: { code: string; diagnostics: { range: { start: { line: number } } }[] };
    }>(json);
    assert.equal(error.ok, false);
    assert.equal(error.error.code, 'invalid-definition');
    assert.deepEqual(
      error.error.diagnostics.map((d) => d.range.start.line),
      [6, 7, 9],
    );
    // A file valid on its own is refused when the workspace makes it invalid (a duplicate name).
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2, 'other.workflow.yaml': GREET });
    const duplicate = await lockstep(dir, ['snapshot', 'greet.workflow.yaml']);
    assertExit(duplicate, 1);
    assert.match(duplicate.stderr, /^greet\.workflow\.yaml:2:7: error duplicate-workflow-name: /);
    assert.deepEqual(treeOf(store), before);
  });

  test('publish: numbers versions, records git provenance, and never republishes', async (t) => {
    const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
    const store = path.join(dir, '.lockstep');
    const firstCommit = git(dir, 'rev-parse', 'HEAD');

    const v1 = await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first version']);
    assertExit(v1, 0);
    assert.match(v1.stdout, /^Published greet v1 \(sha256:[0-9a-f]{64}\)\n$/);
    const v1Id = idOf(v1.stdout);
    assert.equal(controlLogLines(store).length, 1);

    // The same content again, even reformatted: the existing number, and nothing appended.
    writeFiles(dir, { 'greet.workflow.yaml': GREET_REFORMATTED });
    const again = await lockstep(dir, ['publish', '--json', 'greet.workflow.yaml', '-m', 'again']);
    assertExit(again, 0);
    const repeated = parseJson<{ ok: boolean; created: boolean; publication: PublicationJson }>(
      again,
    );
    assert.equal(repeated.created, false);
    assert.equal(repeated.publication.seq, 1);
    assert.equal(repeated.publication.message, 'first version');
    const human = await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'again']);
    assertExit(human, 0);
    assert.equal(human.stdout, `Already published: greet v1 (${v1Id}) has this content\n`);
    assert.equal(controlLogLines(store).length, 1);

    // An uncommitted change: v2, marked dirty, with a note saying so.
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2 });
    const v2 = await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'say hi']);
    assertExit(v2, 0);
    const v2Lines = lines(v2.stdout);
    assert.match(v2Lines[0]!, /^Published greet v2 \(sha256:[0-9a-f]{64}\)$/);
    assert.match(v2Lines[1]!, /^note: greet\.workflow\.yaml has uncommitted changes/);

    // Committed, by a CI bot: v3, clean, with the bot as author.
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2.replace('description: Say hello.', '') });
    const thirdCommit = commitAll(dir, 'drop the description');
    const v3 = await lockstep(dir, ['publish', '--json', 'greet.workflow.yaml', '-m', 'shorter'], {
      LOCKSTEP_AUTHOR: 'CI Bot <ci@example.com>',
    });
    assertExit(v3, 0);
    const third = parseJson<{ created: boolean; publication: PublicationJson; store: string }>(v3);
    assert.equal(third.created, true);
    assert.equal(third.publication.seq, 3);
    assert.equal(third.publication.workflow, 'greet');
    assert.equal(third.publication.message, 'shorter');
    assert.equal(third.publication.author, 'CI Bot <ci@example.com>');
    assert.deepEqual(third.publication.git, { commit: thirdCommit, dirty: false });
    assert.equal(third.store, store);

    // The control log holds exactly the three publications, with their provenance.
    const entries = controlLogLines(store).map(
      (line) =>
        JSON.parse(line) as {
          seq: number;
          actor: string;
          message: string;
          version: string;
          git: { commit: string; dirty: boolean } | null;
        },
    );
    assert.deepEqual(
      entries.map((e) => [e.seq, e.actor, e.message, e.git]),
      [
        [1, AUTHOR, 'first version', { commit: firstCommit, dirty: false }],
        [2, AUTHOR, 'say hi', { commit: firstCommit, dirty: true }],
        [3, 'CI Bot <ci@example.com>', 'shorter', { commit: thirdCommit, dirty: false }],
      ],
    );
    assert.equal(entries[0]!.version, v1Id);

    // A message is required, and refusing appends nothing.
    const [missing, empty] = await Promise.all([
      lockstep(dir, ['publish', 'greet.workflow.yaml']),
      lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', '  ']),
    ]);
    assert.match(assertOneLineError(missing, 2), /^error: required option '-m, --message/);
    assert.match(assertOneLineError(empty, 2), /^lockstep: publish needs a message/);
    assert.equal(controlLogLines(store).length, 3);
  });

  test('publish: a new untracked file is dirty; outside git there is no commit and the OS user is the author', async (t) => {
    const dir = gitRepo(t, { 'README.txt': 'hello\n' });
    writeFiles(dir, { 'greet.workflow.yaml': GREET });
    const head = git(dir, 'rev-parse', 'HEAD');
    const plain = tempDir(t);
    writeFiles(plain, { 'greet.workflow.yaml': GREET });
    const [untracked, outside] = await Promise.all([
      lockstep(dir, ['publish', '--json', 'greet.workflow.yaml', '-m', 'untracked']),
      lockstep(plain, ['publish', '--json', 'greet.workflow.yaml', '-m', 'no git']),
    ]);
    assertExit(untracked, 0);
    assert.deepEqual(parseJson<{ publication: PublicationJson }>(untracked).publication.git, {
      commit: head,
      dirty: true,
    });
    assertExit(outside, 0);
    const publication = parseJson<{ publication: PublicationJson }>(outside).publication;
    assert.equal(publication.git, null);
    assert.equal(publication.author, os.userInfo().username);
    assert.equal(exists(path.join(plain, '.lockstep', 'control.jsonl')), true);
  });

  test('versions: published (newest first) and snapshots, as text and JSON', async (t) => {
    const dir = gitRepo(t, {
      'greet.workflow.yaml': GREET,
      'other.workflow.yaml': GREET.replace('name: greet', 'name: other'),
    });
    const head = git(dir, 'rev-parse', 'HEAD');
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']), 0);
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2 });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'second']), 0);
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2.replace('Hi, ', 'Hey, ') });
    const snap = await lockstep(dir, ['snapshot', 'greet.workflow.yaml']);
    assertExit(snap, 0);
    const snapshotId = idOf(snap.stdout);
    assertExit(await lockstep(dir, ['snapshot', 'other.workflow.yaml']), 0);

    const [text, json, unknown] = await Promise.all([
      lockstep(dir, ['versions', 'greet']),
      lockstep(dir, ['versions', '--json', 'greet']),
      lockstep(dir, ['versions', 'nope']),
    ]);
    assertExit(text, 0);
    const out = lines(text.stdout);
    const short = head.slice(0, 8);
    const when = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d';
    assert.equal(out.length, 5, text.stdout);
    assert.equal(out[0], 'Published:');
    assert.match(
      out[1]!,
      new RegExp(
        `^  v2  sha256:[0-9a-f]{12}  ${when}  Ada Lovelace <ada@example\\.com>  ${short}\\+dirty  executable  second$`,
      ),
    );
    assert.match(
      out[2]!,
      new RegExp(
        `^  v1  sha256:[0-9a-f]{12}  ${when}  Ada Lovelace <ada@example\\.com>  ${short}  executable  first$`,
      ),
    );
    assert.equal(out[3], 'Snapshots:');
    assert.match(out[4]!, new RegExp(`^  ${snapshotId.slice(0, 19)}  ${when}  Ada Lovelace`));

    assertExit(json, 0);
    const listing = parseJson<{
      name: string;
      published: (VersionJson & { publication: PublicationJson })[];
      snapshots: (VersionJson & { publication?: unknown })[];
    }>(json);
    assert.equal(listing.name, 'greet');
    assert.deepEqual(
      listing.published.map((v) => [
        v.publication.seq,
        v.publication.message,
        v.id === v.publication.version,
      ]),
      [
        [2, 'second', true],
        [1, 'first', true],
      ],
    );
    assert.deepEqual(
      listing.snapshots.map((v) => [v.id, v.name, v.author, v.publication]),
      [[snapshotId, 'greet', AUTHOR, undefined]],
    );

    const line = assertOneLineError(unknown, 2);
    assert.match(
      line,
      /^lockstep: no versions of 'nope' in .*\.lockstep \(workflows: greet, other\)$/,
    );

    // Without a store there is nothing to list, and the message says how to get one.
    const empty = gitRepo(t);
    assert.match(
      assertOneLineError(await lockstep(empty, ['versions', 'greet']), 2),
      /^lockstep: no Lockstep store at .*\.lockstep: snapshot or publish a workflow to create one/,
    );
  });

  test('show: prints the stored text byte for byte for every kind of ref', async (t) => {
    // Comments, blank lines and no final newline must all survive.
    const terse =
      '# terse\n\nname: terse   # trailing comment\nsteps:\n  - id: one\n    transform: ${{ 1 }}';
    const dir = gitRepo(t, {
      'greet.workflow.yaml': GREET,
      'flows/terse.workflow.yaml': terse,
      'solo.workflow.yaml': GREET.replace('name: greet', 'name: solo'),
    });
    const v1 = await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']);
    assertExit(v1, 0);
    const v1Id = idOf(v1.stdout);
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2 });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'second']), 0);
    assertExit(await lockstep(dir, ['publish', 'flows/terse.workflow.yaml', '-m', 'terse']), 0);
    const solo = await lockstep(dir, ['snapshot', 'solo.workflow.yaml']);
    assertExit(solo, 0);
    const soloId = idOf(solo.stdout);

    const refs = [
      'greet@1',
      'greet@v1',
      `greet@${v1Id.slice(0, 'sha256:'.length + 8)}`,
      'greet@2',
      'terse@1',
      'flows/terse.workflow.yaml',
      `solo@${soloId.slice(0, 20)}`,
    ];
    const shown = await Promise.all(refs.map((ref) => lockstep(dir, ['show', ref])));
    const expected = [
      GREET,
      GREET,
      GREET,
      GREET_V2,
      terse,
      terse,
      readText(dir, 'solo.workflow.yaml'),
    ];
    shown.forEach((result, i) => {
      assertExit(result, 0);
      assert.equal(result.stderr, '', refs[i]);
      assert.equal(result.stdout, expected[i], `show ${refs[i]!}`);
    });

    // A file whose definition is already stored shows the text as first stored.
    writeFiles(dir, { 'greet.workflow.yaml': GREET_REFORMATTED });
    const asFirstSeen = await lockstep(dir, ['show', 'greet.workflow.yaml']);
    assertExit(asFirstSeen, 0);
    assert.equal(asFirstSeen.stdout, GREET);

    const [published, snapshot] = await Promise.all([
      lockstep(dir, ['show', '--json', 'greet@1']),
      lockstep(dir, ['show', '--json', `solo@${soloId}`]),
    ]);
    assertExit(published, 0);
    const record = parseJson<{ version: VersionJson; publication: PublicationJson | null }>(
      published,
    );
    assert.equal(record.version.id, v1Id);
    assert.equal(record.version.name, 'greet');
    assert.equal(record.version.source, GREET);
    assert.equal(record.version.definition?.name, 'greet');
    assert.equal(record.version.author, AUTHOR);
    assert.equal(record.publication?.seq, 1);
    assert.equal(record.publication?.message, 'first');
    assertExit(snapshot, 0);
    const soloRecord = parseJson<{ version: VersionJson; publication: unknown }>(snapshot);
    assert.equal(soloRecord.version.id, soloId);
    assert.equal(soloRecord.publication, null);
  });

  test('show: refs that name nothing exit 2 with a message saying what exists', async (t) => {
    const dir = gitRepo(t, {
      'greet.workflow.yaml': GREET,
      'solo.workflow.yaml': GREET.replace('name: greet', 'name: solo'),
    });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'first']), 0);
    writeFiles(dir, { 'greet.workflow.yaml': GREET_V2 });
    assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'second']), 0);
    assertExit(await lockstep(dir, ['snapshot', 'solo.workflow.yaml']), 0);

    const cases: [string, RegExp][] = [
      ['greet@7', /^lockstep: greet@7: greet has no v7; published: v1–v2$/],
      ['solo@1', /^lockstep: solo@1: solo has no v1; nothing is published yet/],
      [
        'greet@sha256:1234567',
        /^lockstep: 'sha256:1234567' in 'greet@sha256:1234567' needs at least 8 hex digits/,
      ],
      [
        'greet@sha256:00000000',
        /^lockstep: greet@sha256:00000000: no stored version of greet has an id starting with sha256:00000000/,
      ],
      ['greet@production', /^lockstep: greet@production: greet has no channel 'production'/],
      ['nope@1', /^lockstep: no workflow named 'nope' in the store at .*\(known: greet, solo\)$/],
      ['greet', /^lockstep: 'greet' is not a version ref: write greet@<number>/],
      ['Greet@1', /^lockstep: 'Greet' in 'Greet@1' is not a workflow name/],
    ];
    const results = await Promise.all(cases.map(([ref]) => lockstep(dir, ['show', ref])));
    results.forEach((result, i) => {
      const [ref, pattern] = cases[i]!;
      assert.match(assertOneLineError(result, 2), pattern, `show ${ref}`);
      assert.equal(result.stdout, '', `show ${ref}`);
    });
  });
});
