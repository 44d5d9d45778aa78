/**
 * What the runner's page shows, computed from the runner's state: every label, option, error
 * and step row, so the page (media/runner.js) only renders, and unit tests check it all without
 * an editor. Pure: no `vscode`; the time comes in as `now` (running steps' elapsed time).
 */
import { fieldViews, type FieldView } from '../../runner/form-model.js';
import {
  WORKING_COPY,
  type RunProgress,
  type RunnerState,
  type StepProgress,
} from '../../runner/runner-state.js';
import { formatDuration, versionLabel } from '../../views/history/labels.js';

export interface Option {
  readonly value: string;
  readonly label: string;
}

export interface FieldRow extends FieldView {
  readonly text: string;
  readonly error?: string;
}

export interface StepRowView {
  readonly path: string;
  readonly status: StepProgress['status'];
  /** A text symbol for the status (the page ships no icon font). */
  readonly symbol: string;
  /** `classify succeeded`: what a screen reader says of the row. */
  readonly statusText: string;
  /** `1.2 s`; a running step's elapsed time. */
  readonly elapsed: string;
  /** `340 tok`. */
  readonly tokens?: string;
  /** `timeout: the model did not answer within 30 s`. */
  readonly error?: string;
}

export interface RunView {
  /** `support-triage v3`; `Starting the run…` until the service answers. */
  readonly title: string;
  readonly status: RunProgress['status'];
  readonly symbol: string;
  readonly steps: readonly StepRowView[];
  /** One line once it finished: `✓ succeeded in 1.4 s · 812 tok → {"category":"billing"}`. */
  readonly result?: string;
  /** What the live region says (changes only when a step or the run changes state). */
  readonly announcement: string;
  readonly canCancel: boolean;
  readonly canOpenDetails: boolean;
  /** Whether Replay… is offered: the run started and has ended. */
  readonly canReplay: boolean;
}

export interface RunnerView {
  /** False in an untrusted workspace: the page says why and Run is disabled. */
  readonly trusted: boolean;
  readonly workflows: readonly Option[];
  readonly workflow?: string;
  readonly targetGroups: readonly {
    readonly label: string;
    readonly options: readonly Option[];
  }[];
  readonly target: string;
  readonly mode: 'live' | 'scripted';
  /** The fixtures file's path, for a scripted run. */
  readonly fixtures?: string;
  readonly fields: readonly FieldRow[];
  /** A problem that belongs to no field, or why the workflow cannot be read. */
  readonly formError?: string;
  readonly recent: readonly Option[];
  readonly canRun: boolean;
  /** Why Run is disabled, when it is. */
  readonly runDisabledReason?: string;
  readonly run?: RunView;
  readonly notice?: {
    readonly kind: 'error' | 'info';
    readonly text: string;
    /** The button's label (`Set secrets.OPENAI_API_KEY…`), when there is one. */
    readonly action?: string;
  };
}

/** The words an untrusted workspace gets, in the runner and above workflow files. */
export const UNTRUSTED_TEXT =
  'Runs are disabled in Restricted Mode: a workflow file may come from someone else. Trust this workspace to run it (history stays readable).';

const SYMBOLS: Record<StepProgress['status'] | RunProgress['status'], string> = {
  starting: '…',
  running: '●',
  succeeded: '✓',
  failed: '✗',
  skipped: '–',
  cancelled: '⊘',
};

