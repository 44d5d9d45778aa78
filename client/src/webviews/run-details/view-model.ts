/**
 * What the run details webview shows, computed from a run's details: every label, duration, bar
 * and preview, so the webview only renders (and unit tests check it all without an editor). Pure:
 * no `vscode`; the time comes in as `now` (a running run's elapsed time and bars depend on it).
 * The view crosses to the webview with postMessage: plain data only.
 */
import type {
  EffectItem,
  RunDetails,
  RunItem,
  StepItem,
} from '../../../../core/src/service/protocol.js';
import type { RunValuePart } from '../../documents/run-value-uri.js';
import { formatDuration, versionLabel } from '../../views/history/labels.js';

/** Longest value preview, in characters: the rest opens as a document. */
export const PREVIEW_LIMIT = 2_000;

/** A row's status: a step's, or `interrupted` for a step left running by a run that ended. */
export type RowStatus = StepItem['status'] | 'interrupted';

/** How a status looks: a codicon name, a text symbol (the webview ships no icon font), words. */
export interface StatusLook {
  readonly icon: string;
  readonly symbol: string;
  readonly text: string;
}

export interface HeaderView {
  readonly workflow: string;
  /** `v3`, or `@ab12cd34` for a snapshot. */
  readonly version: string;
  /** `live`, `replay against`… */
  readonly mode: string;
  readonly status: RunItem['status'];
  readonly look: StatusLook;
  /** `2026-12-04 11:55:00 UTC`. */
  readonly started: string;
  /** `1.4 s`; a running run's elapsed time; empty when unknown. */
  readonly duration: string;
  /** `812 tok (700 in · 112 out)`. */
  readonly tokens?: string;
  /** `$0.0012`, only when prices are configured. */
  readonly cost?: string;
  /** `production r3 · candidate · bucket 8123 (sticky)`, when a channel routed the run. */
  readonly channel?: string;
}

/** A recorded value: the start of its pretty JSON, and what to ask to open all of it. */
export interface ValueView {
  readonly text: string;
  /** True when `text` was cut at PREVIEW_LIMIT characters. */
  readonly large: boolean;
  readonly open: { readonly path: string; readonly part: RunValuePart; readonly index?: number };
}

export interface ErrorView {
  readonly code: string;
  readonly message: string;
}

export interface EffectView {
  readonly kind: string;
  readonly key: string;
  /** `320 ms`. */
  readonly latency: string;
  readonly tokens?: string;
  /** Where a replay served it from, when it was served. */
  readonly served?: string;
  readonly request?: ValueView;
  readonly response?: ValueView;
  readonly error?: ErrorView;
}

export interface StepRow {
  readonly path: string;
  /** The step's id in the definition (what Open Definition goes to). */
  readonly step: string;
  readonly kind?: string;
  readonly status: RowStatus;
  readonly look: StatusLook;
  /** `1.2 s`; a running step's elapsed time; empty for a skipped step. */
  readonly duration: string;
  /** Where the step sits on the run's timeline, in percent of the run's span. */
  readonly bar: { readonly offsetPct: number; readonly widthPct: number };
  readonly tokens?: string;
  /** Only when the step took more than one attempt. */
  readonly attempts?: number;
  readonly provenance?: string;
  /** Whether the row opens expanded (the first failed step only). */
  readonly expanded: boolean;
  readonly error?: ErrorView;
  readonly input?: ValueView;
  readonly output?: ValueView;
  readonly effects: readonly EffectView[];
}

export interface RunDetailsView {
  readonly runId: string;
  /** The tab's title: `Run 11:55 · triage v3` (UTC, like the header). */
  readonly title: string;
  readonly running: boolean;
  /** What the live region says: progress while running, then the outcome. */
  readonly progress: string;
  readonly header: HeaderView;
  readonly error?: ErrorView;
  /** The run's input, and its output once it finished with one (`open.path` is `''`). */
  readonly input?: ValueView;
  readonly output?: ValueView;
  readonly steps: readonly StepRow[];
  /** The index of the first failed row, if any. */
  readonly firstFailed?: number;
  /** Whether Replay… is offered (the run has ended). */
  readonly canReplay: boolean;
  /** Whether Add to Baselines is offered (the run succeeded). */
  readonly canAddBaseline: boolean;
}

