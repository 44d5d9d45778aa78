/**
 * The extension's entry point (bundled as dist/extension.js). `activate` is a table of contents:
 * it builds the shared context, then each line registers one part.
 *
 * Activation is lazy (package.json: a workflow file is opened, the workspace contains one, or a
 * stored version is shown) and cheap: nothing here waits for a process, and the bundle holds no
 * core code (the language server and the workspace services are processes of their own; the
 * client imports only their protocol files).
 */
import * as vscode from 'vscode';
import { registerBaselineCommands } from './commands/baselines.js';
import { registerCompareWithVersionCommand } from './commands/compare-with-version.js';
import { registerChannelActions } from './commands/history/channel-actions.js';
import { registerCreateWorkflowCommand } from './commands/history/create-workflow.js';
import { registerFilterRunsCommand } from './commands/history/filter-runs.js';
import { registerRunActions } from './commands/history/run-actions.js';
import { registerHistoryPagingCommands } from './commands/history/show-more-runs.js';
import { registerVersionActions } from './commands/history/version-actions.js';
import { registerOpenVersionCommands } from './commands/open-version.js';
import { registerPublishVersionCommand } from './commands/publish-version.js';
import { registerRestartServerCommand } from './commands/restart-server.js';
import { registerRestartServiceCommand } from './commands/restart-service.js';
import { registerRestoreVersionCommand } from './commands/restore-version.js';
import { registerReplayCommands } from './commands/replay-run.js';
import { registerRunCommands } from './commands/run-workflow.js';
import { registerSecretCommands } from './commands/set-secret.js';
import { registerStorePasswordCommands } from './commands/set-store-password.js';
import { registerShowOutputCommand } from './commands/show-output.js';
import { registerStatusMenuCommand } from './commands/status-menu.js';
import { Context } from './ctx.js';
import { registerVersionDocuments } from './documents/version-documents.js';
import { registerLanguageServer } from './language-server.js';
import { registerWorkflowLenses } from './lenses/workflow-lenses.js';
import { registerOutputChannel } from './output-channel.js';
import { Runner } from './runner/runner.js';
import { Services } from './service/services.js';
import { TeamStorePasswords } from './secrets/team-store-passwords.js';
import { registerSnapshotOnSave } from './snapshots/snapshot-on-save.js';
import { registerVersionStatus } from './status/version-status.js';
import { BaselineTests } from './testing/baseline-tests.js';
import { registerHistoryView } from './views/history/history-view.js';
import { ComparisonPanels } from './webviews/comparison/comparison-panels.js';
import { registerRunDetails } from './webviews/run-details/run-details-panels.js';
import { registerRunnerView } from './webviews/runner/runner-view.js';

/** Called by VS Code on the first activation event. */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const output = registerOutputChannel(context);
  const server = registerLanguageServer(context, output);
  const service = vscode.Uri.joinPath(context.extensionUri, 'dist', 'service.js').fsPath;
  const passwords = new TeamStorePasswords(context.secrets);
  const services = new Services(service, output, (store) => passwords.get(store));
  const ctx = new Context(context, output, server, services, passwords);
  context.subscriptions.push(ctx);

  registerVersionDocuments(ctx);
  registerSnapshotOnSave(ctx);
  registerVersionStatus(ctx);
  registerRunDetails(ctx);
  const history = registerHistoryView(ctx);
  registerFilterRunsCommand(ctx, history);
  registerHistoryPagingCommands(ctx, history);
  registerVersionActions(ctx);
  registerChannelActions(ctx, history.provider);
  registerRunActions(ctx);
  registerCreateWorkflowCommand(ctx);
  const runner = new Runner(ctx);
  ctx.subscribe(runner);
  registerRunnerView(ctx, runner);
  registerWorkflowLenses(ctx, runner);
  registerRunCommands(ctx, runner);
  const comparisons = new ComparisonPanels(ctx);
  ctx.subscribe(comparisons);
  registerReplayCommands(ctx, comparisons);
  const baselineTests = new BaselineTests(ctx);
  ctx.subscribe(baselineTests);
  registerBaselineCommands(ctx, baselineTests);
  registerSecretCommands(ctx);
  registerStorePasswordCommands(ctx);
  registerPublishVersionCommand(ctx);
  registerCompareWithVersionCommand(ctx);
  registerRestoreVersionCommand(ctx);
  registerOpenVersionCommands(ctx);
  registerStatusMenuCommand(ctx);
  registerShowOutputCommand(ctx);
  registerRestartServerCommand(ctx);
  registerRestartServiceCommand(ctx);
  output.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}
