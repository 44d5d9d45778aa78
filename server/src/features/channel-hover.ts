/**
 * Hover on a channel a `workflow` step is pinned to (`version: production`): where that channel
 * sends runs of the called workflow now, and its latest change, as the store's control log says.
 */
import { isScalar } from 'yaml';
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { describeTargets } from '../../../core/src/channels/describe.js';
import { CHANNEL_NAME } from '../../../core/src/model/names.js';
import { nodeAtOffset } from '../../../core/src/parse/node-at-offset.js';
import type { DocumentAnalysis } from '../analysis/document-analysis.js';
import type { FeatureContext } from '../analysis/feature-context.js';
import { scalarValue } from '../analysis/outline.js';
import { unquoted } from '../analysis/symbol-at.js';
import { offsetsToRange } from '../lsp-ranges.js';
import type { ChannelNow, StoreChannels } from '../store-channels.js';

/** A channel name written as a step's `workflow.version`. */
interface ChannelAt {
  readonly channel: string;
  /** The called workflow; undefined while the step has no `workflow.name`. */
  readonly workflow: string | undefined;
  readonly start: number;
  readonly end: number;
}

/** The hover on a channel name at `offset`, or undefined when no channel is there. */
export async function channelHover(
  context: FeatureContext,
  offset: number,
): Promise<Hover | undefined> {
  const { analysis } = context;
  const at = channelAt(analysis, offset);
  if (!at) return undefined;
  return {
    contents: {
      kind: MarkupKind.Markdown,
      value: describeChannel(await context.channels(), at.workflow, at.channel),
    },
    range: offsetsToRange(analysis.document, at.start, at.end),
  };
}

/** Where `version:` names a channel (not a published number or hash), as the validator reads it. */
function channelAt(analysis: DocumentAnalysis, offset: number): ChannelAt | undefined {
  const found = nodeAtOffset(analysis.doc, offset);
  const node = found?.node;
  if (found?.target !== 'value' || !isScalar(node) || !node.range) return undefined;
  const [first, index, third, fourth] = found.path;
  if (first !== 'steps' || typeof index !== 'number' || found.path.length !== 4) return undefined;
  if (third !== 'workflow' || fourth !== 'version') return undefined;
  if (typeof node.value !== 'string' || !CHANNEL_NAME.test(node.value)) return undefined;
  const step = analysis.outline.steps.find((s) => s.index === index);
  const workflow = scalarValue(step?.node, 'workflow', 'name');
  const [start, end] = unquoted(analysis.text, node.range[0], node.range[1]);
  return {
    channel: node.value,
    workflow: typeof workflow === 'string' ? workflow : undefined,
    start,
    end,
  };
}

/**
 * What a channel means for a workflow, in markdown: its targets and latest change, or plainly
 * why it has none (the store has no such channel, or has it for other workflows only).
 */
export function describeChannel(
  channels: StoreChannels,
  workflow: string | undefined,
  channel: string,
): string {
  const head = `**${channel}**`;
  if (!channels.names.includes(channel)) {
    const known =
      channels.names.length === 0
        ? 'the store has no channels yet'
        : `the store's channels: ${channels.names.join(', ')}`;
    return `${head}: no such channel in the store (${known})`;
  }
  const state = channels.states.find((s) => s.workflow === workflow && s.channel === channel);
  if (!state) {
    const others = channels.states
      .filter((s) => s.channel === channel)
      .map((s) => `\`${s.workflow}\``)
      .sort();
    const called = workflow === undefined ? 'this call (it names no workflow)' : `\`${workflow}\``;
    const elsewhere = others.length === 0 ? '' : `; the store has it for ${others.join(', ')} only`;
    return `${head}: not set for ${called}${elsewhere}`;
  }
  const where = state.targets
    ? `${head} → \`${state.workflow}\` ${describeTargets(state.targets)}`
    : `${head} → nothing for \`${state.workflow}\` (a rollback emptied it)`;
  return `${where}\n\n${describeLastChange(state)}`;
}

/** `revision 5 · last change: canary by alice, 2026-12-05 10:12 UTC — "why"`. */
function describeLastChange(state: ChannelNow): string {
  const { action, actor, at, message, rollsBack } = state.last;
  const what = rollsBack === undefined ? action : `${action} of revision ${rollsBack}`;
  // The log's times are ISO in UTC; minutes are enough to recognise a change.
  const when = `${at.replace('T', ' ').slice(0, 16)} UTC`;
  const why = message === '' ? '' : ` — "${escapeMarkdown(message)}"`;
  return `revision ${state.revision} · last change: ${what} by ${escapeMarkdown(actor)}, ${when}${why}`;
}

/** Free text (a message, a name) shown as itself on one line, not as markdown. */
function escapeMarkdown(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`);
}
