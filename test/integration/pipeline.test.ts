// The pipeline of docs/pipeline.md, as a user runs it: the GitHub Actions workflow parses and runs
// the shell stages on the right events, and the shell stages, run end to end against a local
// store in a git repository, deploy a harmless change, stop a change whose outputs differ at the
// gate (in the repository, and in a fresh clone gating on a bundle of production's runs), and roll
// the channel back when the application's deployment fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  GREET,
  GREET_V2,
  HERMETIC_ENV,
  commitAll,
  git,
  gitRepo,
  lockstep,
} from '../helpers/cli-workspace.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const PIPELINE = path.join(REPO_ROOT, 'examples/pipeline/pipeline.sh');
const FILE = 'greet.workflow.yaml';

interface Step {
  readonly run?: string;
  readonly uses?: string;
  readonly env?: Record<string, string>;
}

test('the GitHub Actions workflow gates on pull requests and deploys on pushes to main, through pipeline.sh', () => {
  const workflow = parse(
    readFileSync(path.join(REPO_ROOT, 'examples/pipeline/lockstep.yml'), 'utf8'),
  ) as {
    on: { pull_request: unknown; push: { branches: string[] } };
    jobs: Record<string, { if: string; steps: Step[] }>;
  };
  assert.ok('pull_request' in workflow.on);
  assert.deepEqual(workflow.on.push.branches, ['main']);
  const runs = (job: string) => workflow.jobs[job]!.steps.flatMap((s) => (s.run ? [s.run] : []));
  assert.match(workflow.jobs['gate']!.if, /pull_request/);
  assert.ok(runs('gate').some((r) => /pipeline\.sh pr$/.test(r)));
  const fetch = workflow.jobs['gate']!.steps.find((s) => s.run?.includes('PRODUCTION_BUNDLE_URL'));
  assert.match(fetch?.run ?? '', /-o production\.bundle[\s\S]*BUNDLE=production\.bundle/);
  assert.ok(runs('gate').some((r) => /gh pr comment .* --body-file/.test(r)));
  assert.match(workflow.jobs['deploy']!.if, /push/);
  assert.ok(runs('deploy').some((r) => /pipeline\.sh merge$/.test(r)));
  const deployStep = workflow.jobs['deploy']!.steps.find((s) => s.run?.includes('merge'));
  assert.ok(deployStep?.env?.['APP_DEPLOY'], 'the application deploy command is given');
});

/** Three runs through production: the real runs the next gate replays. */
async function runsOn(dir: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    assert.equal((await lockstep(dir, ['run', 'greet@production', '-i', `who=w${i}`])).code, 0);
  }
}

/** Runs a pipeline stage in `dir`; resolves with its exit code and output. */
function stage(
  dir: string,
  name: 'export' | 'pr' | 'merge',
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [PIPELINE, name], {
      cwd: dir,
      env: {
        ...process.env,
        ...HERMETIC_ENV,
        LOCKSTEP_STORE: undefined,
        LOCKSTEP: `${process.execPath} ${path.join(REPO_ROOT, 'dist/cli.js')}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('pipeline.sh: a harmless change deploys, a changed output is stopped, a failed application deploy rolls back', async (t) => {
  const dir = gitRepo(t, { [FILE]: GREET, '.gitignore': 'lockstep-reports/\n' });
  const production = async (): Promise<string> => {
    const channels = await lockstep(dir, ['channels', 'greet', '--json']);
    const match = /"stable":\s*\{\s*"version":\s*"[^"]+",\s*"seq":\s*(\d+)/.exec(channels.stdout);
    return match ? `v${match[1]}` : channels.stdout;
  };
  const edit = (text: string, message: string) => {
    writeFileSync(path.join(dir, FILE), text);
    commitAll(dir, message);
  };

  const first = await stage(dir, 'merge');
  assert.equal(first.code, 0, first.out);
  assert.equal(await production(), 'v1');
  await runsOn(dir);

  edit(GREET.replace('description: Say hello.', 'description: Say hello, kindly.'), 'Kinder words');
  const prOk = await stage(dir, 'pr');
  assert.equal(prOk.code, 0, prOk.out);
  assert.match(
    readFileSync(path.join(dir, 'lockstep-reports/greet.md'), 'utf8'),
    /Gate passed: 0 of 3 runs changed/,
  );
  const merged = await stage(dir, 'merge');
  assert.equal(merged.code, 0, merged.out);
  assert.match(merged.out, /deployed d-/);
  assert.equal(await production(), 'v2');
  await runsOn(dir);

  // CI has no runs of its own: production's arrive as a bundle, written where they are recorded.
  const bundle = path.join(tempDir(t, 'lockstep-bundle-'), 'production.bundle');
  const exported = await stage(dir, 'export', { BUNDLE: bundle, LAST: '50' });
  assert.equal(exported.code, 0, exported.out);
  const ci = path.join(tempDir(t, 'lockstep-ci-'), 'repo');
  git(path.dirname(ci), 'clone', '--quiet', dir, ci);
  assert.match((await lockstep(ci, ['runs', 'greet'])).stdout, /^$|No runs/);
  writeFileSync(path.join(ci, FILE), GREET_V2);
  const prCi = await stage(ci, 'pr', { BUNDLE: bundle });
  assert.equal(prCi.code, 1, prCi.out);
  assert.match(prCi.out, /Imported .*production\.bundle .*: 6 runs and 1 version added/);
  const ciReport = readFileSync(path.join(ci, 'lockstep-reports/greet.md'), 'utf8');
  // The clone's channel is at the last commit's state (v1): the gate replays v1's runs.
  assert.match(ciReport, /Gate FAILED: 3 of 3 runs changed .* against production \(v1\)/);
  assert.match(ciReport, /Runs drawn from bundle `sha256:/);

  edit(GREET_V2, 'Say hi instead');
  const prStopped = await stage(dir, 'pr');
  assert.equal(prStopped.code, 1, prStopped.out);
  assert.match(
    readFileSync(path.join(dir, 'lockstep-reports/greet.md'), 'utf8'),
    /Gate FAILED: 3 of 3 runs changed/,
  );
  const mergeStopped = await stage(dir, 'merge');
  assert.equal(mergeStopped.code, 1, mergeStopped.out);
  assert.equal(await production(), 'v2', 'the gate stopped v3');

  edit(GREET.replace('description: Say hello.', 'description: Greets.'), 'Shorter description');
  const appFailed = await stage(dir, 'merge', { APP_DEPLOY: 'exit 3' });
  assert.equal(appFailed.code, 1, appFailed.out);
  assert.match(appFailed.out, /the application's deployment failed: rolling back d-/);
  assert.equal(await production(), 'v2', 'rolled back to what ran before');
  assert.ok(existsSync(path.join(dir, 'lockstep-reports/deployment.json')));
});
