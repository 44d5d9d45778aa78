// Channels through the library: 10 000 routed runs match the weights, a sub-workflow pinned to a
// channel takes its parent's bucket, and a long-running library process follows a rollback made
// by the CLI without a restart.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Lockstep } from '../../core/src/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { channelWorkspace, ok } from '../helpers/channel-workspace.js';
import { lockstep, assertExit } from '../helpers/cli-workspace.js';

test(
  '10 000 routed runs match the canary weight within 4 binomial standard deviations',
  { timeout: 900_000 },
  async (t) => {
    const dir = await channelWorkspace(t);
    await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
    await ok(dir, ['canary', 'greet@2', '--channel', 'production', '--weight', '30']);
    const api = await Lockstep.open(dir);
    // Closed in the test, before its folder is removed (`t.after` hooks run in the order they
    // were added, and the index worker is still writing 10 000 runs' rows as the test ends).
    try {
      const N = 10_000;
      let candidate = 0;
      const buckets = new Set<number>();
      for (let i = 0; i < N; i++) {
        const run = await api.run('greet@production', { input: { who: `w${i}` } });
        assert.equal(run.status, 'succeeded');
        assert.equal(
          run.routing?.sticky,
          false,
          'no sticky key: a random bucket, recorded as such',
        );
        assert.equal(run.version.seq, run.routing?.target === 'candidate' ? 2 : 1);
        buckets.add(run.routing!.bucket);
        if (run.version.seq === 2) candidate++;
      }
      // Binomial(n = 10 000, p = 0.3): σ = √(n·p·(1−p)) ≈ 45.8, so 4σ ≈ 183 runs (a false alarm
      // about once in 16 000 test runs).
      const sigma = Math.sqrt(N * 0.3 * 0.7);
      assert.ok(
        Math.abs(candidate - 0.3 * N) <= 4 * sigma,
        `${candidate} of ${N} on the candidate`,
      );
      assert.ok(buckets.size > 5000, 'random buckets spread over the range');
      const recorded = await api.inspect((await api.runs({ workflow: 'greet', limit: 1 }))[0]!.id);
      assert.equal(recorded?.header.routing?.channel, 'production');
      assert.equal(recorded?.header.routing?.revision, 2);
    } finally {
      await api.close();
    }
  },
);

test('a sub-workflow pinned to a channel takes its parent’s bucket when it has no sticky key', async (t) => {
  const dir = await channelWorkspace(t);
  writeFileSync(
    path.join(dir, 'caller.workflow.yaml'),
    `name: caller
inputs:
  who: { type: string }
steps:
  - id: child
    workflow: { name: greet, version: production, inputs: { who: "\${{ inputs.who }}" } }
`,
  );
  assertExit(await lockstep(dir, ['publish', 'caller.workflow.yaml', '-m', 'caller']), 0);
  await ok(dir, ['promote', 'caller@1', '--channel', 'production']);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  await ok(dir, ['canary', 'greet@2', '--channel', 'production', '--weight', '50']);
  const api = await Lockstep.open(dir);
  // Closed in the test, before its folder is removed (the index worker writes on close).
  try {
    for (let i = 0; i < 20; i++) {
      const parent = await api.run('caller@production', { input: { who: `p${i}` } });
      assert.equal(parent.status, 'succeeded');
      const record = await api.inspect(parent.id);
      const childRun = record!.effects.find((e) => e.kind === 'workflow')!.response as {
        run: string;
      };
      const child = await api.inspect(childRun.run);
      assert.equal(child?.header.routing?.inherited, true);
      assert.equal(child?.header.routing?.bucket, parent.routing?.bucket);
      assert.equal(child?.header.version.seq, parent.routing!.bucket >= 5000 ? 2 : 1);
    }
  } finally {
    await api.close();
  }
});

test(
  'a library process follows a rollback made by another process, without a restart',
  { timeout: 120_000 },
  async (t) => {
    const dir = await channelWorkspace(t);
    await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
    await ok(dir, ['promote', 'greet@2', '--channel', 'production']);
    const script = path.join(dir, 'service.mjs');
    writeFileSync(
      script,
      `import { Lockstep } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/core.js'))};
const api = await Lockstep.open(process.argv[2]);
for (let i = 0; ; i++) {
  const run = await api.run('greet@production', { input: { who: 'svc' + i } });
  process.stdout.write(JSON.stringify({ seq: run.version.seq, at: Date.now() }) + '\\n');
  await new Promise((r) => setTimeout(r, 20));
}
`,
    );
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Stopped in the test, before its folder is removed (`t.after` hooks run in the order they
    // were added, and the service writes a run every few milliseconds); here if it fails early.
    t.after(() => child.kill());
    const seen: { seq: number; at: number }[] = [];
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) seen.push(JSON.parse(line));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const waitFor = async (what: string, check: () => boolean): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (!check()) {
        assert.ok(Date.now() < deadline, `timed out waiting for ${what}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await waitFor('runs on v2', () => seen.some((s) => s.seq === 2));
    await ok(dir, ['rollback', 'greet', '--channel', 'production', '-m', 'v2 misbehaves']);
    const rolledBackAt = Date.now();
    await waitFor(
      'runs after the rollback',
      () => seen.filter((s) => s.at > rolledBackAt).length >= 3,
    );
    // A run that started after the rollback was written runs v1 (one may have been under way).
    const after = seen.filter((s) => s.at > rolledBackAt);
    assert.deepEqual(
      after.slice(1).map((s) => s.seq),
      after.slice(1).map(() => 1),
    );
    child.kill();
    await exited;
  },
);
