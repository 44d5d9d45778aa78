/** `lockstep verify`: check every stored hash and the control log's chain. */
import type { VerifyReport } from '../../store/store.js';
import { displayPath, plural, printJson, type Output } from '../output.js';
import { openCurrentStore, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export interface VerifyOptions {
  readonly json?: boolean;
}

/** Reports tampering, damage and leftovers of interrupted writes; exit 1 on any error. */
export async function verifyCommand(
  context: CommandContext,
  options: VerifyOptions,
): Promise<ExitCode> {
  const store = await openCurrentStore(context);
  try {
    const report = await store.verify();
    if (options.json) {
      printJson(context.output, { store: store.info.location, ...report });
    } else {
      printVerifyProblems(context.output, report);
      const { versions, entries, blobs } = report.checked;
      const counts = `${plural(versions, 'version')}, ${entries} control-log ${entries === 1 ? 'entry' : 'entries'}, ${plural(blobs, 'blob')}`;
      context.output.out(
        report.ok
          ? `Verified ${displayPath(store.info.location)}: ${counts}, all intact`
          : `${displayPath(store.info.location)} FAILED verification (${counts} checked)`,
      );
    }
    return report.ok ? EXIT.ok : EXIT.problems;
  } finally {
    await store.close();
  }
}

/** A verify report's problems, one line each: `where[:line]: severity: message`. */
export function printVerifyProblems(output: Output, report: VerifyReport): void {
  for (const p of report.problems) {
    const where = p.line === undefined ? displayPath(p.where) : `${displayPath(p.where)}:${p.line}`;
    output.out(`${where}: ${p.severity}: ${p.message}`);
  }
}