/** Everything the run details webview shows of `details`, as of `now`. */
export function runDetailsViewModel(details: RunDetails, now: Date): RunDetailsView {
  const { run } = details;
  const running = run.status === 'running';
  const start = Date.parse(run.startedAt);
  const end = runEnd(details, now.getTime());
  const rows = details.steps.map((step) =>
    stepRow(step, running, { start, end, now: now.getTime() }),
  );
  const failed = rows.findIndex((row) => row.status === 'failed');
  const steps = rows.map((row, index) => ({ ...row, expanded: index === failed }));
  const version = versionLabel(run.version);
  const duration = running ? formatDuration(now.getTime() - start) : runDuration(run);
  const tokens = run.tokens ?? sumTokens(details.steps);
  const input = valueView(details.input, { path: '', part: 'input' });
  // A failed run's output is null: only a value it produced is shown.
  const output =
    running || details.output === null
      ? undefined
      : valueView(details.output, { path: '', part: 'output' });
  return {
    runId: run.id,
    title: `Run ${utc(start).slice(11, 16)} · ${run.workflow} ${version}`,
    running,
    progress: progressText(details, duration),
    header: {
      workflow: run.workflow,
      version,
      mode: run.mode === 'replay-against' ? 'replay against' : run.mode,
      status: run.status,
      look: RUN_LOOKS[run.status],
      started: `${utc(start)} UTC`,
      duration,
      ...(tokens ? { tokens: tokensText(tokens) } : {}),
      ...(details.cost === undefined ? {} : { cost: costText(details.cost) }),
      ...(details.routing ? { channel: routingText(details.routing) } : {}),
    },
    ...(details.error ? { error: { ...details.error } } : {}),
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    steps,
    ...(failed === -1 ? {} : { firstFailed: failed }),
    canReplay: !running,
    canAddBaseline: run.status === 'succeeded',
  };
}

/** Where a run's timeline ends: when it finished, now while it runs, else its last step's end. */
function runEnd(details: RunDetails, now: number): number {
  const { run } = details;
  if (run.finishedAt !== undefined) return Date.parse(run.finishedAt);
  if (run.status === 'running') return now;
  // Interrupted without an end: the last thing recorded is the best end there is.
  const times = details.steps.map((s) => Date.parse(s.finishedAt ?? s.startedAt));
  return Math.max(Date.parse(run.startedAt), ...times);
}

function runDuration(run: RunItem): string {
  if (run.durationMs !== undefined) return formatDuration(run.durationMs);
  if (run.finishedAt === undefined) return '';
  return formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt));
}

function stepRow(
  step: StepItem,
  runRunning: boolean,
  span: { start: number; end: number; now: number },
): Omit<StepRow, 'expanded'> {
  // A step still "running" in a run that ended will never finish: say so instead of spinning.
  const status: RowStatus = step.status === 'running' && !runRunning ? 'interrupted' : step.status;
  const from = Date.parse(step.startedAt);
  const to =
    step.finishedAt !== undefined
      ? Date.parse(step.finishedAt)
      : status === 'running'
        ? span.now
        : span.end;
  const effects = step.effects.map((effect, index) => effectView(step.path, effect, index));
  const input = valueView(step.input, { path: step.path, part: 'input' });
  // A step that did not succeed is recorded with a null output: only a value it produced is shown.
  const output =
    step.status !== 'succeeded' && step.output === null
      ? undefined
      : valueView(step.output, { path: step.path, part: 'output' });
  return {
    path: step.path,
    step: step.step,
    ...(step.kind === undefined ? {} : { kind: step.kind }),
    status,
    look: STEP_LOOKS[status],
    duration: status === 'skipped' ? '' : formatDuration(to - from),
    bar: bar(from, to, span),
    ...(step.tokens ? { tokens: tokensText(step.tokens) } : {}),
    ...(step.attempts !== undefined && step.attempts > 1 ? { attempts: step.attempts } : {}),
    ...(step.provenance ? { provenance: step.provenance } : {}),
    ...(step.error ? { error: { ...step.error } } : {}),
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    effects,
  };
}

