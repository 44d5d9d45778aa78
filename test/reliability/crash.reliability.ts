/**
 * Crash suite: runner, replay and publisher processes killed with SIGKILL at random moments,
 * hundreds of times, on one store (two at a time, so kills also land while another process
 * writes). Victims are worker processes that loop over runs, exact replays, snapshots and
 * publications through the library (crash-worker.ts), and, one round in four, the real CLI
 * (`run`, `replay`, `publish`). Afterwards:
 *
 * - no corrupted file: every JSON file parses, every line of every log but a partial last one;
 * - every acknowledged run is there with its status, every acknowledged version and publication;
 * - `seq` is gapless; no run reads as `running` (its writer is dead: it is `interrupted`), and
 *   there are no more interrupted runs than kills;
 * - a fresh process's history (`lockstep runs`, through the index) lists every journal;
 * - `lockstep verify` passes.
 *
 * `LOCKSTEP_RELIABILITY_KILLS` (default 300) sets the number of kills,
 * `LOCKSTEP_RELIABILITY_SEED` replays a seed. Counts go to the results file (lib/results.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ContentId } from '../../core/src/model/content-id.js';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { runLockstep } from '../helpers/cli.js';
import { HERMETIC_ENV } from '../helpers/cli-workspace.js';
import { suiteDir } from './lib/suite-dir.js';
import { envNumber, Prng, suiteSeed } from './lib/prng.js';
import { recordResult } from './lib/results.js';
import { auditStoreFiles } from './lib/store-audit.js';
import { ackLines, startCli, startVictim, type VictimExit } from './lib/victims.js';
import {
  CRASH_FIXTURES,
  CRASH_WORKFLOW_FILE,
  PUBLISHED_WORKFLOW,
  writeCrashWorkspace,
} from './workers/crash-workspace.js';

const WORKER = fileURLToPath(new URL('./workers/crash-worker.js', import.meta.url));
/** The workflow CLI publishers publish (files outside the `*.workflow.yaml` pattern). */
const CLI_PUBLISHED = 'clipub';

type Ack =
  | { op: 'run' | 'replay'; id: string; status: string }
  | { op: 'publish'; workflow: string; seq: number; version: string }
  | { op: 'snapshot'; workflow: string; version: string };

