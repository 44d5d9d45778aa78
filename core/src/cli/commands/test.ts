/**
 * `lockstep test <file|ref>`: replays every regression baseline of the workflow against that
 * version and judges each by the outputs' comparison rules; for CI (JUnit, Markdown, JSON).
 */
import { writeFile } from 'node:fs/promises';
import { FileError, UsageError } from '../../model/errors.js';
import { testBaselines } from '../../node/services/baseline-tests.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { MISS_POLICIES, type MissPolicy } from '../../replay/replay-executor.js';
import { looksLikeFile } from '../../versions/refs.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { cancelOnInterrupt } from '../interrupt.js';
import { displayPath } from '../output.js';
import { formatTestReport, TEST_FORMATS, type TestFormat } from '../test-reports.js';

export interface TestOptions {
  readonly format?: string;
  readonly output?: string;
  readonly onMiss?: string;
  readonly fixtures?: string;
  readonly timeout?: string;
  readonly json?: boolean;
}

/** Exit 0 when every baseline passes, 1 when any fails, 130 when cancelled. */
export async function testCommand(
  context: CommandContext,
  ref: string,
  options: TestOptions,
): Promise<ExitCode> {
  const format = options.json ? 'json' : (options.format ?? (options.output ? 'junit' : 'text'));
  if (!TEST_FORMATS.includes(format as TestFormat)) {
    throw new UsageError(`--format ${format}: use junit, json, markdown or text`);
  }
  if (options.json && options.format !== undefined && options.format !== 'json') {
    throw new UsageError(`--json and --format ${options.format}: give one of them`);
  }
  if (options.onMiss !== undefined && !MISS_POLICIES.includes(options.onMiss as MissPolicy)) {
    throw new UsageError(`--on-miss ${options.onMiss}: use live, stub or fail`);
  }
  const timeoutSeconds = options.timeout === undefined ? undefined : Number(options.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0 && timeoutSeconds <= 86_400)) {
    throw new UsageError(`--timeout ${options.timeout}: give a number of seconds (up to 86400)`);
  }
  const file = looksLikeFile(ref);
  const workspace = file
    ? await Workspace.forFile(ref, context.global)
    : await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore({ create: file });
  const interrupt = cancelOnInterrupt(context.output, 'the test');
  try {
    const report = await testBaselines(workspace, store, ref, {
      signal: interrupt.signal,
      ...(options.onMiss !== undefined ? { onMiss: options.onMiss as MissPolicy } : {}),
      ...(options.fixtures !== undefined ? { fixtures: options.fixtures } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
    });
    if (report.results.length === 0 && !report.cancelled) {
      context.output.err(
        `lockstep: note: ${report.workflow} has no baselines (add one with \`lockstep baselines ${report.workflow} add <run-id>\`)`,
      );
    }
    const rendered = formatTestReport(report, format as TestFormat);
    if (options.output !== undefined) {
      await writeFile(options.output, rendered).catch((error: NodeJS.ErrnoException) => {
        throw new FileError(
          'unreadable-file',
          `${displayPath(options.output!)}: cannot write the report (${error.code ?? error.message})`,
        );
      });
      if (format !== 'text') context.output.write(formatTestReport(report, 'text'));
    } else {
      context.output.write(rendered);
    }
    if (report.cancelled) return EXIT.cancelled;
    return report.results.every((r) => r.pass) ? EXIT.ok : EXIT.problems;
  } finally {
    interrupt.dispose();
    await store.close();
  }
}
