// Channels through the CLI, as real processes: promote, canary, rollback chains, conflicts between
// two processes, a rollback during a canary, the canary's automatic abort, a tampered log.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { assertExit, assertOneLineError, lockstep, parseJson } from '../helpers/cli-workspace.js';
import { channelWorkspace, ok, readChannel, runRouted } from '../helpers/channel-workspace.js';

test('promote, canary and rollback chains walk back through the changes not rolled back', async (t) => {
  const dir = await channelWorkspace(t);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production', '-m', 'first']);
  await ok(dir, ['promote', 'greet@2', '--channel', 'production']);
  await ok(dir, ['canary', 'greet@1', '--channel', 'production', '--weight', '20']);
  const canary = (await readChannel(dir))?.targets;
  assert.equal(canary?.stable.seq, 2);
  assert.deepEqual([canary?.candidate?.seq, canary?.candidate?.weight], [1, 20]);
  // Rollback undoes the canary, then the second promotion, then the first: the channel is empty.
  const stables: (number | null)[] = [];
  for (let i = 0; i < 3; i++) {
    await ok(dir, ['rollback', 'greet', '--channel', 'production', '-m', `back ${i}`]);
    stables.push((await readChannel(dir))?.targets?.stable.seq ?? null);
  }
  assert.deepEqual(stables, [2, 1, null]);
  const line = assertOneLineError(
    await lockstep(dir, ['rollback', 'greet', '--channel', 'production']),
  );
  assert.match(line, /no change left to roll back/);
  // A new change after rollbacks is undone by the next rollback, and only it.
  await ok(dir, ['promote', 'greet@2', '--channel', 'production']);
  await ok(dir, ['rollback', 'greet', '--channel', 'production']);
  const channel = await readChannel(dir);
  assert.equal(channel?.targets, null);
  assert.deepEqual(
    channel?.history.map((h) => [h.action, h.revision, h.rollsBack ?? null]),
    [
      ['promote', 1, null],
      ['promote', 2, null],
      ['canary', 3, null],
      ['rollback', 4, 3],
      ['rollback', 5, 2],
      ['rollback', 6, 1],
      ['promote', 7, null],
      ['rollback', 8, 7],
    ],
  );
  assertExit(await lockstep(dir, ['verify']), 0);
});

test('bad channel input names the channel, version or flag and changes nothing', async (t) => {
  const dir = await channelWorkspace(t);
  const before = readFileSync(path.join(dir, '.lockstep/control.jsonl'), 'utf8');
  const cases: [string[], RegExp][] = [
    [['promote', 'greet@1', '--channel', 'v2'], /'v2' is not a channel name/],
    [['promote', 'greet@7', '--channel', 'production'], /greet has no v7/],
    [['promote', 'greet.workflow.yaml', '--channel', 'production'], /name a published version/],
    [['canary', 'greet@2', '--channel', 'production', '--weight', '10'], /points nowhere yet/],
    [
      ['canary', 'greet@2', '--channel', 'production', '--weight', '10', '--abort-if', 'speed > 3'],
      /--abort-if 'speed > 3'/,
    ],
    [['canary', '--abort', 'greet', '--channel', 'production'], /no canary to abort/],
    [['run', 'greet@staging'], /no channel 'staging'/],
  ];
  for (const [args, message] of cases) {
    assert.match(assertOneLineError(await lockstep(dir, args)), message, args.join(' '));
  }
  assert.equal(readFileSync(path.join(dir, '.lockstep/control.jsonl'), 'utf8'), before);
});

test('two processes changing one channel at once: one wins, the other gets a conflict', async (t) => {
  const dir = await channelWorkspace(t);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  // Both decided on revision 1, as two pipelines that read the channel before either wrote.
  const results = await Promise.all([
    lockstep(dir, ['promote', 'greet@2', '--channel', 'production', '--if-revision', '1']),
    lockstep(dir, [
      'canary',
      'greet@2',
      '--channel',
      'production',
      '--weight',
      '10',
      '--if-revision',
      '1',
    ]),
  ]);
  const codes = results.map((r) => r.code).sort();
  assert.deepEqual(codes, [0, 2], results.map((r) => r.stderr).join('\n'));
  const loser = results.find((r) => r.code === 2)!;
  assert.match(loser.stderr, /conflict|changed while this change was being made/);
  assert.match(loser.stderr, /'production' of greet.*revision 2.*not 1/);
  assert.equal((await readChannel(dir))?.revision, 2);
  // A change decided on revision 1 is a conflict whatever the channel became meanwhile (here it
  // may already run v2, which a canary of v2 would otherwise be refused for).
  for (const late of [
    ['canary', 'greet@2', '--channel', 'production', '--weight', '10', '--if-revision', '1'],
    ['promote', 'greet@2', '--channel', 'production', '--if-revision', '1'],
  ]) {
    const result = await lockstep(dir, late);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /changed while this change was being made: it is at revision 2/);
  }
  // Without --if-revision, concurrent changes are serialised: the chain stays whole.
  const many = await Promise.all(
    [1, 2, 1, 2].map((seq) => lockstep(dir, ['promote', `greet@${seq}`, '--channel', 'staging'])),
  );
  for (const result of many) assert.ok(result.code === 0 || result.code === 2, result.stderr);
  assertExit(await lockstep(dir, ['verify']), 0);
});

