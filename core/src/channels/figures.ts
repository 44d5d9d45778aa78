/**
 * A channel's health figures: per version it routes to, the figures of the runs it routed over
 * the last hour and the last day (what `lockstep channels` prints and the editor's channel node
 * shows). Read from the runs themselves, newest first, stopping at the day's start.
 */
import type { ContentId } from '../model/content-id.js';
import type { RunRecord } from '../model/runs.js';
import type { Prices } from '../replay/compare.js';
import { targetVersions, type ChannelState } from '../store/channel-records.js';
import type { Store } from '../store/store.js';
import { figuresOf, type RunFigures } from './health.js';

/** The most runs of one version read for the figures. */
const FIGURE_RUNS = 10_000;
const HOUR_MS = 3_600_000;

/** One version's figures on a channel. */
export interface VersionFigures {
  readonly seq: number;
  readonly version: ContentId;
  readonly lastHour: RunFigures;
  readonly lastDay: RunFigures;
}

/**
 * The figures of each version the channel routes to now (stable first, then the candidate).
 * @param now ms since the epoch: the windows end there.
 */
export async function channelFigures(
  store: Store,
  state: ChannelState,
  prices: Prices,
  now: number,
): Promise<VersionFigures[]> {
  const figures: VersionFigures[] = [];
  for (const target of targetVersions(state.targets)) {
    const runs = await routedRuns(store, state, target.version, now - 24 * HOUR_MS);
    const recent = runs.filter((r) => Date.parse(r.header.startedAt) >= now - HOUR_MS);
    figures.push({
      seq: target.seq,
      version: target.version,
      lastHour: figuresOf(recent, prices),
      lastDay: figuresOf(runs, prices),
    });
  }
  return figures;
}

/** Runs of `version` that this channel routed, started since `since` (ms). */
async function routedRuns(
  store: Store,
  state: ChannelState,
  version: ContentId,
  since: number,
): Promise<RunRecord[]> {
  const summaries = await store.listRuns({
    workflow: state.workflow,
    version,
    // Only what this channel routed: direct runs of the version must not crowd out the window.
    channel: state.channel,
    limit: FIGURE_RUNS,
  });
  const records: RunRecord[] = [];
  for (const summary of summaries) {
    if (Date.parse(summary.startedAt) < since) break; // newest first
    const record = await store.getRun(summary.id);
    if (record?.header.routing?.channel === state.channel) records.push(record);
  }
  return records;
}
