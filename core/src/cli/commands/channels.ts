/**
 * `lockstep channels <name>`: each channel of a workflow (where it points, its history) and, per
 * version it routes to, the figures of its routed runs over the last hour and day.
 */
import {
  describeFigures,
  describeRule,
  describeTargets,
  describeTrigger,
  wasRolledBack,
} from '../../channels/describe.js';
import { channelFigures, type VersionFigures } from '../../channels/figures.js';
import { checkWorkflowName } from '../../model/names.js';
import { Workspace } from '../../node/workspace/workspace.js';
import type { ChannelState } from '../../store/channel-records.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, shortTime } from '../output.js';

export interface ChannelsOptions {
  readonly json?: boolean;
}

/** Lists the channels; exit 0 (also when there are none: a note says so). */
export async function channelsCommand(
  context: CommandContext,
  name: string,
  options: ChannelsOptions,
): Promise<ExitCode> {
  checkWorkflowName(name);
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore();
  try {
    const prices = (await workspace.config()).prices ?? {};
    const now = Date.now();
    const channels = await store.listChannels(name);
    const report = [];
    for (const state of channels) {
      const figures = await channelFigures(store, state, prices, now);
      report.push({ ...state, figures });
    }
    if (options.json) {
      printJson(context.output, { workflow: name, channels: report });
      return EXIT.ok;
    }
    if (report.length === 0) {
      context.output.out(
        `${name} has no channels (\`lockstep promote ${name}@<n> --channel production\` sets one)`,
      );
    }
    for (const channel of report) printChannel(context, channel);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function printChannel(
  context: CommandContext,
  channel: ChannelState & { figures: VersionFigures[] },
): void {
  const out = (text: string): void => context.output.out(text);
  out(`${channel.channel}  r${channel.revision}  ${describeTargets(channel.targets)}`);
  for (const rule of channel.targets?.abortIf ?? []) {
    out(`  abort if ${describeRule(rule)}`);
  }
  for (const f of channel.figures) {
    out(`  v${f.seq}  last hour: ${describeFigures(f.lastHour)}`);
    out(`  v${f.seq}  last day:  ${describeFigures(f.lastDay)}`);
  }
  out('  history:');
  for (const h of [...channel.history].reverse()) {
    const undone = wasRolledBack(channel, h) ? ' (rolled back)' : '';
    const why = h.trigger ? describeTrigger(h.trigger) : h.message;
    out(
      `    r${h.revision}  ${shortTime(h.at)}  ${h.action}${undone}  ${describeTargets(h.from)} → ${describeTargets(h.to)}  ${h.actor}${why ? `  ${why}` : ''}`,
    );
  }
}
