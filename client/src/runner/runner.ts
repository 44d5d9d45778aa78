/**
 * The runner: one per window, in the extension host. It holds what the runner view shows (so the
 * view can be hidden and shown again without losing anything), starts runs in the workspace
 * service of the workflow's folder, follows their progress, and cancels them. The runner view,
 * the CodeLens and History's "Run Again with This Input" all go through it.
 */
import * as vscode from 'vscode';
import {
  RunCancelRequest,
  RunDetailsRequest,
  RunInputsRequest,
  RunStartRequest,
  type RunProgressParams,
} from '../../../core/src/service/protocol.js';
import { CONTEXT_KEYS, SETTINGS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { lockstepCode } from '../error-report.js';
import type { FolderRunProgress } from '../service/services.js';
import { fieldError, fieldErrors, formTexts, parseForm } from './form-model.js';
import { loadErrorText } from './load-error.js';
import { targetChoices, workflowChoices } from './runner-choices.js';
import {
  initialRunnerState,
  withProgress,
  WORKING_COPY,
  type RunProgress,
  type RunnerState,
  type WorkflowChoice,
} from './runner-state.js';

/** How a notice saying the workflows could not be listed starts. */
const LISTING_FAILED = 'The workflows could not be listed: ';

/** A run the runner started, once it finished. */
export interface FinishedRun {
  readonly folder: string;
  readonly run: string;
  readonly workflow: string;
  readonly status: string;
}

export class Runner implements vscode.Disposable {
  private stateValue: RunnerState;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly finishedEmitter = new vscode.EventEmitter<FinishedRun>();
  private readonly focusEmitter = new vscode.EventEmitter<string | undefined>();
  /** Fires whenever what the view shows changed. */
  readonly onDidChange = this.changeEmitter.event;
  /** Fires when a run this runner started finished (the lenses show its results). */
  readonly onDidFinishRun = this.finishedEmitter.event;
  /** Fires when a field (or, undefined, the Run button) should take the focus. */
  readonly onDidRequestFocus = this.focusEmitter.event;
  /** Progress that arrived before the service answered the start (the run id is not known yet). */
  private early: FolderRunProgress[] = [];
  /** Re-renders running steps' elapsed time once a second. */
  private ticker: NodeJS.Timeout | undefined;
  /** Bumped by each choice of workflow or target: a slower earlier load must not win. */
  private loading = 0;
  /** Cancel as soon as the run's id is known (Cancel pressed while it was starting). */
  private cancelWhenStarted = false;
  /** The texts the last Run used (Set Secret runs again with them). */
  private lastTexts: Readonly<Record<string, string>> = {};

  constructor(private readonly ctx: Context) {
    this.stateValue = initialRunnerState(vscode.workspace.isTrusted);
    this.subscriptions.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update({ trusted: true })),
      ctx.services.onDidRunProgress((progress) => this.progress(progress)),
      ctx.services.onDidChangeState((client) => {
        const run = this.stateValue.run;
        if (run && isActive(run.status) && client.folder === folderPath(run.folder)) {
          if (client.state !== 'ready' && client.state !== 'starting') this.serviceLost();
        }
      }),
      ctx.services.onDidChangeStore((change) => {
        // Nothing listed (the store could not be read, say, until its password was set): the
        // service (re)started or the store changed, so look again.
        if (this.stateValue.workflows.length === 0) {
          void this.refreshWorkflows().catch(() => undefined);
          return;
        }
        const chosen = this.chosen();
        if (!chosen || change.folder.uri.toString() !== chosen.folder) return;
        if (change.changes.includes('versions')) void this.loadTargets(this.loading);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // The runner follows the active workflow file, unless a run is on.
        const uri = editor?.document.uri.toString();
        if (!uri || uri === this.stateValue.workflow || this.isRunning()) return;
        if (this.stateValue.workflows.some((w) => w.uri === uri)) void this.choose(uri);
      }),
    );
  }

  get state(): RunnerState {
    return this.stateValue;
  }

  /**
   * Reads the workflow files again; chooses the active editor's file when nothing is chosen. A
   * Lockstep error (a team store that refused the login, say) is shown above the form until a
   * later refresh succeeds (the services restart when the password is set); anything else throws.
   */
  async refreshWorkflows(): Promise<void> {
    let workflows: RunnerState['workflows'];
    try {
      workflows = await workflowChoices(this.ctx.services);
    } catch (error) {
      const code = lockstepCode(error);
      if (code === undefined) throw error;
      const text = `${LISTING_FAILED}${error instanceof Error ? error.message : String(error)}`;
      this.ctx.output.warn(`${text} (${code})`);
      this.update({ notice: { kind: 'error', text } });
      return;
    }
    const listingFailed = this.stateValue.notice?.text.startsWith(LISTING_FAILED) === true;
    this.update({ workflows, ...(listingFailed ? { notice: undefined } : {}) });
    const current = this.stateValue.workflow;
    if (current && workflows.some((w) => w.uri === current)) return;
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    const next = workflows.find((w) => w.uri === active) ?? workflows[0];
    if (next) await this.choose(next.uri);
  }

  /**
   * Chooses a workflow file: its targets (working copy first) and its inputs, the form filled
   * with `texts` (or left as it was for inputs of the same name).
   */
  async choose(
    uri: string,
    options: { readonly texts?: Readonly<Record<string, string>>; readonly target?: string } = {},
  ): Promise<void> {
    if (!this.stateValue.workflows.some((w) => w.uri === uri)) {
      this.update({ workflows: await workflowChoices(this.ctx.services) });
    }
    const choice = this.stateValue.workflows.find((w) => w.uri === uri);
    if (!choice) {
      throw new Error(
        `${vscode.Uri.parse(uri).fsPath} is not a workflow file of an open workspace folder with a valid name`,
      );
    }
    const token = ++this.loading;
    this.update({
      workflow: uri,
      target: options.target ?? WORKING_COPY,
      targets: [],
      errors: {},
      notice: undefined,
      ...(this.isRunning() ? {} : { run: undefined }),
    });
    await Promise.all([this.loadTargets(token), this.loadInputs(token, options.texts)]);
  }

  async pickTarget(ref: string): Promise<void> {
    const token = ++this.loading;
    this.update({ target: ref, errors: {} });
    await this.loadInputs(token);
  }

  pickMode(mode: 'live' | 'scripted'): void {
    this.update({ mode });
  }

  /** Asks for the fixtures file of scripted runs. */
  async chooseFixtures(): Promise<void> {
    const chosen = this.chosen();
    const [file] =
      (await vscode.window.showOpenDialog({
        title: 'Fixtures for scripted runs',
        canSelectMany: false,
        filters: { 'Lockstep fixtures': ['yaml', 'yml'] },
        ...(chosen ? { defaultUri: vscode.Uri.parse(chosen.folder) } : {}),
      })) ?? [];
    if (!file) return;
    this.update({
      mode: 'scripted',
      fixtures: { uri: file.toString(), label: vscode.workspace.asRelativePath(file) },
    });
  }

  /** A field's text changed: an error it showed is checked again (new ones wait for Run). */
  edit(field: string, text: string): void {
    const input = this.stateValue.inputs.find((i) => i.name === field);
    if (!input) return;
    const texts = { ...this.stateValue.texts, [field]: text };
    const errors = { ...this.stateValue.errors };
    if (errors[field] !== undefined) {
      const error = fieldError(input, text);
      if (error === undefined) delete errors[field];
      else errors[field] = error;
    }
    this.update({ texts, errors });
  }

  /** Fills the form with a recent run's input. */
  useRecent(run: string): void {
    const recent = this.stateValue.recent.find((r) => r.run === run);
    if (recent) this.update({ texts: formTexts(this.stateValue.inputs, recent.input), errors: {} });
  }

  /**
   * Chooses the workflow of a past run and fills the form with its input (History's "Run Again
   * with This Input"); the target is the working copy.
   */
  async fillFrom(folder: string, runId: string): Promise<void> {
    const client = this.ctx.services.forFolder(folder);
    if (!client) throw new Error(`no workspace folder ${folder} is open`);
    const details = await client.request(RunDetailsRequest, { id: runId });
    let workflows = this.stateValue.workflows;
    const find = () =>
      workflows.find((w) => w.folder === folder && w.name === details.run.workflow);
    if (!find()) {
      workflows = await workflowChoices(this.ctx.services);
      this.update({ workflows });
    }
    const choice = find();
    if (!choice) {
      throw new Error(
        `no workflow file of ${folderPath(folder)} is named ${details.run.workflow}: open or restore one to run it again`,
      );
    }
    await this.choose(choice.uri);
    this.update({ texts: formTexts(this.stateValue.inputs, details.input), errors: {} });
  }

  /**
   * Runs the chosen workflow with the form (or `texts`): checks the form, then starts the run in
   * the workspace service. Resolves once the run started (or did not: the form or the notice
   * says why).
   */
  async run(texts?: Readonly<Record<string, string>>): Promise<void> {
    const state = this.stateValue;
    if (texts) this.update({ texts: { ...state.texts, ...texts } });
    const chosen = this.chosen();
    if (!state.trusted || !chosen || this.isRunning() || state.loadError !== undefined) return;
    if (state.mode === 'scripted' && !state.fixtures) {
      this.update({
        notice: { kind: 'error', text: 'Choose a fixtures file for a scripted run.' },
      });
      return;
    }
    const form = parseForm(state.inputs, this.stateValue.texts);
    if (!form.input) {
      this.update({ errors: form.errors, notice: undefined });
      this.focusEmitter.fire(Object.keys(form.errors)[0]);
      return;
    }
    const client = this.ctx.services.forFolder(chosen.folder);
    if (!client) return;
    this.lastTexts = this.stateValue.texts;
    if (state.target === WORKING_COPY) {
      // The file as the editor shows it is what runs: unsaved edits are saved first.
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === chosen.uri);
      if (document?.isDirty) await document.save();
    }
    this.early = [];
    this.cancelWhenStarted = false;
    this.update({
      errors: {},
      notice: undefined,
      run: { folder: chosen.folder, status: 'starting', startedAt: Date.now(), steps: [] },
    });
    this.startTicker();
    try {
      const secrets = await this.ctx.secrets.forRun(client);
      const started = await client.request(RunStartRequest, {
        ref: state.target === WORKING_COPY ? vscode.Uri.parse(chosen.uri).fsPath : state.target,
        input: form.input,
        ...(state.mode === 'scripted' && state.fixtures
          ? { fixtures: vscode.Uri.parse(state.fixtures.uri).fsPath }
          : {}),
        allowShell: vscode.workspace.getConfiguration().get<boolean>(SETTINGS.allowShell, false),
        secrets,
      });
      let run: RunProgress = { ...this.stateValue.run!, started };
      for (const early of this.early.splice(0)) {
        if (early.run === started.run) run = withProgress(run, early.event, Date.now());
      }
      this.update({ run });
      if (run.finished) this.finished(run.folder, started.run, run.finished.status);
      else if (this.cancelWhenStarted) await this.cancel();
    } catch (error) {
      this.stopTicker();
      this.update({ run: undefined, ...this.failedStart(error) });
      const first = Object.keys(this.stateValue.errors)[0];
      if (first !== undefined) this.focusEmitter.fire(first === '' ? undefined : first);
    }
  }

  /** Runs a workflow file from its CodeLens: with the form as it is, or its newest run's input. */
  async runFile(uri: string, options: { readonly lastInput?: boolean } = {}): Promise<void> {
    if (this.stateValue.workflow !== uri || this.stateValue.target !== WORKING_COPY) {
      await this.choose(uri);
    }
    if (options.lastInput) {
      const last = this.stateValue.recent[0];
      if (last) this.update({ texts: formTexts(this.stateValue.inputs, last.input) });
    }
    await this.run();
  }

  /** Cancels the run in progress (recorded as cancelled). */
  async cancel(): Promise<void> {
    const run = this.stateValue.run;
    if (!run || !isActive(run.status)) return;
    this.update({ run: { ...run, cancelling: true } });
    if (!run.started) {
      this.cancelWhenStarted = true;
      return;
    }
    const client = this.ctx.services.forFolder(run.folder);
    await client?.request(RunCancelRequest, { run: run.started.run });
  }

  /** Sets the secrets the notice names (asking for each value), then runs again. */
  async setNoticeSecrets(): Promise<void> {
    const names = this.stateValue.notice?.setSecrets ?? [];
    for (const name of names) if (!(await this.ctx.secrets.ask(name))) return;
    if (names.length > 0) await this.run(this.lastTexts);
  }

  /** Whether a run is starting or running. */
  isRunning(): boolean {
    const run = this.stateValue.run;
    return run !== undefined && isActive(run.status);
  }

  dispose(): void {
    this.stopTicker();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
    this.finishedEmitter.dispose();
    this.focusEmitter.dispose();
  }

  private chosen(): WorkflowChoice | undefined {
    return this.stateValue.workflows.find((w) => w.uri === this.stateValue.workflow);
  }

  private update(change: Partial<RunnerState>): void {
    const wasRunning = this.isRunning();
    const next: Record<string, unknown> = { ...this.stateValue, ...change };
    // `undefined` in a change clears the property.
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete next[key];
    this.stateValue = next as unknown as RunnerState;
    if (this.isRunning() !== wasRunning) {
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.runnerRunning, !wasRunning);
    }
    this.changeEmitter.fire();
  }

  private async loadTargets(token: number): Promise<void> {
    const chosen = this.chosen();
    if (!chosen) return;
    try {
      const targets = await targetChoices(this.ctx.services, chosen, new Date());
      if (token === this.loading) this.update({ targets });
    } catch (error) {
      this.ctx.output.warn(`runner: reading the versions of ${chosen.label} failed: ${error}`);
    }
  }

  private async loadInputs(token: number, texts?: Readonly<Record<string, string>>): Promise<void> {
    const chosen = this.chosen();
    const client = chosen && this.ctx.services.forFolder(chosen.folder);
    if (!chosen || !client) return;
    const target = this.stateValue.target;
    try {
      const result = await client.request(RunInputsRequest, {
        ref: target === WORKING_COPY ? vscode.Uri.parse(chosen.uri).fsPath : target,
      });
      if (token !== this.loading) return;
      // Inputs the new target shares with the form keep what the user typed.
      const fresh = formTexts(result.inputs, undefined);
      const kept = texts ?? this.stateValue.texts;
      const merged = Object.fromEntries(
        result.inputs.map((i) => [i.name, kept[i.name] ?? fresh[i.name] ?? '']),
      );
      this.update({
        inputs: result.inputs,
        recent: result.recent,
        texts: merged,
        loadError: undefined,
      });
    } catch (error) {
      if (token !== this.loading) return;
      this.update({
        inputs: [],
        recent: [],
        loadError: loadErrorText(
          chosen.label,
          vscode.Uri.parse(chosen.uri).fsPath,
          error instanceof Error ? error.message : String(error),
        ),
      });
    }
  }

  /** What the runner shows when the service refused to start a run. */
  private failedStart(error: unknown): Partial<RunnerState> {
    const message = error instanceof Error ? error.message : String(error);
    const data = (error as { data?: { problems?: unknown; names?: unknown } }).data;
    switch (lockstepCode(error)) {
      case 'invalid-input':
        if (Array.isArray(data?.problems)) {
          return { errors: fieldErrors(this.stateValue.inputs, data.problems as string[]) };
        }
        break;
      case 'secret-missing':
        if (Array.isArray(data?.names)) {
          return {
            notice: { kind: 'error', text: message, setSecrets: data.names as string[] },
          };
        }
        break;
      case undefined:
        this.ctx.output.error('starting the run failed', error);
    }
    return { notice: { kind: 'error', text: message } };
  }

  private progress(progress: FolderRunProgress): void {
    const run = this.stateValue.run;
    if (!run || run.folder !== progress.folder) return;
    if (!run.started) {
      if (run.status === 'starting') this.early.push(progress);
      return;
    }
    if (progress.run !== run.started.run) return;
    const next = withProgress(run, progress.event, Date.now());
    this.update({ run: next });
    if (progress.event.type === 'run-finished') {
      this.finished(run.folder, progress.run, progress.event.status);
    }
  }

  private finished(folder: string, run: string, status: string): void {
    this.stopTicker();
    const workflow = this.stateValue.run?.started?.workflow ?? '';
    this.finishedEmitter.fire({ folder, run, workflow, status });
    // The run joins the recent inputs.
    void this.loadInputs(this.loading, this.stateValue.texts);
  }

  /** The service of the run's folder stopped: the run is over as far as the runner knows. */
  private serviceLost(): void {
    const run = this.stateValue.run;
    if (!run) return;
    const finished: RunProgressParams['event'] = {
      type: 'run-finished',
      status: 'failed',
      output: null,
      error: {
        code: 'service-stopped',
        message:
          'the workspace service stopped during the run; the store keeps it as interrupted (see the Lockstep output)',
      },
      durationMs: Date.now() - run.startedAt,
    };
    this.update({ run: withProgress(run, finished, Date.now()) });
    this.stopTicker();
  }

  private startTicker(): void {
    this.stopTicker();
    this.ticker = setInterval(() => this.changeEmitter.fire(), 1_000);
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

function isActive(status: string): boolean {
  return status === 'starting' || status === 'running';
}

function folderPath(folderUri: string): string {
  return vscode.Uri.parse(folderUri).fsPath;
}
