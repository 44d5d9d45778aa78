/**
 * What the comparison tab shows of two runs (a recorded run on the left, its replay or another run
 * on the right): summary chips, one row per step aligned by path with its change, provenance,
 * Δ duration and Δ tokens, and each changed value as an inline diff when it is short (the long
 * ones open in VS Code's diff editor). Pure: no `vscode`; the view crosses to the webview with
 * postMessage, plain data only.
 */
import type {
  RunComparison,
  RunDetails,
  StepChange,
  StepItem,
  ValueDiff,
} from '../../../../core/src/service/protocol.js';
import { formatDuration, versionLabel } from '../../views/history/labels.js';

/** Longest inline diff, in characters of its parts: longer values open in the diff editor. */
export const INLINE_DIFF_LIMIT = 600;

/** One piece of an inline diff: kept, added or removed text. */
export interface DiffPart {
  readonly kind: 'same' | 'added' | 'removed';
  readonly text: string;
}

/** A value's change, ready to show. */
export type ValueChangeView =
  /** Short: shown inline, as lines of parts (`path: before → after` for structural changes). */
  | { readonly inline: true; readonly lines: readonly (readonly DiffPart[])[] }
  /** Long: "Open Diff" opens both values side by side (`part` of step `path`). */
  | { readonly inline: false; readonly summary: string };

export interface ComparisonRow {
  readonly path: string;
  readonly change: StepChange;
  /** `output changed`, `identical`, `added`… */
  readonly changeText: string;
  /** Whether the row counts as changed (everything but identical). */
  readonly changed: boolean;
  /** Where the right side's answers came from, in a replay against: recorded, live… */
  readonly provenance?: string;
  readonly left?: { readonly status: string; readonly duration?: string; readonly tokens?: number };
  readonly right?: {
    readonly status: string;
    readonly duration?: string;
    readonly tokens?: number;
  };
  /** `+120 ms`, `−1.2 s`: right minus left, when both ran. */
  readonly deltaDuration?: string;
  /** `+40 tok`, `−12 tok`. */
  readonly deltaTokens?: string;
  /** `regressed` (succeeded → failed) or `fixed` (failed → succeeded). */
  readonly verdict?: 'regressed' | 'fixed';
  readonly output?: ValueChangeView;
  readonly input?: ValueChangeView;
  /** The first step that is not identical. */
  readonly firstDivergence: boolean;
}

export interface ComparisonView {
  /** The tab's title: `support-triage v3 ↔ @ab12cd34`. */
  readonly title: string;
  readonly left: ComparisonSide;
  readonly right: ComparisonSide;
  /** Chips: how many steps changed, were added, removed, unchanged; regressed and fixed. */
  readonly counts: {
    readonly changed: number;
    readonly added: number;
    readonly removed: number;
    readonly unchanged: number;
    readonly regressed: number;
    readonly fixed: number;
  };
  /** One line: `verified: every step and the output identical` or `2 steps changed…`. */
  readonly summary: string;
  readonly rows: readonly ComparisonRow[];
  /** The run's output: changed or not, and how. */
  readonly output: { readonly changed: boolean; readonly change?: ValueChangeView };
  /** Whether the two runs ran different versions (the definition diff is worth opening). */
  readonly versionsDiffer: boolean;
}

export interface ComparisonSide {
  readonly run: string;
  /** `recorded` / `replay`… what the side is: the words above its column. */
  readonly role: string;
  readonly version: string;
  readonly status: string;
  readonly duration?: string;
  readonly tokens?: number;
}

const CHANGE_TEXT: Record<StepChange, string> = {
  identical: 'identical',
  'output-changed': 'output changed',
  'input-changed': 'input changed',
  'status-changed': 'status changed',
  'branch-changed': 'branch changed',
  added: 'added',
  removed: 'removed',
};

/**
 * The comparison of run B (right) against run A (left), with both runs' details for the
 * per-step durations and tokens.
 */
