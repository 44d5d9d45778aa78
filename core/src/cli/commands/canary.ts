/**
 * `lockstep canary <ref> --channel <c> --weight <pct>`: start or grow a canary;
 * `lockstep canary --abort <name> --channel <c>`: return all traffic to the stable version.
 */
import {
  abortChange,
  canaryChange,
  DEFAULT_MIN_RUNS,
  parseAbortIf,
} from '../../channels/changes.js';
import { checkSticky } from '../../channels/sticky.js';
import { UsageError } from '../../model/errors.js';
import { publishedVersion, refWorkflow } from '../../node/services/channel-service.js';
import { changeChannelCommand, type ChannelCommandOptions } from '../channel-command.js';
import type { CommandContext } from '../context.js';
import type { ExitCode } from '../exit-codes.js';

export interface CanaryOptions extends ChannelCommandOptions {
  readonly weight?: string;
  readonly sticky?: string;
  readonly abortIf?: string[];
  readonly minRuns?: string;
  /** With --abort, the argument is a workflow name. */
  readonly abort?: boolean;
}

/** Appends a canary change (or an abort) to the control log. */
export async function canaryCommand(
  context: CommandContext,
  target: string,
  options: CanaryOptions,
): Promise<ExitCode> {
  if (options.abort) {
    if (options.weight !== undefined || options.sticky !== undefined || options.abortIf) {
      throw new UsageError(
        'canary --abort <name> --channel <c> takes no --weight, --sticky or --abort-if',
      );
    }
    return changeChannelCommand(context, target, options, async (_store, state, meta) =>
      abortChange(target, options.channel, state, meta),
    );
  }
  if (options.weight === undefined) {
    throw new UsageError(`canary ${target}: give --weight <percent> (100 completes the rollout)`);
  }
  const weight = Number(options.weight.replace(/%$/, ''));
  if (!Number.isFinite(weight)) {
    throw new UsageError(`--weight ${options.weight}: give a percentage above 0, at most 100`);
  }
  const minRuns = options.minRuns === undefined ? DEFAULT_MIN_RUNS : Number(options.minRuns);
  if (!Number.isInteger(minRuns) || minRuns < 1) {
    throw new UsageError(`--min-runs ${options.minRuns}: give a whole number of runs, at least 1`);
  }
  const abortIf = options.abortIf?.map((text) => parseAbortIf(text, minRuns));
  const workflow = refWorkflow(target);
  return changeChannelCommand(context, workflow, options, async (store, state, meta) => {
    const { version } = await publishedVersion(store, target);
    const record = await store.getVersion(workflow, version.version);
    const sticky =
      options.sticky === undefined
        ? undefined
        : checkSticky(options.sticky, Object.keys(record?.definition.inputs ?? {}));
    return canaryChange(
      workflow,
      options.channel,
      state,
      version,
      {
        weight,
        ...(sticky === undefined ? {} : { sticky }),
        ...(abortIf === undefined ? {} : { abortIf }),
      },
      meta,
    );
  });
}
