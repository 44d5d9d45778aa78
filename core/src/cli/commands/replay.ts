/** `lockstep replay <run-id>`: re-execute a run exactly, or against another version. */
import { UsageError } from '../../model/errors.js';
import { replayInWorkspace } from '../../node/services/replay-service.js';
import { loadFixtures } from '../../node/services/run-service.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { MISS_POLICIES, type MissPolicy } from '../../replay/replay-executor.js';
import { looksLikeFile } from '../../versions/refs.js';
import { printComparison, printDivergence } from '../comparison-output.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { cancelOnInterrupt } from '../interrupt.js';
import { printJson } from '../output.js';
import { findRunId } from '../run-ids.js';

export interface ReplayOptions {
  readonly against?: string;
  readonly onMiss?: string;
  readonly fixtures?: string;
  readonly allowShell?: boolean;
  readonly json?: boolean;
}

/**
 * Exact: exit 0 when the replay reproduced the recording byte for byte (verified), 1 when it
 * diverged or differs. Against: exit 0 when the replay ran, 1 when it failed; the comparison is
 * printed either way.
 */
export async function replayCommand(
  context: CommandContext,
  id: string,
  options: ReplayOptions,
): Promise<ExitCode> {
  if (options.onMiss !== undefined && !MISS_POLICIES.includes(options.onMiss as MissPolicy)) {
    throw new UsageError(`--on-miss ${options.onMiss}: use live, stub or fail`);
  }
  if (options.onMiss !== undefined && options.against === undefined) {
    throw new UsageError('--on-miss applies to a replay against another version (--against <ref>)');
  }
  const workspace =
    options.against !== undefined && looksLikeFile(options.against)
      ? await Workspace.forFile(options.against, context.global)
      : await Workspace.locate(process.cwd(), context.global);
  const fixtures =
    options.fixtures === undefined ? undefined : await loadFixtures(options.fixtures);
  const store = await workspace.openStore();
  const interrupt = cancelOnInterrupt(context.output, 'the replay');
  try {
    const run = await findRunId(store, id);
    const report = await replayInWorkspace(workspace, store, run, {
      signal: interrupt.signal,
      ...(options.against !== undefined ? { against: options.against } : {}),
      ...(options.onMiss !== undefined ? { onMiss: options.onMiss as MissPolicy } : {}),
      ...(fixtures ? { fixtures } : {}),
      allowShell: options.allowShell === true,
    });
    if (options.json) {
      const { source, ...rest } = report;
      printJson(context.output, {
        ...rest,
        source: { id: source.header.id, version: source.header.version, status: source.status },
      });
    } else {
      const out = (line: string): void => context.output.out(line);
      out(`Replay ${report.replay.id} of run ${report.source.header.id}`);
      if (report.engine.recorded !== report.engine.now) {
        out(
          `note: recorded with engine ${report.engine.recorded}, replayed with ${report.engine.now}`,
        );
      }
      if (report.divergence) printDivergence(context.output, report.divergence);
      if (report.kind === 'exact') {
        out(
          report.verified
            ? 'Verified: the replay reproduced every step and the output exactly.'
            : 'NOT verified: the replay differs from the recording.',
        );
        if (!report.verified) printComparison(context.output, report.comparison);
      } else {
        printComparison(context.output, report.comparison);
      }
    }
    if (report.replay.status === 'cancelled') return EXIT.cancelled;
    if (report.kind === 'exact') return report.verified ? EXIT.ok : EXIT.problems;
    return report.replay.status === 'succeeded' ? EXIT.ok : EXIT.problems;
  } finally {
    interrupt.dispose();
    await store.close();
  }
}
