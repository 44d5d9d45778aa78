/**
 * The Runner view (a webview view in the Lockstep container): renders the runner's state through
 * the pure view model (view-model.ts) in a locked-down page (media/runner.js) and turns the page's
 * messages (messages.ts) into the runner's actions. The state lives in the runner, so hiding the
 * view (which drops its page) loses nothing: the page asks for the view again when shown.
 */
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../../command-ids.js';
import type { Context } from '../../ctx.js';
import { reportFailure } from '../../error-report.js';
import type { RunSubject } from '../../run-subject.js';
import type { Runner } from '../../runner/runner.js';
import { pageHtml } from '../page-html.js';
import { isFromRunner, type FromRunner, type ToRunner } from './messages.js';
import { runnerView } from './view-model.js';

/** What each message's failure is reported as. */
const ACTIONS: Record<FromRunner['type'], string> = {
  ready: 'Showing the runner',
  pickWorkflow: 'Choosing the workflow',
  pickTarget: 'Choosing the version to run',
  pickMode: 'Choosing the mode',
  chooseFixtures: 'Choosing the fixtures file',
  edit: 'Editing the input',
  useRecent: 'Using a recent input',
  run: 'Starting the run',
  cancel: 'Cancelling the run',
  openDetails: 'Opening the run details',
  replay: 'Replaying the run',
  noticeAction: 'Setting the secret',
};

class RunnerViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly runner: Runner,
  ) {
    ctx.subscribe(
      runner.onDidChange(() => this.render()),
      runner.onDidRequestFocus((field) =>
        this.post({ type: 'focus', ...(field ? { field } : {}) }),
      ),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = pageHtml(view.webview, media, {
      name: 'runner',
      title: 'Runner',
      placeholder: '',
    });
    const subscriptions = [
      view.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      view.onDidChangeVisibility(() => {
        if (!view.visible) return;
        this.render();
        void this.runner.refreshWorkflows().catch(() => undefined);
      }),
    ];
    view.onDidDispose(() => {
      for (const subscription of subscriptions) subscription.dispose();
      if (this.view === view) this.view = undefined;
    });
    void this.runner
      .refreshWorkflows()
      .catch((error: unknown) => reportFailure(this.ctx.output, 'Listing the workflows', error));
  }

  private render(pageAsked = false): void {
    if (!pageAsked && !this.view?.visible) return;
    this.post({ type: 'render', view: runnerView(this.runner.state, Date.now()) });
  }

  private post(message: ToRunner): void {
    void this.view?.webview.postMessage(message);
  }

  private async receive(message: unknown): Promise<void> {
    if (!isFromRunner(message)) {
      this.ctx.output.warn(`runner: ignored a malformed message ${JSON.stringify(message)}`);
      return;
    }
    const runner = this.runner;
    try {
      switch (message.type) {
        case 'ready':
          // The page asked, so it exists: the view's visibility may not have reached the
          // extension host yet, and a page not answered stays blank until the runner changes.
          return this.render(true);
        case 'pickWorkflow':
          return await runner.choose(message.value);
        case 'pickTarget':
          return await runner.pickTarget(message.value);
        case 'pickMode':
          return runner.pickMode(message.value);
        case 'chooseFixtures':
          return await runner.chooseFixtures();
        case 'edit':
          return runner.edit(message.field, message.text);
        case 'useRecent':
          return runner.useRecent(message.run);
        case 'run':
          return await runner.run(message.texts);
        case 'cancel':
          return await runner.cancel();
        case 'openDetails': {
          const run = runner.state.run;
          if (run?.started) {
            await vscode.commands.executeCommand(
              COMMANDS.openRunDetails,
              run.folder,
              run.started.run,
            );
          }
          return;
        }
        case 'replay': {
          const { run, workflow, workflows } = runner.state;
          if (!run?.started) return;
          const chosen = workflows.find(
            (w) => w.uri === workflow && w.name === run.started?.workflow,
          );
          const subject: RunSubject = {
            folder: run.folder,
            run: {
              id: run.started.run,
              workflow: run.started.workflow,
              version: run.started.version,
            },
            ...(chosen ? { file: vscode.Uri.parse(chosen.uri).fsPath } : {}),
          };
          await vscode.commands.executeCommand(COMMANDS.replayChoose, subject);
          return;
        }
        case 'noticeAction':
          return await runner.setNoticeSecrets();
      }
    } catch (error) {
      await reportFailure(this.ctx.output, ACTIONS[message.type], error);
    }
  }
}

/** Registers the Runner view. */
export function registerRunnerView(ctx: Context, runner: Runner): void {
  ctx.subscribe(
    vscode.window.registerWebviewViewProvider(VIEWS.runner, new RunnerViewProvider(ctx, runner)),
  );
}