export function runnerView(state: RunnerState, now: number): RunnerView {
  const running =
    state.run !== undefined && (state.run.status === 'starting' || state.run.status === 'running');
  const runDisabledReason = !state.trusted
    ? UNTRUSTED_TEXT
    : state.workflow === undefined
      ? 'Open or choose a workflow file to run.'
      : state.loadError !== undefined
        ? 'Fix the workflow file first.'
        : running
          ? 'A run is in progress.'
          : state.mode === 'scripted' && !state.fixtures
            ? 'Choose a fixtures file for a scripted run.'
            : undefined;
  const groups = new Map<string, Option[]>();
  for (const target of state.targets) {
    const options = groups.get(target.group) ?? [];
    options.push({
      value: target.ref,
      label: target.description ? `${target.label} — ${target.description}` : target.label,
    });
    groups.set(target.group, options);
  }
  const formError = state.loadError ?? state.errors[''];
  return {
    trusted: state.trusted,
    workflows: state.workflows.map((w) => ({
      value: w.uri,
      label: w.name ? `${w.name} (${w.label})` : w.label,
    })),
    ...(state.workflow === undefined ? {} : { workflow: state.workflow }),
    targetGroups: [...groups].map(([label, options]) => ({ label, options })),
    target: state.targets.some((t) => t.ref === state.target) ? state.target : WORKING_COPY,
    mode: state.mode,
    ...(state.fixtures ? { fixtures: state.fixtures.label } : {}),
    fields: fieldViews(state.inputs).map((field) => ({
      ...field,
      text: state.texts[field.name] ?? '',
      ...(state.errors[field.name] ? { error: state.errors[field.name] } : {}),
    })),
    ...(formError === undefined ? {} : { formError }),
    recent: state.recent.map((r) => ({
      value: r.run,
      label: `${r.startedAt.slice(0, 16).replace('T', ' ')} · ${oneLine(r.input, 60)}`,
    })),
    canRun: runDisabledReason === undefined,
    ...(runDisabledReason === undefined ? {} : { runDisabledReason }),
    ...(state.run ? { run: runView(state.run, now) } : {}),
    ...(state.notice
      ? {
          notice: {
            kind: state.notice.kind,
            text: state.notice.text,
            ...(state.notice.setSecrets?.length
              ? {
                  action: `Set ${state.notice.setSecrets.map((n) => `secrets.${n}`).join(', ')}…`,
                }
              : {}),
          },
        }
      : {}),
  };
}

function runView(run: RunProgress, now: number): RunView {
  const started = run.started;
  const title = started
    ? `${started.workflow} ${versionLabel(started.version)}`
    : 'Starting the run…';
  // Iterations (`notes[2]`) fold into their step's row.
  const steps = run.steps
    .filter((s) => s.path === s.step)
    .map((s): StepRowView => {
      const tokens = s.tokens ? s.tokens.input + s.tokens.output : 0;
      return {
        path: s.path,
        status: s.status,
        symbol: SYMBOLS[s.status],
        statusText: `${s.path} ${s.status}`,
        elapsed: formatDuration(s.durationMs ?? Math.max(0, now - s.startedAt)),
        ...(tokens > 0 ? { tokens: `${tokens} tok` } : {}),
        // A cancelled step's row says so already: its error adds nothing.
        ...(s.error && s.status !== 'cancelled'
          ? { error: `${s.error.code}: ${s.error.message}` }
          : {}),
      };
    });
  const finished = run.finished;
  const tokens = run.steps.reduce(
    (sum, s) => sum + (s.tokens ? s.tokens.input + s.tokens.output : 0),
    0,
  );
  const result = finished
    ? [
        `${SYMBOLS[finished.status]} ${finished.status} in ${formatDuration(finished.durationMs)}`,
        tokens > 0 ? ` · ${tokens} tok` : '',
        finished.error
          ? ` — ${finished.error.code}: ${finished.error.message}`
          : finished.status === 'succeeded'
            ? ` → ${oneLine(finished.output, 200)}`
            : '',
      ].join('')
    : undefined;
  const last = steps.at(-1);
  const announcement = result
    ? `Run ${result}`
    : run.cancelling
      ? 'Cancelling the run'
      : last
        ? `${last.statusText}`
        : 'Run starting';
  return {
    title,
    status: run.status,
    symbol: SYMBOLS[run.status],
    steps,
    ...(result === undefined ? {} : { result }),
    announcement,
    canCancel: (run.status === 'starting' || run.status === 'running') && !run.cancelling,
    canOpenDetails: started !== undefined,
    canReplay: started !== undefined && run.status !== 'starting' && run.status !== 'running',
  };
}

/** A value as one line of JSON, cut to `max` characters. */
function oneLine(value: unknown, max: number): string {
  const text = value === undefined ? '' : (JSON.stringify(value) ?? '');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
