/** `lockstep compare <runA> <runB>`: two runs side by side, step by step. */
import { Workspace } from '../../node/workspace/workspace.js';
import { compareRuns } from '../../replay/compare.js';
import { printComparison } from '../comparison-output.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { findRunId } from '../run-ids.js';

export interface CompareOptions {
  readonly json?: boolean;
}

/** Exit 0 when every step and the output are identical, 1 when anything differs. */
export async function compareCommand(
  context: CommandContext,
  idA: string,
  idB: string,
  options: CompareOptions,
): Promise<ExitCode> {
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore();
  try {
    const [a, b] = await Promise.all([findRunId(store, idA), findRunId(store, idB)]);
    const [runA, runB] = await Promise.all([store.getRun(a), store.getRun(b)]);
    const config = await workspace.config();
    const comparison = compareRuns(runA!, runB!, config.prices ?? {});
    if (options.json) printJson(context.output, comparison);
    else printComparison(context.output, comparison);
    const identical =
      comparison.output.kind === 'same' && comparison.steps.every((s) => s.change === 'identical');
    return identical ? EXIT.ok : EXIT.problems;
  } finally {
    await store.close();
  }
}
