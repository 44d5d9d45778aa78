/**
 * Managing regression baselines from the editor: Add to Baselines (a run that succeeded, from
 * History or its details), Accept as New Baseline (a failed test's replay, from the Testing
 * view's message) and Remove Baseline (a Testing view item). Each is one request to the folder's
 * workspace service, which writes the files; the Testing view follows the store.
 */
import * as vscode from 'vscode';
import {
  BaselineAcceptRequest,
  BaselineAddRequest,
  BaselineRemoveRequest,
} from '../../../core/src/service/protocol.js';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { reportFailure } from '../error-report.js';
import type { BaselineTests } from '../testing/baseline-tests.js';
import { subjectOfTestId } from '../testing/test-ids.js';
import { runSubjectOf } from './replay-run.js';
import { shortRunId } from '../run-subject.js';

export function registerBaselineCommands(ctx: Context, tests: BaselineTests): void {
  ctx.subscribe(
    vscode.commands.registerCommand(COMMANDS.addBaseline, async (argument: unknown) => {
      try {
        const subject = runSubjectOf(argument);
        if (!subject) {
          void vscode.window.showInformationMessage(
            'Choose the run to keep as a baseline in the History view (its context menu), then try again.',
          );
          return;
        }
        const client = ctx.services.forFolder(subject.folder);
        if (!client) throw new Error(`no workspace folder ${subject.folder} is open`);
        const { baseline, created } = await client.request(BaselineAddRequest, {
          run: subject.run.id,
        });
        const run = shortRunId(baseline.run);
        ctx.output.info(
          created
            ? `baseline added: run ${baseline.run} of ${baseline.workflow} (${baseline.file === undefined ? baseline.location : vscode.workspace.asRelativePath(baseline.file)})`
            : `run ${baseline.run} is already a baseline of ${baseline.workflow}`,
        );
        const show = 'Show in Testing';
        const choice = await vscode.window.showInformationMessage(
          created
            ? `Run ${run} is now a baseline of ${baseline.workflow}: the Testing view replays it against your changes.`
            : `Run ${run} is already a baseline of ${baseline.workflow}.`,
          show,
        );
        if (choice === show) {
          await tests.reload();
          await vscode.commands.executeCommand('workbench.view.testing.focus');
        }
      } catch (error) {
        await reportFailure(ctx.output, 'Adding the baseline', error);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.acceptBaseline, async (argument: unknown) => {
      try {
        const test = (argument as { test?: vscode.TestItem } | undefined)?.test;
        const verdict = test && tests.acceptableOf(test.id);
        if (!verdict) {
          void vscode.window.showInformationMessage(
            'Run the baseline test again: only a failed test whose replay succeeded can be accepted.',
          );
          return;
        }
        const client = ctx.services.forFolder(verdict.folder);
        if (!client) throw new Error(`no workspace folder ${verdict.folder} is open`);
        const { baseline } = await client.request(BaselineAcceptRequest, {
          workflow: verdict.workflow,
          replaced: verdict.baseline,
          run: verdict.replay,
        });
        ctx.output.info(
          `baseline accepted: run ${baseline.run} replaces run ${verdict.baseline} of ${verdict.workflow}`,
        );
        await tests.reload();
        void vscode.window.showInformationMessage(
          `Run ${shortRunId(baseline.run)} is the new baseline of ${verdict.workflow} (in place of ${shortRunId(verdict.baseline)}).`,
        );
      } catch (error) {
        await reportFailure(ctx.output, 'Accepting the new baseline', error);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.removeBaseline, async (argument: unknown) => {
      try {
        const id = (argument as vscode.TestItem | undefined)?.id;
        const subject = id === undefined ? undefined : subjectOfTestId(id);
        if (subject?.kind !== 'baseline') return;
        const client = ctx.services.forFolder(subject.folder);
        if (!client) throw new Error(`no workspace folder ${subject.folder} is open`);
        const remove = 'Remove Baseline';
        const choice = await vscode.window.showWarningMessage(
          `Remove the baseline of run ${shortRunId(subject.run)} from ${subject.workflow}?`,
          {
            modal: true,
            detail: 'Its file in .lockstep/baselines is deleted; the run stays in the store.',
          },
          remove,
        );
        if (choice !== remove) return;
        const { removed } = await client.request(BaselineRemoveRequest, {
          workflow: subject.workflow,
          run: subject.run,
        });
        ctx.output.info(`baseline removed: run ${removed.run} of ${removed.workflow}`);
        await tests.reload();
      } catch (error) {
        await reportFailure(ctx.output, 'Removing the baseline', error);
      }
    }),
  );
}
