/**
 * What the History view says about versions and runs, as pure functions (unit-tested without an
 * editor): labels, descriptions, tooltips and which icon a status gets.
 */
import type {
  ChannelShareItem,
  RunItem,
  VersionItem,
} from '../../../../core/src/service/protocol.js';
import { relativeAge } from '../../status/relative-age.js';

/** `v7`, or `@ab12cd34` for a snapshot. */
export function versionLabel(version: { readonly id: string; readonly seq?: number }): string {
  return version.seq !== undefined ? `v${version.seq}` : `@${version.id.slice(7, 15)}`;
}

/** `production 90% · 2 h ago · Ada Lovelace · 12 runs` (its channels first, when it has any). */
export function versionDescription(version: VersionItem, now: Date): string {
  const when = relativeAge(new Date(version.publishedAt ?? version.createdAt), now);
  const runs = version.runs ?? 0;
  const badges = channelBadges(version.channels ?? []);
  return `${badges ? `${badges} · ` : ''}${when} · ${authorName(version.author)} · ${runs} run${runs === 1 ? '' : 's'}`;
}

/** A version's channels: `production 100%`, `production 10% candidate · staging 100%`. */
export function channelBadges(channels: readonly ChannelShareItem[]): string {
  return channels
    .map((c) => `${c.channel} ${c.share}%${c.candidate ? ' candidate' : ''}`)
    .join(' · ');
}

/** The message, the commit and the full hash. */
export function versionTooltip(version: VersionItem): string {
  return [
    version.message ?? (version.seq === undefined ? 'Snapshot (not published)' : undefined),
    version.git
      ? `commit ${version.git.commit.slice(0, 12)}${version.git.dirty ? ' (uncommitted changes)' : ''}`
      : undefined,
    `${version.author}`,
    version.id,
  ]
    .filter((line): line is string => line !== undefined)
    .join('\n');
}

/** The codicon for a run's status (`loading~spin` while it runs). */
export function statusIcon(status: RunItem['status']): string {
  switch (status) {
    case 'running':
      return 'loading~spin';
    case 'succeeded':
      return 'pass';
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'circle-slash';
    case 'interrupted':
      return 'debug-disconnect';
  }
}

/** The theme colour of a status icon (testing colours, which every theme defines). */
export function statusColor(status: RunItem['status']): string | undefined {
  switch (status) {
    case 'succeeded':
      return 'testing.iconPassed';
    case 'failed':
    case 'interrupted':
      return 'testing.iconFailed';
    default:
      return undefined;
  }
}

/** A run's label: when it started (`5 min ago`). */
export function runLabel(run: RunItem, now: Date): string {
  return relativeAge(new Date(run.startedAt), now);
}

/** `✓ 1.4 s · 812 tok · live`, or `running · step notes[2]` while it runs. */
export function runDescription(run: RunItem, now: Date): string {
  if (run.status === 'running') {
    const elapsed = formatDuration(now.getTime() - Date.parse(run.startedAt));
    return `running ${elapsed}${run.currentStep ? ` · ${run.currentStep}` : ''} · ${run.mode}`;
  }
  const parts = [
    `${STATUS_MARK[run.status]}${run.durationMs === undefined ? '' : ` ${formatDuration(run.durationMs)}`}`,
    ...(run.tokens ? [`${run.tokens.input + run.tokens.output} tok`] : []),
    run.mode === 'replay-against' ? 'replay against' : run.mode,
    ...(run.routing ? [routedThrough(run.routing)] : []),
  ];
  return parts.join(' · ');
}

/** `via production` for the stable side of a channel, `via production (candidate)` for its canary. */
function routedThrough(routing: NonNullable<RunItem['routing']>): string {
  return `via ${routing.channel}${routing.target === 'candidate' ? ' (candidate)' : ''}`;
}

const STATUS_MARK: Record<RunItem['status'], string> = {
  running: '…',
  succeeded: '✓',
  failed: '✗',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

/** `320 ms`, `1.4 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A run's tooltip: its id, status, version and the start of its input. */
export function runTooltip(run: RunItem, input: unknown | undefined): string {
  const preview = input === undefined ? undefined : JSON.stringify(input, null, 2);
  return [
    `Run ${run.id}`,
    `${run.status} · ${versionLabel(run.version)} · ${run.mode}${run.parent ? ` · called by run ${run.parent}` : ''}`,
    `started ${run.startedAt.replace('T', ' ').slice(0, 19)} UTC`,
    ...(run.routing
      ? [
          `routed by ${run.routing.channel} to its ${run.routing.target} version (bucket ${run.routing.bucket})`,
        ]
      : []),
    ...(preview === undefined
      ? []
      : ['', 'Input:', preview.length > 600 ? `${preview.slice(0, 600)}…` : preview]),
  ].join('\n');
}

/** `Ada Lovelace <ada@example.com>` → `Ada Lovelace`. */
function authorName(author: string): string {
  return author.replace(/\s*<[^>]*>$/, '') || author;
}
