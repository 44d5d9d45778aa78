/**
 * What the runner holds between renders (in the extension host, so that it survives the view
 * being hidden or its page reloaded): the chosen workflow, target, mode and form, and the run it
 * started. Plain data; the controller changes it, the webview's view model reads it.
 */
import type {
  InputField,
  RunProgressParams,
  RunStartResult,
} from '../../../core/src/service/protocol.js';
import type { FormErrors } from './form-model.js';

/** A workflow file the runner can run. */
export interface WorkflowChoice {
  /** The file's URI (as a string): the choice's key. */
  readonly uri: string;
  /** The URI of the workspace folder whose service runs it. */
  readonly folder: string;
  /** The workflow's name (its `name:`), when the file has one. */
  readonly name?: string;
  /** The path shown: relative to its folder. */
  readonly label: string;
}

/** Where a run's definition comes from. */
export interface TargetChoice {
  readonly group: 'Working Copy' | 'Channels' | 'Published Versions' | 'Snapshots';
  /** `file` (the working copy, snapshotted when it runs) or a stored ref (`triage@3`). */
  readonly ref: string;
  readonly label: string;
  readonly description?: string;
}

/** The key of the working copy target. */
export const WORKING_COPY = 'file';

/** A step as the live list shows it. */
export interface StepProgress {
  readonly path: string;
  readonly step: string;
  readonly status: 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  readonly startedAt: number;
  readonly durationMs?: number;
  readonly tokens?: { readonly input: number; readonly output: number };
  readonly error?: { readonly code: string; readonly message: string };
}

/** The run the runner started (or is starting). */
export interface RunProgress {
  /** Set once the service said the run started. */
  readonly started?: RunStartResult;
  readonly folder: string;
  readonly status: 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** Wall clock (ms) when Run was pressed. */
  readonly startedAt: number;
  readonly steps: readonly StepProgress[];
  readonly finished?: Extract<RunProgressParams['event'], { type: 'run-finished' }>;
  /** Set when the user asked to cancel (the service has not said so yet). */
  readonly cancelling?: boolean;
}

/** A message above the form: what stopped the last Run, with what to do about it. */
export interface Notice {
  readonly kind: 'error' | 'info';
  readonly text: string;
  /** A button: set the named secrets and run again. */
  readonly setSecrets?: readonly string[];
}

export interface RunnerState {
  readonly trusted: boolean;
  readonly workflows: readonly WorkflowChoice[];
  /** The chosen workflow's URI. */
  readonly workflow?: string;
  readonly targets: readonly TargetChoice[];
  readonly target: string;
  readonly mode: 'live' | 'scripted';
  /** The fixtures file a scripted run reads: its URI and the path shown. */
  readonly fixtures?: { readonly uri: string; readonly label: string };
  /** The chosen target's declared inputs. */
  readonly inputs: readonly InputField[];
  /** The form's texts by input name. */
  readonly texts: Readonly<Record<string, string>>;
  readonly errors: FormErrors;
  /** Distinct inputs of the workflow's newest runs, newest first. */
  readonly recent: readonly {
    readonly run: string;
    readonly startedAt: string;
    readonly input: unknown;
  }[];
  /** Set while the chosen workflow's definition cannot be read (a broken file). */
  readonly loadError?: string;
  readonly run?: RunProgress;
  readonly notice?: Notice;
}

/** The state before anything is chosen. */
export function initialRunnerState(trusted: boolean): RunnerState {
  return {
    trusted,
    workflows: [],
    targets: [],
    target: WORKING_COPY,
    mode: 'live',
    inputs: [],
    texts: {},
    errors: {},
    recent: [],
  };
}

/** The step list after a progress event (a pure fold). */
export function withProgress(
  run: RunProgress,
  event: RunProgressParams['event'],
  now: number,
): RunProgress {
  switch (event.type) {
    case 'step-started': {
      const step: StepProgress = {
        path: event.path,
        step: event.step,
        status: 'running',
        startedAt: Date.parse(event.at) || now,
      };
      const known = run.steps.findIndex((s) => s.path === event.path);
      // A retried or re-entered step starts again in its place.
      const steps =
        known === -1 ? [...run.steps, step] : run.steps.map((s, i) => (i === known ? step : s));
      return { ...run, status: 'running', steps };
    }
    case 'step-finished': {
      const known = run.steps.find((s) => s.path === event.path);
      const step: StepProgress = {
        path: event.path,
        step: event.step,
        status: event.status,
        startedAt: known?.startedAt ?? now - event.durationMs,
        durationMs: event.durationMs,
        ...(event.tokens ? { tokens: event.tokens } : {}),
        ...(event.error ? { error: event.error } : {}),
      };
      const steps = known ? run.steps.map((s) => (s === known ? step : s)) : [...run.steps, step];
      return { ...run, status: 'running', steps };
    }
    case 'run-finished':
      return {
        ...run,
        status: event.status,
        finished: event,
        cancelling: false,
        // Steps still running when the run ended were stopped with it.
        steps: run.steps.map((s) =>
          s.status === 'running' ? { ...s, status: 'cancelled', durationMs: now - s.startedAt } : s,
        ),
      };
  }
}
