// `lockstep runs` says which channel routed each run, and `--channel` lists one channel's runs:
// real CLI processes promote, canary and run `greet@production`, and the history is read back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertExit,
  assertOneLineError,
  lines,
  lockstep,
  parseJson,
} from '../helpers/cli-workspace.js';
import { channelWorkspace, ok } from '../helpers/channel-workspace.js';

interface Routing {
  readonly channel: string;
  readonly bucket: number;
  readonly target: 'stable' | 'candidate';
}

interface ListedRun {
  readonly id: string;
  readonly version: { readonly seq?: number };
  readonly routing?: Routing;
}

/** Runs `greet@<ref>` for `who` and returns its id and routing decision as `run --json` reports. */
async function runGreet(
  dir: string,
  ref: string,
  who: string,
): Promise<{ id: string; routing?: Routing & { sticky: boolean } }> {
  const result = await lockstep(dir, ['run', `greet@${ref}`, '-i', `who=${who}`, '--json']);
  assertExit(result, 0);
  return parseJson<{ id: string; routing?: Routing & { sticky: boolean } }>(result);
}

async function listed(dir: string, ...args: string[]): Promise<ListedRun[]> {
  const result = await lockstep(dir, ['runs', 'greet', ...args, '--json']);
  assertExit(result, 0);
  return parseJson<{ runs: ListedRun[] }>(result).runs;
}

test('runs lists the channel that routed each run, and --channel keeps one channel’s runs', async (t) => {
  const dir = await channelWorkspace(t);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  await ok(dir, ['promote', 'greet@2', '--channel', 'staging']);
  // A sticky canary: each key's bucket (and so its target) is the same on every machine.
  await ok(dir, 'canary greet@2 --channel production --weight 50 --sticky inputs.who'.split(' '));
  const production = new Map<string, Routing>();
  for (let i = 0; i < 8; i++) {
    const run = await runGreet(dir, 'production', `customer-${i}`);
    assert.equal(run.routing?.sticky, true);
    const { channel, bucket, target } = run.routing!;
    production.set(run.id, { channel, bucket, target });
  }
  const targets = new Set([...production.values()].map((r) => r.target));
  assert.deepEqual([...targets].sort(), ['candidate', 'stable'], 'these keys reach both');
  const staging = await runGreet(dir, 'staging', 'tester');
  const pinned = await runGreet(dir, '1', 'nobody-routes-me');
  assert.equal(pinned.routing, undefined);

  // Every summary carries its run's decision (channel, bucket, target), or none.
  const all = await listed(dir);
  assert.equal(all.length, 10);
  for (const run of all) {
    const expected =
      production.get(run.id) ??
      (run.id === staging.id ? { channel: 'staging', bucket: staging.routing!.bucket } : undefined);
    if (run.id === pinned.id) assert.equal(run.routing, undefined, 'greet@1: no channel');
    else assert.deepEqual(run.routing, { target: 'stable', ...expected }, run.id);
  }
  for (const run of all.filter((r) => r.routing?.channel === 'production')) {
    assert.equal(run.version.seq, run.routing?.target === 'candidate' ? 2 : 1, 'target ↔ version');
  }

  // --channel: exactly the runs the channel routed, newest first.
  const fromProduction = await listed(dir, '--channel', 'production');
  assert.deepEqual(
    fromProduction.map((r) => r.id),
    all.filter((r) => production.has(r.id)).map((r) => r.id),
  );
  assert.deepEqual(
    (await listed(dir, '--channel', 'staging')).map((r) => r.id),
    [staging.id],
  );
  const candidates = await listed(dir, '--channel', 'production', '--version', '2');
  assert.deepEqual(
    candidates.map((r) => r.id),
    fromProduction.filter((r) => r.routing?.target === 'candidate').map((r) => r.id),
  );

  // The table: a routed run's row names its channel and target after the mode.
  const table = await lockstep(dir, ['runs', 'greet']);
  assertExit(table, 0);
  const rows = lines(table.stdout);
  assert.equal(rows.length, 10);
  for (const run of all) {
    const row = rows.find((r) => r.startsWith(run.id)) ?? '';
    if (run.routing) {
      const routed = `${run.routing.channel}·${run.routing.target}`;
      assert.match(row, new RegExp(` live  ${routed}  \\d+ ms$`), row);
    } else {
      assert.match(row, / live {2}\d+ ms$/, row);
    }
  }

  const none = await lockstep(dir, ['runs', 'greet', '--channel', 'canary']);
  assertExit(none, 0);
  assert.match(none.stdout, /^No runs of greet routed by canary in /);
  assert.match(
    assertOneLineError(await lockstep(dir, ['runs', 'greet', '--channel', 'v2'])),
    /'v2' is not a channel name/,
  );
});
