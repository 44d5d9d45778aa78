/**
 * Concurrency suite: for `LOCKSTEP_RELIABILITY_SECONDS` (default 60) several CLI processes and the
 * workspace service (dist/service.js, forked as the editor forks it) work on one store at once:
 * two CLI publishers and the service publish new versions of one workflow; a CLI lane and the
 * service move its `production` channel (promote, canary, rollback) with compare-and-swap on the
 * revision they last saw, retrying on `conflict`; a CLI runner and the service run workflows
 * (routed through the channel, or a file); a pruner prunes. Afterwards:
 *
 * - every acknowledged publication is there once, `seq` is unique and gapless (1…n);
 * - the channel's revisions are unique and gapless, and every applied change is in its history;
 * - every acknowledged run is there, or named by a prune in the local log; no run id twice;
 * - `lockstep verify` passes: the control log's chain and the local log's chain are intact.
 *
 * Conflicts are expected and counted; any other failure of a process is a finding.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ResponseError } from 'vscode-jsonrpc';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import {
  ChannelChangeRequest,
  PublishRequest,
  RunProgressNotification,
  RunStartRequest,
} from '../../core/src/service/protocol.js';
import type { Store } from '../../core/src/store/store.js';
import { runLockstep, type CliResult } from '../helpers/cli.js';
import { HERMETIC_ENV } from '../helpers/cli-workspace.js';
import { startService } from '../helpers/service-process.js';
import { envNumber, Prng, suiteSeed } from './lib/prng.js';
import { recordResult } from './lib/results.js';
import { suiteDir } from './lib/suite-dir.js';
import {
  CRASH_FIXTURES,
  CRASH_WORKFLOW_FILE,
  writeCrashWorkspace,
} from './workers/crash-workspace.js';

/** The workflow everyone publishes and routes through `production`. */
const SHARED = 'multi';
const CHANNEL = 'production';

const lockstep = (dir: string, args: readonly string[]): Promise<CliResult> =>
  runLockstep([...args, '--json'], { cwd: dir, env: HERMETIC_ENV });