function effectView(path: string, effect: EffectItem, index: number): EffectView {
  const request = valueView(effect.request, { path, part: 'effect-request', index });
  const response = valueView(effect.response, { path, part: 'effect-response', index });
  return {
    kind: effect.kind,
    key: effect.key,
    latency: formatDuration(effect.latencyMs),
    ...(effect.tokens ? { tokens: tokensText(effect.tokens) } : {}),
    ...(effect.served ? { served: effect.served } : {}),
    ...(request ? { request } : {}),
    ...(response ? { response } : {}),
    ...(effect.error ? { error: { ...effect.error } } : {}),
  };
}

/** A step's place on the timeline, clamped to the run's span (clocks and rounding drift). */
function bar(from: number, to: number, span: { start: number; end: number }): StepRow['bar'] {
  const total = Math.max(span.end - span.start, 1);
  const offset = clamp(((from - span.start) / total) * 100, 0, 100);
  const width = clamp(((to - from) / total) * 100, 0, 100 - offset);
  return { offsetPct: round2(offset), widthPct: round2(width) };
}

/** The pretty JSON of a value, cut at PREVIEW_LIMIT; undefined when nothing was recorded. */
export function valueView(value: unknown, open: ValueView['open']): ValueView | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value, null, 2) ?? String(value);
  if (text.length <= PREVIEW_LIMIT) return { text, large: false, open };
  // Never cut a surrogate pair in two: half a character renders as a replacement box.
  const high = text.charCodeAt(PREVIEW_LIMIT - 1);
  const cut = high >= 0xd800 && high <= 0xdbff ? PREVIEW_LIMIT - 1 : PREVIEW_LIMIT;
  return { text: text.slice(0, cut), large: true, open };
}

/** `812 tok (700 in · 112 out)`. */
export function tokensText(tokens: { readonly input: number; readonly output: number }): string {
  return `${tokens.input + tokens.output} tok (${tokens.input} in · ${tokens.output} out)`;
}

/** `$0.0012` under a dollar, `$1.25` from a dollar up. */
export function costText(usd: number): string {
  return `$${usd.toFixed(usd >= 1 ? 2 : 4)}`;
}

/** The steps' tokens added up (a running run has no total yet); undefined when none used any. */
function sumTokens(steps: readonly StepItem[]): { input: number; output: number } | undefined {
  const used = steps.flatMap((s) => (s.tokens ? [s.tokens] : []));
  if (used.length === 0) return undefined;
  return {
    input: used.reduce((sum, t) => sum + t.input, 0),
    output: used.reduce((sum, t) => sum + t.output, 0),
  };
}

function progressText(details: RunDetails, duration: string): string {
  const { run, steps } = details;
  if (run.status !== 'running') {
    return `Run ${run.status}${duration ? ` in ${duration}` : ''}`;
  }
  const done = steps.filter((s) => s.status !== 'running').length;
  const on = run.currentStep ? `, on step ${run.currentStep}` : '';
  return `Running: ${done} step${done === 1 ? '' : 's'} finished${on}`;
}

const RUN_LOOKS: Record<RunItem['status'], StatusLook> = {
  running: { icon: 'loading~spin', symbol: '◌', text: 'running' },
  succeeded: { icon: 'pass', symbol: '✓', text: 'succeeded' },
  failed: { icon: 'error', symbol: '✗', text: 'failed' },
  cancelled: { icon: 'circle-slash', symbol: '⊘', text: 'cancelled' },
  interrupted: { icon: 'debug-disconnect', symbol: '⚠', text: 'interrupted' },
};

const STEP_LOOKS: Record<RowStatus, StatusLook> = {
  running: RUN_LOOKS.running,
  succeeded: RUN_LOOKS.succeeded,
  failed: RUN_LOOKS.failed,
  cancelled: RUN_LOOKS.cancelled,
  interrupted: RUN_LOOKS.interrupted,
  skipped: { icon: 'debug-step-over', symbol: '↷', text: 'skipped' },
};

/** `2026-12-04 11:55:00` (UTC). */
function utc(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '';
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, min), max) : min;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** How a channel routed the run, in one line. */
function routingText(routing: NonNullable<RunDetails['routing']>): string {
  const bucket = routing.sticky ? 'sticky' : routing.inherited ? "its parent's" : 'random';
  return `${routing.channel} r${routing.revision} · ${routing.target} · bucket ${routing.bucket} (${bucket})`;
}