export function comparisonViewModel(
  comparison: RunComparison,
  left: RunDetails,
  right: RunDetails,
  roles: { readonly left: string; readonly right: string; readonly exact?: boolean } = {
    left: 'recorded',
    right: 'replay',
  },
): ComparisonView {
  const stepsLeft = new Map(left.steps.map((s) => [s.path, s]));
  const stepsRight = new Map(right.steps.map((s) => [s.path, s]));
  const rows = comparison.steps.map((step): ComparisonRow => {
    const a = stepsLeft.get(step.path);
    const b = stepsRight.get(step.path);
    const leftFacts = step.a ? sideFacts(step.a.status, a) : undefined;
    const rightFacts = step.b ? sideFacts(step.b.status, b) : undefined;
    const verdict =
      step.a?.status === 'succeeded' && step.b?.status === 'failed'
        ? 'regressed'
        : step.a?.status === 'failed' && step.b?.status === 'succeeded'
          ? 'fixed'
          : undefined;
    const output = step.outputDiff ? valueChange(step.outputDiff) : undefined;
    const input = step.inputDiff ? valueChange(step.inputDiff) : undefined;
    return {
      path: step.path,
      change: step.change,
      changeText: CHANGE_TEXT[step.change],
      changed: step.change !== 'identical',
      ...(step.provenance ? { provenance: step.provenance } : {}),
      ...(leftFacts ? { left: leftFacts } : {}),
      ...(rightFacts ? { right: rightFacts } : {}),
      ...delta(a, b),
      ...(verdict ? { verdict } : {}),
      ...(output ? { output } : {}),
      ...(input ? { input } : {}),
      firstDivergence: comparison.firstDivergence === step.path,
    };
  });
  const count = (change: StepChange) => rows.filter((r) => r.change === change).length;
  const counts = {
    changed: rows.filter((r) => r.changed && r.change !== 'added' && r.change !== 'removed').length,
    added: count('added'),
    removed: count('removed'),
    unchanged: count('identical'),
    regressed: rows.filter((r) => r.verdict === 'regressed').length,
    fixed: rows.filter((r) => r.verdict === 'fixed').length,
  };
  const outputChanged = comparison.output.kind !== 'same';
  const leftSide = side(left, roles.left);
  const rightSide = side(right, roles.right);
  const different = counts.changed + counts.added + counts.removed;
  return {
    title: `${left.run.workflow} ${leftSide.version} ↔ ${rightSide.version}`,
    left: leftSide,
    right: rightSide,
    counts,
    summary:
      different === 0 && !outputChanged && comparison.a.status === comparison.b.status
        ? roles.exact
          ? 'Verified: the replay matched the recording, every step and the output.'
          : 'Identical: every step and the output are the same.'
        : [
            roles.exact ? 'Not verified: ' : '',
            `${different} of ${rows.length} step${rows.length === 1 ? '' : 's'} differ`,
            comparison.firstDivergence ? `, first at ${comparison.firstDivergence}` : '',
            outputChanged ? '; the output changed.' : '; the output is the same.',
          ].join(''),
    rows,
    output: outputChanged
      ? { changed: true, change: valueChange(comparison.output) }
      : { changed: false },
    versionsDiffer: comparison.a.version.id !== comparison.b.version.id,
  };
}

function side(details: RunDetails, role: string): ComparisonSide {
  const { run } = details;
  const tokens = run.tokens ? run.tokens.input + run.tokens.output : undefined;
  return {
    run: run.id,
    role,
    version: versionLabel(run.version),
    status: run.status,
    ...(run.durationMs === undefined ? {} : { duration: formatDuration(run.durationMs) }),
    ...(tokens ? { tokens } : {}),
  };
}

function sideFacts(
  status: string,
  step: StepItem | undefined,
): { status: string; duration?: string; tokens?: number } {
  const ms = stepMs(step);
  const tokens = step?.tokens ? step.tokens.input + step.tokens.output : undefined;
  return {
    status,
    ...(ms === undefined ? {} : { duration: formatDuration(ms) }),
    ...(tokens ? { tokens } : {}),
  };
}

function stepMs(step: StepItem | undefined): number | undefined {
  if (!step?.finishedAt) return undefined;
  return Date.parse(step.finishedAt) - Date.parse(step.startedAt);
}

function delta(
  a: StepItem | undefined,
  b: StepItem | undefined,
): { deltaDuration?: string; deltaTokens?: string } {
  const msA = stepMs(a);
  const msB = stepMs(b);
  const tokA = a?.tokens ? a.tokens.input + a.tokens.output : 0;
  const tokB = b?.tokens ? b.tokens.input + b.tokens.output : 0;
  return {
    ...(msA !== undefined && msB !== undefined
      ? { deltaDuration: signed(msB - msA, formatDuration) }
      : {}),
    ...(a && b && tokA !== tokB ? { deltaTokens: signed(tokB - tokA, (n) => `${n} tok`) } : {}),
  };
}

/** `+12 ms`, `−1.2 s`, `±0 ms`. */
function signed(value: number, format: (magnitude: number) => string): string {
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${format(Math.abs(value))}`;
}

/** A value diff as inline lines of parts, or, when long, a one-line summary for "Open Diff". */
export function valueChange(diff: ValueDiff): ValueChangeView | undefined {
  const lines = inlineLines(diff);
  if (lines === undefined) return undefined;
  const size = lines.reduce((sum, line) => sum + line.reduce((n, p) => n + p.text.length, 0), 0);
  if (size <= INLINE_DIFF_LIMIT) return { inline: true, lines };
  const summary =
    diff.kind === 'structural'
      ? `${diff.changes.length} change${diff.changes.length === 1 ? '' : 's'} (${diff.changes
          .slice(0, 3)
          .map((c) => c.path || '(the whole value)')
          .join(', ')}${diff.changes.length > 3 ? ', …' : ''})`
      : diff.kind === 'text'
        ? `${diff.parts.filter((p) => p.added).length} added and ${diff.parts.filter((p) => p.removed).length} removed parts`
        : 'the value was replaced';
  return { inline: false, summary };
}

function inlineLines(diff: ValueDiff): DiffPart[][] | undefined {
  switch (diff.kind) {
    case 'same':
      return undefined;
    case 'structural':
      return diff.changes.map((change) => {
        const at = change.path === '' ? '' : `${change.path}: `;
        if (change.type === 'added') return [same(at), added(json(change.after))];
        if (change.type === 'removed') return [same(at), removed(json(change.before))];
        return [same(at), removed(json(change.before)), same(' → '), added(json(change.after))];
      });
    case 'text':
      return [
        diff.parts.map((part) =>
          part.added ? added(part.value) : part.removed ? removed(part.value) : same(part.value),
        ),
      ];
    case 'replaced':
      return [[removed(json(diff.before)), same(' → '), added(json(diff.after))]];
  }
}

const same = (text: string): DiffPart => ({ kind: 'same', text });
const added = (text: string): DiffPart => ({ kind: 'added', text });
const removed = (text: string): DiffPart => ({ kind: 'removed', text });

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