test(
  'crash: processes killed at random moments lose nothing acknowledged',
  { timeout: 900_000 },
  async (t) => {
    const started = Date.now();
    const seed = suiteSeed();
    const random = new Prng(seed);
    const target = envNumber('LOCKSTEP_RELIABILITY_KILLS', 300);
    console.log(
      `crash: seed ${seed} (LOCKSTEP_RELIABILITY_SEED=${seed} repeats it), ${target} kills`,
    );
    const dir = suiteDir(t, 'lockstep-crash-');
    writeCrashWorkspace(dir);
    mkdirSync(path.join(dir, 'pubs'));

    const acks: Ack[] = [];
    const errors: string[] = [];
    let kills = 0;
    let rounds = 0;
    let cliRounds = 0;

    /** One victim: started, left alone for a random while, killed if still running. */
    const round = async (): Promise<void> => {
      const n = rounds++;
      let exit: VictimExit;
      if (random.chance(0.25)) {
        cliRounds++;
        const runs = acks.filter((a) => a.op === 'run' && a.status === 'succeeded');
        const op = random.pick(['run', 'publish', ...(runs.length > 0 ? ['replay'] : [])]);
        let args: string[];
        if (op === 'run') {
          args = ['run', CRASH_WORKFLOW_FILE, '-i', `n=${random.between(1, 12)}`];
          args.push('--fixtures', CRASH_FIXTURES, '--json');
        } else if (op === 'replay') {
          args = ['replay', (random.pick(runs) as { id: string }).id, '--json'];
        } else {
          const file = path.join('pubs', `p${n}.yaml`);
          writeFileSync(
            path.join(dir, file),
            `name: ${CLI_PUBLISHED}\nsteps:\n  - id: a\n    transform: ${n}\n`,
          );
          args = ['publish', file, '-m', `round ${n}`, '--json'];
        }
        exit = await startCli(args, dir).killAfter(random.between(0, 1500));
        if (!exit.killed) {
          // It finished first: what it printed is acknowledged.
          if (exit.code !== 0)
            errors.push(`lockstep ${args.join(' ')}: exit ${exit.code}: ${exit.stderr}`);
          else acks.push(cliAck(op, exit.stdout));
        }
      } else {
        const victim = startVictim(WORKER, [dir, `w${n}`, String(random.int(2 ** 32))], dir);
        // Timed from its own progress (its `ready` line, then 0–4 operations) plus up to 400 ms:
        // under load Node's start-up alone can take seconds, and kills there would test little.
        await victim.printedLines(1 + random.int(5), 30_000);
        exit = await victim.killAfter(random.between(0, 400));
        acks.push(
          ...ackLines<Ack | { op: 'ready' }>(exit.stdout).filter((a): a is Ack => a.op !== 'ready'),
        );
        if (!exit.killed)
          errors.push(`worker w${n} exited by itself (${exit.code}): ${exit.stderr}`);
      }
      if (exit.killed) kills++;
    };
    const lane = async (): Promise<void> => {
      // Bounded, so a suite whose victims all finish before being killed still ends.
      while (kills < target && rounds < target * 3 && errors.length === 0) await round();
    };
    await Promise.all([lane(), lane()]);

    // Check the files as the kills left them, before anything opens the store again.
    const root = path.join(dir, '.lockstep');
    const files = auditStoreFiles(root);

    const store = await openFsStore(root);
    t.after(() => store.close());
    let runsLost = 0;
    let statusChanged = 0;
    let versionsLost = 0;
    const lost: string[] = [];
    for (const ack of acks) {
      if (ack.op === 'run' || ack.op === 'replay') {
        const record = await store.getRun(ack.id);
        if (!record) {
          runsLost++;
          lost.push(`run ${ack.id}`);
        } else if (record.status !== ack.status) {
          statusChanged++;
          lost.push(`run ${ack.id}: ${ack.status} → ${record.status}`);
        }
      } else if (ack.op === 'publish') {
        const publication = (await store.listPublications(ack.workflow)).find(
          (p) => p.seq === ack.seq,
        );
        if (publication?.version !== ack.version) {
          versionsLost++;
          lost.push(`${ack.workflow} v${ack.seq}`);
        }
      } else if (
        ack.op === 'snapshot' &&
        (await store.getVersion(ack.workflow, ack.version as ContentId)) === undefined
      ) {
        versionsLost++;
        lost.push(`${ack.workflow} ${ack.version}`);
      }
    }
    let seqGaps = 0;
    for (const workflow of [PUBLISHED_WORKFLOW, CLI_PUBLISHED]) {
      const seqs = (await store.listPublications(workflow)).map((p) => p.seq);
      if (seqs.some((seq, i) => seq !== i + 1)) seqGaps++;
    }

    // A fresh process, as the next command: its index catches up with every journal.
    const listed = await runLockstep(['runs', 'flow', '--limit', '100000', '--json'], {
      cwd: dir,
      env: HERMETIC_ENV,
    });
    assert.equal(listed.code, 0, listed.stderr);
    const runs = (JSON.parse(listed.stdout) as { runs: { id: string; status: string }[] }).runs;
    const indexed = new Set(runs.map((r) => r.id));
    const notIndexed = [...files.journals.values()].filter(
      (file) => !indexed.has(path.basename(file, '.jsonl')),
    );
    const missingFromIndex = notIndexed.length;
    const stillRunning = runs.filter((r) => r.status === 'running').length;
    const interrupted = runs.filter((r) => r.status === 'interrupted').length;
    const verified = await runLockstep(['verify', '--json'], { cwd: dir, env: HERMETIC_ENV });

    const counts = {
      kills,
      cliKills: cliRounds,
      acknowledged: acks.length,
      runs: files.journals.size,
      interrupted,
      runsLost,
      statusChanged,
      versionsLost,
      seqGaps,
      corruptFiles: files.corrupt.length,
      notIndexed: missingFromIndex,
      stillRunning,
      verifyFailures: verified.code === 0 ? 0 : 1,
      processErrors: errors.length,
    };
    recordResult('crash', {
      ok:
        runsLost +
          statusChanged +
          versionsLost +
          seqGaps +
          files.corrupt.length +
          missingFromIndex +
          stillRunning +
          counts.verifyFailures +
          errors.length ===
        0,
      seed,
      counts,
      notes: [
        `torn log tails ${files.tornTails}, temporary files left ${files.tempFiles}, journals without a header ${files.headerless}`,
      ],
      durationMs: Date.now() - started,
    });

    assert.deepEqual(errors, [], 'victims that failed by themselves');
    assert.ok(kills >= target, `only ${kills} of ${target} kills landed in ${rounds} rounds`);
    assert.deepEqual(files.corrupt, [], 'corrupt files');
    assert.deepEqual(lost, [], 'acknowledged but lost');
    assert.equal(seqGaps, 0, "a gap in a workflow's seq");
    assert.deepEqual(notIndexed, [], 'journals a fresh process does not list');
    assert.equal(stillRunning, 0, 'runs whose writer is dead but that read as running');
    assert.ok(interrupted <= kills, `${interrupted} interrupted runs from ${kills} kills`);
    assert.equal(verified.code, 0, `lockstep verify: ${verified.stdout}${verified.stderr}`);
  },
);

/** What a CLI command that finished acknowledged, from its `--json` output. */
function cliAck(op: string, stdout: string): Ack {
  const out = JSON.parse(stdout) as Record<string, unknown>;
  if (op === 'run') return { op: 'run', id: String(out['id']), status: String(out['status']) };
  if (op === 'replay') {
    const replay = out['replay'] as { id: string; status: string };
    return { op: 'replay', id: replay.id, status: replay.status };
  }
  const publication = out['publication'] as { seq: number; version: string };
  return { op: 'publish', workflow: CLI_PUBLISHED, ...publication };
}
