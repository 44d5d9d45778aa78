/**
 * What the channel-changing commands share: opening the workspace's store, changing the channel
 * (see channel-service.ts) and how a change is reported.
 */
import { RefError } from '../model/errors.js';
import { checkChannelName, checkWorkflowName } from '../model/names.js';
import { changeChannel, type DecideChange } from '../node/services/channel-service.js';
import { Workspace } from '../node/workspace/workspace.js';
import { describeTargets } from '../channels/describe.js';
import type { CommandContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { printJson } from './output.js';

/** Options every channel-changing command takes. */
export interface ChannelCommandOptions {
  readonly channel: string;
  readonly message?: string;
  /** Change only if the channel is still at this revision (a compare and swap a script controls). */
  readonly ifRevision?: string;
  readonly json?: boolean;
}

/**
 * Opens the store, reads the channel, lets `decide` build the change, appends it and reports.
 * The change is decided on the revision read here; the store refuses it with `conflict` when
 * another process changed the channel in between.
 */
export async function changeChannelCommand(
  context: CommandContext,
  workflow: string,
  options: ChannelCommandOptions,
  decide: DecideChange,
): Promise<ExitCode> {
  checkWorkflowName(workflow);
  checkChannelName(options.channel);
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore();
  try {
    const outcome = await changeChannel(workspace, store, workflow, options.channel, decide, {
      ...(options.message === undefined ? {} : { message: options.message }),
      ...(options.ifRevision === undefined ? {} : { ifRevision: revisionOf(options.ifRevision) }),
    });
    if (!outcome.applied) throw new Error('a change that was not previewed was not appended');
    const { state: after, entry } = outcome;
    if (options.json) {
      printJson(context.output, { channel: after.channel, workflow, change: entry, state: after });
    } else {
      context.output.out(
        `${workflow} ${after.channel} r${after.revision} (${entry.action}): ${describeTargets(entry.from)} → ${describeTargets(entry.to)}`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function revisionOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new RefError(
      'usage',
      `--if-revision ${text}: give the channel's revision, a whole number`,
    );
  }
  return n;
}