/** The error code of a failed `--json` command, or undefined. */
function errorCode(result: CliResult): string | undefined {
  try {
    return (JSON.parse(result.stdout) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

test(
  'concurrency: CLI processes and the service on one store lose nothing',
  { timeout: 900_000 },
  async (t) => {
    const started = Date.now();
    const seed = suiteSeed();
    const random = new Prng(seed);
    const seconds = envNumber('LOCKSTEP_RELIABILITY_SECONDS', 60);
    console.log(
      `concurrency: seed ${seed} (LOCKSTEP_RELIABILITY_SEED=${seed} repeats it), ${seconds} s`,
    );
    const dir = suiteDir(t, 'lockstep-concurrency-');
    writeCrashWorkspace(dir);
    mkdirSync(path.join(dir, 'lanes'));
    const root = path.join(dir, '.lockstep');
    // The test's own long-lived reader, as the editor keeps one: it catches up with every writer.
    const reader: Store = await openFsStore(root, { create: true });
    t.after(() => reader.close());
    const service = await startService(t, dir);
    const finishedRuns = new Map<string, string>();
    service.connection.onNotification(RunProgressNotification, (p) => {
      if (p.event.type === 'run-finished') finishedRuns.set(p.run, p.event.status);
    });

    const deadline = Date.now() + seconds * 1000;
    const published: { seq: number; version: string; by: string }[] = [];
    const applied: { revision: number; by: string }[] = [];
    const runs = new Map<string, string>();
    const errors: string[] = [];
    const counts = { conflicts: 0, retries: 0, prunes: 0, cliCommands: 0, serviceRequests: 0 };

    const cli = async (args: readonly string[]): Promise<CliResult> => {
      counts.cliCommands++;
      return lockstep(dir, args);
    };
    const fail = (what: string, result: CliResult): void => {
      errors.push(`${what}: exit ${result.code}: ${result.stdout.slice(0, 400)}${result.stderr}`);
    };
    /** A file of `SHARED` with content no other publish has: a new version. */
    const writeVersion = (lane: string, n: number): string => {
      const file = path.join('lanes', `${lane}.yaml`);
      writeFileSync(
        path.join(dir, file),
        `name: ${SHARED}\nsteps:\n  - id: a\n    transform: ${lane}-${n}\n`,
      );
      return file;
    };
    /** The channel's revision as the reader sees it now (0: never set). */
    const revision = async (): Promise<number> =>
      (await reader.getChannel(SHARED, CHANNEL))?.revision ?? 0;
    const seqs = (): number[] => published.map((p) => p.seq);

    const publisher = async (lane: string): Promise<void> => {
      for (let n = 0; Date.now() < deadline; n++) {
        const result = await cli(['publish', writeVersion(lane, n), '-m', `${lane} ${n}`]);
        if (result.code !== 0) fail(`${lane} publish`, result);
        else {
          const out = JSON.parse(result.stdout) as {
            publication: { seq: number; version: string };
          };
          published.push({ ...out.publication, by: lane });
        }
      }
    };

    /** One channel change decided on the revision last seen, retried (5×) on conflict. */
    const changeChannel = async (
      apply: (
        action: string,
        seq: number | undefined,
        rev: number,
      ) => Promise<'applied' | 'conflict' | 'refused'>,
    ): Promise<void> => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const rev = await revision();
        const action = rev === 0 ? 'promote' : random.pick(['promote', 'canary', 'rollback']);
        const seq = action === 'rollback' || seqs().length === 0 ? undefined : random.pick(seqs());
        // Nothing published yet: wait a little rather than spin.
        if (action !== 'rollback' && seq === undefined) return void (await delay(200));
        const outcome = await apply(action, seq, rev);
        if (outcome !== 'conflict') return;
        counts.conflicts++;
        counts.retries++;
      }
    };

    const channelLane = async (): Promise<void> => {
      while (Date.now() < deadline) {
        await changeChannel(async (action, seq, rev) => {
          const args =
            action === 'rollback'
              ? ['rollback', SHARED, '--channel', CHANNEL]
              : action === 'canary'
                ? [
                    'canary',
                    `${SHARED}@${seq}`,
                    '--channel',
                    CHANNEL,
                    '--weight',
                    String(random.between(1, 90)),
                  ]
                : ['promote', `${SHARED}@${seq}`, '--channel', CHANNEL];
          const result = await cli([...args, '--if-revision', String(rev), '-m', `cli ${action}`]);
          if (result.code === 0) {
            const out = JSON.parse(result.stdout) as { change: { revision: number } };
            applied.push({ revision: out.change.revision, by: 'cli' });
            return 'applied';
          }
          const code = errorCode(result);
          if (code === 'conflict') return 'conflict';
          // Refusals that say what is wrong with this change, never with the store: rolling back
          // an empty history, a canary of the stable version itself.
          if (result.code === 2 && code !== undefined && code !== 'internal') return 'refused';
          fail(`cli ${action}`, result);
          return 'refused';
        });
      }
    };

    const runner = async (): Promise<void> => {
      while (Date.now() < deadline) {
        const routed = random.chance(0.5);
        const args = routed
          ? ['run', `${SHARED}@${CHANNEL}`]
          : [
              'run',
              CRASH_WORKFLOW_FILE,
              '-i',
              `n=${random.between(1, 9)}`,
              '--fixtures',
              CRASH_FIXTURES,
            ];
        const result = await cli(args);
        if (result.code === 0) {
          const out = JSON.parse(result.stdout) as { id: string; status: string };
          runs.set(out.id, out.status);
        } else if (!(routed && errorCode(result) === 'unknown-channel')) {
          fail(`run ${args[1]}`, result);
        }
      }
    };

    const pruner = async (): Promise<void> => {
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, random.between(2_000, 6_000)));
        const result = await cli(['prune', '--keep', String(random.between(3, 15))]);
        if (result.code === 0) counts.prunes++;
        else fail('prune', result);
      }
    };

    const serviceLane = async (): Promise<void> => {
      const file = path.join(dir, writeVersion('service', -1));
      for (let n = 0; Date.now() < deadline; n++) {
        counts.serviceRequests++;
        const op = random.pick(['publish', 'run', 'channel'] as const);
        try {
          if (op === 'publish') {
            writeVersion('service', n);
            const out = await service.connection.sendRequest(PublishRequest, {
              file,
              message: `service ${n}`,
            });
            if (out.version.seq === undefined) throw new Error('a publication without seq');
            published.push({ seq: out.version.seq, version: out.version.id, by: 'service' });
          } else if (op === 'run') {
            const out = await service.connection.sendRequest(RunStartRequest, {
              ref: path.join(dir, CRASH_WORKFLOW_FILE),
              input: { n: random.between(1, 9) },
              fixtures: path.join(dir, CRASH_FIXTURES),
            });
            const until = Date.now() + 60_000;
            while (!finishedRuns.has(out.run) && Date.now() < until)
              await new Promise((r) => setTimeout(r, 20));
            runs.set(out.run, finishedRuns.get(out.run) ?? 'unfinished');
          } else {
            await changeChannel(async (action, seq, rev) => {
              try {
                const out = await service.connection.sendRequest(ChannelChangeRequest, {
                  workflow: SHARED,
                  channel: CHANNEL,
                  action: action as 'promote' | 'canary' | 'rollback',
                  ...(seq !== undefined ? { version: seq } : {}),
                  ...(action === 'canary' ? { weight: random.between(1, 90) } : {}),
                  expectedRevision: rev,
                  message: `service ${action}`,
                });
                if (out.applied) applied.push({ revision: out.decidedOn + 1, by: 'service' });
                return 'applied';
              } catch (error) {
                const code = (
                  error instanceof ResponseError ? (error.data as { code?: string }) : undefined
                )?.code;
                if (code === 'conflict') return 'conflict';
                if (code !== undefined && code !== 'internal') return 'refused';
                throw error;
              }
            });
          }
        } catch (error) {
          errors.push(`service ${op}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    };

    await Promise.all([
      publisher('p1'),
      publisher('p2'),
      channelLane(),
      runner(),
      pruner(),
      serviceLane(),
    ]);

    // What the store holds now, read by a fresh process and by the long-lived reader.
    const fresh = await openFsStore(root);
    t.after(() => fresh.close());
    const publications = await fresh.listPublications(SHARED);
    const bySeq = new Map(publications.map((p) => [p.seq, p.version]));
    const publicationsLost = published.filter((p) => bySeq.get(p.seq) !== p.version).length;
    const seqGaps = publications.some((p, i) => p.seq !== i + 1) ? 1 : 0;
    const duplicateVersions =
      publications.length - new Set(publications.map((p) => p.version)).size;
    const readerSeqs = (await reader.listPublications(SHARED)).map((p) => p.seq);
    const readerBehind = readerSeqs.length === publications.length ? 0 : 1;

    const channel = await fresh.getChannel(SHARED, CHANNEL);
    const revisions = (channel?.history ?? []).map((c) => c.revision).sort((a, b) => a - b);
    const revisionGaps = revisions.some((r, i) => r !== i + 1) ? 1 : 0;
    const changesLost = applied.filter((a) => !revisions.includes(a.revision)).length;
    const duplicateRevisions = applied.length - new Set(applied.map((a) => a.revision)).size;

    const pruned = new Set(
      readIfExists(path.join(root, 'local', 'prunes.jsonl'))
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          const entry = JSON.parse(line) as { type: string; removed?: string[] };
          return entry.type === 'prune-runs' ? (entry.removed ?? []) : [];
        }),
    );
    let runsLost = 0;
    for (const [id, status] of runs) {
      const record = await fresh.getRun(id);
      if (record ? record.status !== status : !pruned.has(id)) runsLost++;
    }
    const listed = await fresh.listRuns({ limit: 1_000_000 });
    const duplicateRuns = listed.length - new Set(listed.map((r) => r.id)).size;
    const verified = await lockstep(dir, ['verify']);
    const verifyFailures = verified.code === 0 ? 0 : 1;

    const findings = {
      publicationsLost,
      seqGaps,
      duplicateVersions,
      revisionGaps,
      changesLost,
      duplicateRevisions,
      runsLost,
      duplicateRuns,
      readerBehind,
      verifyFailures,
      processErrors: errors.length,
    };
    recordResult('concurrency', {
      ok: Object.values(findings).every((n) => n === 0),
      seed,
      counts: {
        seconds,
        publications: publications.length,
        channelChanges: applied.length,
        runs: runs.size,
        ...counts,
        ...findings,
      },
      durationMs: Date.now() - started,
    });
    assert.deepEqual(errors, [], 'processes that failed');
    assert.ok(published.length > 0 && runs.size > 0, 'the lanes did some work');
    assert.deepEqual(
      findings,
      Object.fromEntries(Object.keys(findings).map((k) => [k, 0])),
      verified.stdout,
    );
  },
);

/** A file's text, or '' when there is none (the local log exists once something was logged). */
function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
