/**
 * The options `lockstep test` and `lockstep gate` share: the report's format and file, what a
 * replay does on a miss, and each replay's time limit; checked the same way, written the same way.
 */
import { writeFile } from 'node:fs/promises';
import { FileError, UsageError } from '../model/errors.js';
import { MISS_POLICIES, type MissPolicy } from '../replay/replay-executor.js';
import type { CommandContext } from './context.js';
import { displayPath } from './output.js';

export interface ReportCommandOptions {
  readonly format?: string;
  readonly output?: string;
  readonly json?: boolean;
  readonly onMiss?: string;
  readonly fixtures?: string;
  readonly timeout?: string;
}

export const REPORT_FORMATS = ['text', 'junit', 'json', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The replay flags given (only those given). */
export interface ReplayFlags {
  readonly onMiss?: MissPolicy;
  readonly fixtures?: string;
  readonly timeoutMs?: number;
}

/**
 * The format (`--json` is `json`; `-o` alone means JUnit) and the replay settings.
 * @throws UsageError naming the option that is wrong.
 */
export function readReportOptions(options: ReportCommandOptions): {
  format: ReportFormat;
  replay: ReplayFlags;
} {
  const format = options.json ? 'json' : (options.format ?? (options.output ? 'junit' : 'text'));
  if (!REPORT_FORMATS.includes(format as ReportFormat)) {
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
  return {
    format: format as ReportFormat,
    replay: {
      ...(options.onMiss !== undefined ? { onMiss: options.onMiss as MissPolicy } : {}),
      ...(options.fixtures !== undefined ? { fixtures: options.fixtures } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
    },
  };
}

/**
 * Prints the report, or writes it to `-o` and prints its text form (the summary people read).
 * @throws FileError when the file cannot be written.
 */
export async function emitReport(
  context: CommandContext,
  options: ReportCommandOptions,
  format: ReportFormat,
  render: (format: ReportFormat) => string,
): Promise<void> {
  if (options.output === undefined) {
    context.output.write(render(format));
    return;
  }
  await writeFile(options.output, render(format)).catch((error: NodeJS.ErrnoException) => {
    throw new FileError(
      'unreadable-file',
      `${displayPath(options.output!)}: cannot write the report (${error.code ?? error.message})`,
    );
  });
  if (format !== 'text') context.output.write(render('text'));
}

/**
 * A gate's `--sample` and `--max-changed` (`5` or `5%`), as numbers (only those given).
 * @throws UsageError naming the option that is wrong.
 */
export function readGateFlags(options: {
  readonly sample?: string;
  readonly maxChanged?: string;
}): {
  sample?: number;
  maxChangedPercent?: number;
} {
  const sample = options.sample === undefined ? undefined : Number(options.sample);
  if (sample !== undefined && !(Number.isInteger(sample) && sample >= 1 && sample <= 10_000)) {
    throw new UsageError(`--sample ${options.sample}: give a number of runs from 1 to 10000`);
  }
  const maxChanged =
    options.maxChanged === undefined ? undefined : Number(options.maxChanged.replace(/%$/, ''));
  if (maxChanged !== undefined && !(maxChanged >= 0 && maxChanged <= 100)) {
    throw new UsageError(`--max-changed ${options.maxChanged}: give a percentage from 0 to 100`);
  }
  return {
    ...(sample !== undefined ? { sample } : {}),
    ...(maxChanged !== undefined ? { maxChangedPercent: maxChanged } : {}),
  };
}
