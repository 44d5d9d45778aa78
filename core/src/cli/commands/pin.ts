/** `lockstep pin <run> -m <reason>` and `lockstep unpin <run>`: keep a run from `lockstep prune`. */
import { currentAuthor } from '../../node/workspace/git.js';
import { Workspace } from '../../node/workspace/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { findRunId } from '../run-ids.js';

export interface PinOptions {
  readonly message?: string;
  readonly json?: boolean;
}

/** Pins (or with `unpin`, unpins) a run; recorded in the local log. */
export async function pinCommand(
  context: CommandContext,
  id: string,
  options: PinOptions,
  unpin = false,
): Promise<ExitCode> {
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore();
  try {
    const run = await findRunId(store, id);
    const meta = { run, actor: await currentAuthor(workspace.root), at: new Date().toISOString() };
    if (unpin) await store.unpinRun(meta);
    else await store.pinRun({ ...meta, reason: options.message ?? '' });
    if (options.json) printJson(context.output, { run, pinned: !unpin });
    else context.output.out(`${unpin ? 'Unpinned' : 'Pinned'} run ${run}`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
