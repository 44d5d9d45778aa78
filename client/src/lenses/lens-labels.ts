/**
 * What the lenses above a workflow file say, as pure functions (unit-tested without an editor):
 * the version state above `name:`, the run count, and each step's last result.
 */
import type { FileVersionResult, StepResult } from '../../../core/src/service/protocol.js';
import { channelList } from '../status/status-label.js';
import { formatDuration, versionLabel } from '../views/history/labels.js';

/**
 * `v7` (with the channels that route to it: `v7 · production 10%`), `unpublished changes`,
 * `2 errors`: the file's content as a version.
 */
export function versionStateLabel(version: FileVersionResult, dirty: boolean): string {
  if (dirty) return 'unsaved changes';
  if (version.state === 'invalid') {
    return `not runnable: ${version.errors} error${version.errors === 1 ? '' : 's'}`;
  }
  if (version.seq !== undefined) {
    const channels = channelList(version.channels ?? []);
    return `v${version.seq}${channels ? ` · ${channels}` : ''}`;
  }
  return version.latestSeq === undefined
    ? 'unpublished'
    : `unpublished changes (latest v${version.latestSeq})`;
}

/** `12 runs`. */
export function runCountLabel(runs: number): string {
  return `${runs} run${runs === 1 ? '' : 's'}`;
}

/**
 * `✓ 1.2 s · 340 tok · v7`, `✗ timeout · v7`, with `· edited since` once the step's definition
 * differs from the one that ran.
 */
export function stepResultLabel(result: StepResult): string {
  const tokens = result.tokens ? result.tokens.input + result.tokens.output : 0;
  const head =
    result.status === 'failed'
      ? `✗ ${result.error?.code ?? 'failed'}`
      : result.status === 'succeeded'
        ? [
            '✓',
            result.durationMs === undefined ? '' : ` ${formatDuration(result.durationMs)}`,
            tokens > 0 ? ` · ${tokens} tok` : '',
          ].join('')
        : result.status === 'skipped'
          ? '– skipped'
          : result.status === 'cancelled'
            ? '⊘ cancelled'
            : '● running';
  return `${head} · ${versionLabel(result.version)}${result.stale ? ' · edited since' : ''}`;
}

/** The lens's tooltip: the whole error, and what clicking does. */
export function stepResultTooltip(step: string, result: StepResult): string {
  return [
    `steps.${step}: ${result.status} in run ${result.run} (${versionLabel(result.version)})`,
    result.error ? `${result.error.code}: ${result.error.message}` : undefined,
    result.stale ? 'The step was edited since that run.' : undefined,
    'Click to open the run at this step.',
  ]
    .filter((line): line is string => line !== undefined)
    .join('\n');
}
