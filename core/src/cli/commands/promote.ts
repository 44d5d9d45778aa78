/**
 * `lockstep promote <ref> --channel <c>`: put a published version on a channel at 100 %, citing
 * the gate that admitted it when one was recorded (`--require-gate`: only with a passing one).
 */
import { promoteChange } from '../../channels/changes.js';
import { admittingGate } from '../../gate/admission.js';
import { publishedVersion, refWorkflow } from '../../node/services/channel-service.js';
import { changeChannelCommand, type ChannelCommandOptions } from '../channel-command.js';
import type { CommandContext } from '../context.js';
import type { ExitCode } from '../exit-codes.js';

export interface PromoteOptions extends ChannelCommandOptions {
  readonly requireGate?: boolean;
}

/** Appends a promotion to the control log (exit 2 on a conflict, an unknown version, no gate). */
export async function promoteCommand(
  context: CommandContext,
  ref: string,
  options: PromoteOptions,
): Promise<ExitCode> {
  const workflow = refWorkflow(ref);
  return changeChannelCommand(context, workflow, options, async (store, state, meta) => {
    const { version } = await publishedVersion(store, ref);
    const request = promoteChange(workflow, options.channel, state, version, meta);
    const gate = await admittingGate(
      store,
      workflow,
      options.channel,
      version,
      state,
      options.requireGate,
    );
    return gate ? { ...request, gate } : request;
  });
}