test('runs routed by a sticky key stay on their version as the canary grows; a rollback stops the candidate', async (t) => {
  const dir = await channelWorkspace(t);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  await ok(dir, [
    'canary',
    'greet@2',
    '--channel',
    'production',
    '--weight',
    '30',
    '--sticky',
    'inputs.who',
  ]);
  const keys = Array.from({ length: 12 }, (_, i) => `customer-${i}`);
  const at30 = new Map<string, number>();
  for (const key of keys) {
    const run = await runRouted(dir, key);
    assert.equal(run.sticky, true);
    assert.equal(run.seq, run.target === 'candidate' ? 2 : 1);
    at30.set(key, run.seq);
  }
  await ok(dir, ['canary', 'greet@2', '--channel', 'production', '--weight', '70']);
  for (const key of keys) {
    const run = await runRouted(dir, key);
    if (at30.get(key) === 2) assert.equal(run.seq, 2, `${key} stayed on the candidate`);
  }
  await ok(dir, ['rollback', 'greet', '--channel', 'production']);
  await ok(dir, ['rollback', 'greet', '--channel', 'production']);
  for (const key of keys) assert.equal((await runRouted(dir, key)).seq, 1, `${key} after rollback`);
  // The routing decision is in each run's record.
  const { runs } = parseJson<{ runs: { id: string }[] }>(
    await lockstep(dir, ['runs', 'greet', '--json', '--limit', '1']),
  );
  const inspected = await lockstep(dir, ['inspect', runs[0]!.id, '--json']);
  assert.match(inspected.stdout, /"routing"/);
});

test('a failing candidate crosses its abort threshold and the channel rolls back by itself, once', async (t) => {
  const dir = await channelWorkspace(t, { failingV2: true });
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  await ok(dir, [
    'canary',
    'greet@2',
    '--channel',
    'production',
    '--weight',
    '50',
    '--abort-if',
    'failure_rate > 5%',
    '--min-runs',
    '3',
  ]);
  const seen: number[] = [];
  // Four processes at a time, so several may measure the threshold crossed together.
  for (let round = 0; round < 6; round++) {
    const batch = await Promise.all([0, 1, 2, 3].map((i) => runRouted(dir, `r${round}-${i}`)));
    seen.push(...batch.map((r) => r.seq));
  }
  const channel = await readChannel(dir);
  const aborts = channel!.history.filter((h) => h.action === 'auto-abort');
  assert.equal(aborts.length, 1, JSON.stringify(channel?.history));
  assert.equal(aborts[0]!.trigger?.metric, 'failure_rate');
  assert.ok(aborts[0]!.trigger!.runs >= 3);
  assert.equal(channel?.targets?.candidate, undefined);
  assert.ok(seen.includes(2), 'the candidate got traffic before the abort');
  for (let i = 0; i < 5; i++) assert.equal((await runRouted(dir, `after-${i}`)).seq, 1);
});

test('verify detects an edited, deleted or reordered channel change', async (t) => {
  const dir = await channelWorkspace(t);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  await ok(dir, ['promote', 'greet@2', '--channel', 'production']);
  const log = path.join(dir, '.lockstep/control.jsonl');
  const original = readFileSync(log, 'utf8');
  const lines = original.trimEnd().split('\n');
  const tampered = [
    original
      .replace('"to":{"stable":{"version"', '"to":{"stable":{"version"')
      .replace(/"seq":1}}/, '"seq":1 }}')
      .replace(/"message":""/, '"message":"edited"'),
    [...lines.slice(0, 2), lines[3]!].join('\n') + '\n',
    [...lines.slice(0, 2), lines[3]!, lines[2]!].join('\n') + '\n',
  ];
  for (const text of tampered) {
    writeFileSync(log, text);
    const result = await lockstep(dir, ['verify']);
    assertExit(result, 1);
    assert.match(result.stdout, /control\.jsonl:\d+: error/);
  }
  writeFileSync(log, original);
  assertExit(await lockstep(dir, ['verify']), 0);
});

