/** `lockstep rollback <name> --channel <c>`: undo the channel's latest change not yet undone. */
import { rollbackChange } from '../../channels/changes.js';
import { changeChannelCommand, type ChannelCommandOptions } from '../channel-command.js';
import type { CommandContext } from '../context.js';
import type { ExitCode } from '../exit-codes.js';

/** Appends a rollback to the control log; repeating it walks further back. */
export async function rollbackCommand(
  context: CommandContext,
  workflow: string,
  options: ChannelCommandOptions,
): Promise<ExitCode> {
  return changeChannelCommand(context, workflow, options, async (_store, state, meta) =>
    rollbackChange(workflow, options.channel, state, meta),
  );
}
