/**
 * A process the crash suite kills: it runs, replays, snapshots and publishes in one workspace
 * until it is killed (SIGKILL, at a random moment), printing one JSON line per operation only
 * once the operation returned (an acknowledgement: what the store promised to keep).
 *
 *   node crash-worker.js <workspace> <worker-id> <seed>
 *
 * Lines: `{"op":"ready"}` once the store is open, then `{"op":"run","id","status"}`, `{"op":"replay","id","of","status"}`,
 * `{"op":"publish","workflow","seq","version"}`, `{"op":"snapshot","workflow","version"}`.
 */
import path from 'node:path';
import { Lockstep } from '../../../core/src/index.js';
import { replayInWorkspace } from '../../../core/src/node/services/replay-service.js';
import { loadFixtures } from '../../../core/src/node/services/run-service.js';
import { draft, publishOf } from '../../helpers/store-drafts.js';
import { Prng } from '../lib/prng.js';
import { CRASH_FIXTURES, CRASH_WORKFLOW_FILE, PUBLISHED_WORKFLOW } from './crash-workspace.js';

function ack(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const [workspace, worker, seedText] = process.argv.slice(2);
  if (!workspace || !worker || !seedText) {
    throw new Error('usage: crash-worker <workspace> <worker-id> <seed>');
  }
  const random = new Prng(Number(seedText));
  const lockstep = await Lockstep.open(workspace);
  const fixtures = await loadFixtures(path.join(workspace, CRASH_FIXTURES));
  // The file once (a snapshot of it), then that version by id: runs skip re-reading the file and
  // asking git for provenance, so more of them fit between two kills.
  let ref = path.join(workspace, CRASH_WORKFLOW_FILE);
  ack({ op: 'ready' });
  for (let index = 0; ; index++) {
    const op = random.pick(['run', 'run', 'run', 'replay', 'publish', 'snapshot'] as const);
    if (op === 'run') {
      const run = await lockstep.run(ref, { input: { n: random.between(1, 12) }, fixtures });
      ref = `flow@${run.version.id}`;
      ack({ op, id: run.id, status: run.status });
    } else if (op === 'replay') {
      // Reading the history goes through the index: a kill can land in its catch-up too.
      const finished = (await lockstep.runs({ workflow: 'flow', limit: 20 })).filter(
        (r) => r.status === 'succeeded' && r.mode === 'scripted',
      );
      if (finished.length === 0) continue;
      const of = random.pick(finished).id;
      const report = await replayInWorkspace(lockstep.workspace, lockstep.store, of);
      ack({ op, id: report.replay.id, of, status: report.replay.status });
    } else {
      const version = draft(PUBLISHED_WORKFLOW, { worker, index }, { author: worker });
      if (op === 'snapshot') {
        const saved = await lockstep.store.saveVersion(version);
        ack({ op, workflow: PUBLISHED_WORKFLOW, version: saved.version.id });
      } else {
        const { publication } = await lockstep.store.publish(
          publishOf(version, { message: `${worker} #${index}`, author: worker }),
        );
        ack({
          op,
          workflow: PUBLISHED_WORKFLOW,
          seq: publication.seq,
          version: publication.version,
        });
      }
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