test('retention retires old published versions: no new run without --allow-retired, replay still works, a channel keeps one', async (t) => {
  const dir = await channelWorkspace(t);
  writeFileSync(path.join(dir, '.lockstep/config.yaml'), 'retention:\n  versions: 1\n');
  const refused = assertOneLineError(await lockstep(dir, ['run', 'greet@1', '-i', 'who=a']));
  assert.match(
    refused,
    /greet v1 is retired \(retention\.versions: 1 keeps v2–v2 executable\).*--allow-retired/,
  );
  const forced = await lockstep(dir, [
    'run',
    'greet@1',
    '-i',
    'who=a',
    '--allow-retired',
    '--json',
  ]);
  assertExit(forced, 0);
  const { id } = parseJson<{ id: string }>(forced);
  assertExit(await lockstep(dir, ['replay', id]), 0);
  const states = async (): Promise<[number, string][]> =>
    parseJson<{ published: { publication: { seq: number }; state: string }[] }>(
      await lockstep(dir, ['versions', 'greet', '--json']),
    ).published.map((v) => [v.publication.seq, v.state]);
  assert.deepEqual(await states(), [
    [2, 'executable'],
    [1, 'retired'],
  ]);
  await ok(dir, ['promote', 'greet@1', '--channel', 'staging']);
  assert.deepEqual(await states(), [
    [2, 'executable'],
    [1, 'executable'],
  ]);
  assert.match(await ok(dir, ['versions', 'greet']), /v1 .* executable \(staging 100%\)/);
  assertExit(await lockstep(dir, ['run', 'greet@1', '-i', 'who=b']), 0);
});

test('prune keeps pinned runs and baselines, logs pins and prunes locally; audit and verify cover both logs', async (t) => {
  const dir = await channelWorkspace(t);
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const result = await lockstep(dir, ['run', 'greet@2', '-i', `who=p${i}`, '--json']);
    assertExit(result, 0);
    ids.push(parseJson<{ id: string }>(result).id);
  }
  await ok(dir, ['pin', ids[0]!.slice(0, 13), '-m', 'the incident of Monday']);
  await ok(dir, ['pin', ids[2]!, '-m', 'pinned, then unpinned']);
  await ok(dir, ['unpin', ids[2]!]);
  await ok(dir, ['baselines', 'greet', 'add', ids[1]!]);
  const dry = parseJson<{ removed: string[] }>(
    await lockstep(dir, ['prune', '--keep', '2', '--dry-run', '--json']),
  );
  assert.deepEqual(dry.removed, [ids[2], ids[3]]);
  assert.equal((await lockstep(dir, ['inspect', ids[2]!])).code, 0, 'a dry run removes nothing');
  const pruned = parseJson<{ removed: string[] }>(
    await lockstep(dir, ['prune', '--keep', '2', '--json']),
  );
  assert.deepEqual(pruned.removed, [ids[2], ids[3]]);
  assert.equal((await lockstep(dir, ['inspect', ids[3]!])).code, 2);
  const { runs } = parseJson<{ runs: { id: string }[] }>(
    await lockstep(dir, ['runs', 'greet', '--json']),
  );
  assert.deepEqual(runs.map((r) => r.id).sort(), [ids[0], ids[1], ids[4], ids[5]].sort());
  assert.match(assertOneLineError(await lockstep(dir, ['unpin', ids[4]!])), /is not pinned/);

  const local = await ok(dir, ['audit', '--local']);
  const rows = local
    .trimEnd()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as { log: string; type: string; hash: string; prev: string | null },
    );
  assert.deepEqual(
    rows.filter((r) => r.log === 'local').map((r) => r.type),
    ['pin', 'pin', 'unpin', 'prune-runs'],
  );
  const control = rows.filter((r) => r.log === 'control');
  assert.equal(control[1]!.prev, control[0]!.hash);
  const csv = await ok(dir, ['audit', 'greet', '--format', 'csv', '--since', '2000-01-01']);
  assert.match(csv, /^log,index,at,actor,type,workflow,summary,hash,prev\n(control,.*\n){2}$/);

  assertExit(await lockstep(dir, ['verify']), 0);
  const logFile = path.join(dir, '.lockstep/local/prunes.jsonl');
  const original = readFileSync(logFile, 'utf8');
  writeFileSync(logFile, original.replace('the incident of Monday', 'nothing happened'));
  const edited = await lockstep(dir, ['verify']);
  assertExit(edited, 1);
  assert.match(edited.stdout, /prunes\.jsonl:2: error/);
  const lines = original.trimEnd().split('\n');
  writeFileSync(logFile, `${[lines[1], lines[0], ...lines.slice(2)].join('\n')}\n`);
  assertExit(await lockstep(dir, ['verify']), 1);
});
