// `lockstep deploy` and `lockstep rollback --deployment` through the real CLI, in a git repository:
// a first release promotes without a gate; a harmless commit deploys after its gate passes on the
// channel's real runs; a commit that changes outputs is stopped by its gate and changes no
// channel; a deployment is rolled back whole, once.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  GREET,
  GREET_V2,
  assertExit,
  assertOneLineError,
  commitAll,
  gitRepo,
  lockstep,
  parseJson,
} from '../helpers/cli-workspace.js';

const FILE = 'greet.workflow.yaml';

interface DeployJson {
  ok: boolean;
  deployment: string;
  applied: boolean;
  workflows: {
    workflow: string;
    seq: number;
    published: boolean;
    gate?: { pass: boolean; changed: number };
    revision?: number;
  }[];
  unchanged: string[];
}

test('deploy: a first release, a gated release, a release its gate stops, and a whole deployment rolled back', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET });
  const channelEntries = () =>
    readFileSync(path.join(dir, '.lockstep/control.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            type: string;
            action?: string;
            message: string;
            deployment?: string;
            gate?: unknown;
          },
      )
      .filter((e) => e.type === 'channel');
  const runsOn = async (n: number) => {
    for (let i = 0; i < n; i++) {
      assertExit(await lockstep(dir, ['run', 'greet@production', '-i', `who=w${i}`]), 0);
    }
  };

  const first = await lockstep(dir, ['deploy', '--channel', 'production', '--json']);
  assertExit(first, 0);
  const firstReport = parseJson<DeployJson>(first);
  assert.equal(firstReport.applied, true);
  assert.deepEqual(
    firstReport.workflows.map((w) => [w.workflow, w.seq, w.published, w.gate]),
    [['greet', 1, true, undefined]],
    'published now, nothing to gate against',
  );
  assert.match(firstReport.deployment, /^d-[0-9a-f-]{36}$/);
  await runsOn(3);

  // Nothing changed: nothing to deploy.
  const again = await lockstep(dir, ['deploy', '--channel', 'production']);
  assertExit(again, 0);
  assert.match(
    again.stdout,
    /Nothing to deploy: production already runs every workflow file's version/,
  );

  // A commit that changes no output: published with the commit's subject, gated, promoted.
  writeFileSync(
    path.join(dir, FILE),
    GREET.replace('description: Say hello.', 'description: Say hello, politely.'),
  );
  commitAll(dir, 'Describe greet better');
  const second = await lockstep(dir, ['deploy', '--channel', 'production', '--json']);
  assertExit(second, 0);
  const secondReport = parseJson<DeployJson>(second);
  assert.deepEqual(secondReport.workflows[0]?.gate, {
    ...secondReport.workflows[0]?.gate,
    pass: true,
    changed: 0,
  });
  assert.equal(secondReport.workflows[0]?.seq, 2);
  const promoted = channelEntries().at(-1)!;
  assert.equal(promoted.deployment, secondReport.deployment);
  assert.match(promoted.message, /Describe greet better/);
  assert.ok(promoted.gate, 'the promotion cites its gate');
  const versions = await lockstep(dir, ['versions', 'greet', '--json']);
  assert.match(versions.stdout, /"message": "Describe greet better"/);
  await runsOn(2);

  // A commit that changes every output: its gate fails, so production stays on v2.
  writeFileSync(path.join(dir, FILE), GREET_V2);
  commitAll(dir, 'Say hi');
  const stopped = await lockstep(dir, ['deploy', '--channel', 'production']);
  assertExit(stopped, 1);
  assert.match(
    stopped.stdout,
    /greet v3 \(published now\): gate FAILED \(\d+ of \d+ runs changed\)/,
  );
  assert.match(stopped.stdout, /Not deployed: a gate failed, so no channel changed/);
  assert.equal(channelEntries().length, 2, 'no channel changed');

  // The second deployment, undone whole: production is back on v1.
  const undone = await lockstep(dir, ['rollback', '--deployment', secondReport.deployment]);
  assertExit(undone, 0);
  assert.match(undone.stdout, /greet production r3: rolled back r2/);
  const rollback = channelEntries().at(-1)!;
  assert.equal(rollback.action, 'rollback');
  assert.equal(rollback.deployment, secondReport.deployment);
  const twice = assertOneLineError(
    await lockstep(dir, ['rollback', '--deployment', secondReport.deployment]),
  );
  assert.match(twice, /was already rolled back/);
  const unknown = assertOneLineError(
    await lockstep(dir, ['rollback', '--deployment', 'd-00000000-0000-0000-0000-000000000000']),
  );
  assert.match(unknown, /no channel change belongs to deployment/);
  const both = assertOneLineError(
    await lockstep(dir, ['rollback', 'greet', '--deployment', secondReport.deployment]),
  );
  assert.match(both, /give no name or --channel/);
});
