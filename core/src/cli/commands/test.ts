/**
 * `lockstep test <file|ref>`: replays every regression baseline of the workflow against that
 * version and judges each by the outputs' comparison rules; for CI (JUnit, Markdown, JSON).
 */
import { testBaselines } from '../../node/services/baseline-tests.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { looksLikeFile } from '../../versions/refs.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { cancelOnInterrupt } from '../interrupt.js';
import { emitReport, readReportOptions, type ReportCommandOptions } from '../report-options.js';
import { formatTestReport } from '../test-reports.js';

export type TestOptions = ReportCommandOptions;
/** Exit 0 when every baseline passes, 1 when any fails, 130 when cancelled. */
export async function testCommand(
  context: CommandContext,
  ref: string,
  options: TestOptions,
): Promise<ExitCode> {
  const { format, replay } = readReportOptions(options);
  const file = looksLikeFile(ref);
  const workspace = file
    ? await Workspace.forFile(ref, context.global)
    : await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore({ create: file });
  const interrupt = cancelOnInterrupt(context.output, 'the test');
  try {
    const report = await testBaselines(workspace, store, ref, {
      signal: interrupt.signal,
      ...replay,
    });
    if (report.results.length === 0 && !report.cancelled) {
      context.output.err(
        `lockstep: note: ${report.workflow} has no baselines (add one with \`lockstep baselines ${report.workflow} add <run-id>\`)`,
      );
    }
    await emitReport(context, options, format, (f) => formatTestReport(report, f));
    if (report.cancelled) return EXIT.cancelled;
    return report.results.every((r) => r.pass) ? EXIT.ok : EXIT.problems;
  } finally {
    interrupt.dispose();
    await store.close();
  }
}
