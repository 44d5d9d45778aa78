/** `lockstep promote <ref> --channel <c>`: put a published version on a channel at 100 %. */
import { promoteChange } from '../../channels/changes.js';
import { publishedVersion, refWorkflow } from '../../node/services/channel-service.js';
import { changeChannelCommand, type ChannelCommandOptions } from '../channel-command.js';
import type { CommandContext } from '../context.js';
import type { ExitCode } from '../exit-codes.js';

/** Appends a promotion to the control log (exit 2 on a conflict or an unknown version). */
export async function promoteCommand(
  context: CommandContext,
  ref: string,
  options: ChannelCommandOptions,
): Promise<ExitCode> {
  const workflow = refWorkflow(ref);
  return changeChannelCommand(context, workflow, options, async (store, state, meta) => {
    const { version } = await publishedVersion(store, ref);
    return promoteChange(workflow, options.channel, state, version, meta);
  });
}
