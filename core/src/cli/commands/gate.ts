/**
 * `lockstep gate <candidate-ref> --baseline <channel|ref>`: replays a deterministic sample of the
 * baseline's real runs against the candidate and fails (exit 1) when more of them changed than
 * `--max-changed` allows; for CI before a promotion (JUnit, Markdown for the pull request, JSON).
 */
import { UsageError } from '../../model/errors.js';
import { recordGateReport, runGate } from '../../node/services/gate.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { looksLikeFile } from '../../versions/refs.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatGateReport } from '../gate-reports.js';
import { cancelOnInterrupt } from '../interrupt.js';
import {
  emitReport,
  readGateFlags,
  readReportOptions,
  type ReportCommandOptions,
} from '../report-options.js';
import { findRunId } from '../run-ids.js';

export interface GateCommandOptions extends ReportCommandOptions {
  readonly baseline: string;
  readonly sample?: string;
  readonly runs?: string;
  readonly maxChanged?: string;
}

/** Exit 0 when the gate passes, 1 when it fails, 130 when cancelled. */
export async function gateCommand(
  context: CommandContext,
  ref: string,
  options: GateCommandOptions,
): Promise<ExitCode> {
  const { format, replay } = readReportOptions(options);
  if (options.sample !== undefined && options.runs !== undefined) {
    throw new UsageError('--sample and --runs: give one of them');
  }
  const gateFlags = readGateFlags(options);
  const file = looksLikeFile(ref);
  const workspace = file
    ? await Workspace.forFile(ref, context.global)
    : await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore({ create: file });
  const interrupt = cancelOnInterrupt(context.output, 'the gate');
  try {
    const runs =
      options.runs === undefined
        ? undefined
        : await Promise.all(
            options.runs
              .split(',')
              .map((id) => id.trim())
              .filter((id) => id !== '')
              .map((id) => findRunId(store, id)),
          );
    if (runs !== undefined && runs.length === 0) {
      throw new UsageError('--runs: give run ids separated by commas');
    }
    const report = await runGate(workspace, store, ref, {
      baseline: options.baseline,
      signal: interrupt.signal,
      ...gateFlags,
      ...(runs !== undefined ? { runs } : {}),
      ...replay,
    });
    // A finished gate is recorded here: `promote --require-gate` looks for it.
    if (!report.cancelled) await recordGateReport(workspace, store, report);
    await emitReport(context, options, format, (f) => formatGateReport(report, f));
    if (report.cancelled) return EXIT.cancelled;
    return report.pass ? EXIT.ok : EXIT.problems;
  } finally {
    interrupt.dispose();
    await store.close();
  }
}
