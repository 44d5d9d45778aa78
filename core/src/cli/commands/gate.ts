/**
 * `lockstep gate <candidate-ref> --baseline <channel|ref>`: replays a deterministic sample of the
 * baseline's real runs against the candidate and fails (exit 1) when more of them changed than
 * `--max-changed` allows; for CI before a promotion (JUnit, Markdown for the pull request, JSON).
 */
import { UsageError } from '../../model/errors.js';
import type { ContentId } from '../../model/content-id.js';
import { importBundle, readBundle } from '../../node/services/bundles.js';
import { recordGateReport, runGate } from '../../node/services/gate.js';
import { currentAuthor } from '../../node/workspace/git.js';
import type { Store } from '../../store/store.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { looksLikeFile } from '../../versions/refs.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatGateReport } from '../gate-reports.js';
import { displayPath } from '../output.js';
import { printImport } from './import.js';
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
  readonly bundle?: string;
  readonly maxChanged?: string;
}

/** Exit 0 when the gate passes, 1 when it fails, 130 when cancelled. */
export async function gateCommand(
  context: CommandContext,
  ref: string,
  options: GateCommandOptions,
): Promise<ExitCode> {
  const { format, replay } = readReportOptions(options);
  if (options.runs !== undefined && (options.sample ?? options.bundle) !== undefined) {
    throw new UsageError('--runs names the runs: give it without --sample or --bundle');
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
    const pool =
      options.bundle === undefined
        ? undefined
        : await importForGate(context, workspace, store, options.bundle);
    const report = await runGate(workspace, store, ref, {
      baseline: options.baseline,
      signal: interrupt.signal,
      ...gateFlags,
      ...(runs !== undefined ? { runs } : {}),
      ...(pool !== undefined ? { pool } : {}),
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

/**
 * Imports the bundle a gate draws its runs from (runs a recorded gate cites must stay in the
 * store), saying what it added on stderr (stdout may be the report).
 */
async function importForGate(
  context: CommandContext,
  workspace: Workspace,
  store: Store,
  file: string,
): Promise<{ bundle: ContentId; runs: string[] }> {
  const bundle = await readBundle(file, displayPath(file));
  const result = await importBundle(store, bundle, {
    actor: await currentAuthor(workspace.root),
    at: new Date().toISOString(),
  });
  printImport(context.output, displayPath(file), result, 'err');
  return { bundle: bundle.id, runs: bundle.runs.map((run) => run.header.id) };
}
