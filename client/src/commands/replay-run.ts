/**
 * Replaying a recorded run (from History, run details or the runner): `Replay Exactly` (verified, or where it diverged),
 * `Replay Against Working Copy` and `Replay Against Version…` (what a step without a recorded
 * answer does follows `replay.on_miss`; the command offers to override it for this replay). The
 * replay executes in the workspace service, needs a trusted workspace, shows its progress in a
 * cancellable notification, and ends in the comparison tab: recorded run left, replay right.
 */
import * as vscode from 'vscode';
import {
  ReplayStartRequest,
  RunCancelRequest,
  VersionsRequest,
  type ReplayStartParams,
  type RunProgressParams,
} from '../../../core/src/service/protocol.js';
import { COMMANDS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { reportFailure } from '../error-report.js';
import { isRunSubject, shortRunId, type RunSubject } from '../run-subject.js';
import type { ServiceClient } from '../service/service-client.js';
import { versionLabel } from '../views/history/labels.js';
import { RunNode } from '../views/history/nodes/run-node.js';
import type { ComparisonPanels } from '../webviews/comparison/comparison-panels.js';
import { trusted } from './run-workflow.js';

type Finished = Extract<RunProgressParams['event'], { type: 'run-finished' }>;

/** What a replay is against, and what its column is called. */
interface Target {
  readonly against?: string;
  readonly role: string;
}

/** The subject of a command's argument; undefined for anything else. */
export function runSubjectOf(argument: unknown): RunSubject | undefined {
  if (argument instanceof RunNode) {
    if (!argument.parent) return undefined;
    const file = argument.parent.parent.workflow.file;
    return {
      folder: argument.parent.folder,
      run: argument.run,
      ...(file === undefined ? {} : { file }),
    };
  }
  return isRunSubject(argument) ? argument : undefined;
}

export function registerReplayCommands(ctx: Context, comparisons: ComparisonPanels): void {
  const replayFrom =
    (choose: (subject: RunSubject) => Promise<Target | undefined>, offerMiss: boolean) =>
    async (argument: unknown): Promise<void> => {
      try {
        if (!(await trusted())) return;
        const subject = runSubjectOf(argument);
        if (!subject) {
          // A History refresh can replace the row between the menu opening and the click.
          void vscode.window.showInformationMessage(
            'Choose the run to replay in the History view (its context menu), then try again.',
          );
          return;
        }
        const client = ctx.services.forFolder(subject.folder);
        if (!client) throw new Error(`no workspace folder ${subject.folder} is open`);
        const target = await choose(subject);
        if (!target) return;
        const miss = offerMiss ? await chooseMiss() : {};
        if (!miss) return;
        const params: ReplayStartParams = {
          run: subject.run.id,
          ...(target.against === undefined ? {} : { against: target.against }),
          ...miss,
          allowShell: vscode.workspace
            .getConfiguration()
            .get<boolean>('lockstep.allowShell', false),
          secrets: await ctx.secrets.forRun(client),
        };
        const replay = await replayWithProgress(ctx, client, params);
        if (!replay) return;
        await comparisons.show(subject.folder, subject.run.id, replay.run, {
          left: 'recorded',
          right: target.role,
          ...(target.against === undefined ? { exact: true } : {}),
        });
      } catch (error) {
        await reportFailure(ctx.output, 'Replaying the run', error);
      }
    };

  ctx.subscribe(
    vscode.commands.registerCommand(
      COMMANDS.replayExact,
      replayFrom(async () => ({ role: 'exact replay' }), false),
    ),
    vscode.commands.registerCommand(
      COMMANDS.replayAgainstWorkingCopy,
      replayFrom(async (subject) => {
        if (!subject.file) {
          void vscode.window.showInformationMessage(
            `${subject.run.workflow} has no workflow file in this folder: replay it against a version instead.`,
          );
          return undefined;
        }
        return { against: subject.file, role: 'working copy' };
      }, true),
    ),
    vscode.commands.registerCommand(
      COMMANDS.replayAgainstVersion,
      replayFrom(async (subject) => {
        const client = ctx.services.forFolder(subject.folder);
        if (!client) throw new Error(`no workspace folder ${subject.folder} is open`);
        const { versions } = await client.request(VersionsRequest, {
          workflow: subject.run.workflow,
        });
        const picked = await vscode.window.showQuickPick(
          versions
            .filter((v) => v.id !== subject.run.version.id)
            .map((v) => ({
              label: versionLabel(v),
              description: v.message ?? v.createdAt.slice(0, 16).replace('T', ' '),
              version: v,
            })),
          { title: `Replay ${shortRunId(subject.run.id)} against…`, placeHolder: 'A version' },
        );
        if (!picked) return undefined;
        const version = picked.version;
        return {
          against: `${version.workflow}@${version.seq ?? version.id}`,
          role: `replay on ${versionLabel(version)}`,
        };
      }, true),
    ),
    vscode.commands.registerCommand(COMMANDS.replayChoose, async (argument: unknown) => {
      const picked = await vscode.window.showQuickPick(
        [
          {
            label: 'Replay Exactly',
            detail: 'On its own version, from the recording',
            command: COMMANDS.replayExact,
          },
          {
            label: 'Replay Against Working Copy',
            detail: 'The workflow file as it is now',
            command: COMMANDS.replayAgainstWorkingCopy,
          },
          {
            label: 'Replay Against Version…',
            detail: 'A stored version you choose',
            command: COMMANDS.replayAgainstVersion,
          },
        ],
        { title: 'Replay the run', placeHolder: 'How to replay it' },
      );
      if (picked) await vscode.commands.executeCommand(picked.command, argument);
    }),
  );
}

/** `replay.on_miss` as configured, or an override for this replay; undefined when dismissed. */
async function chooseMiss(): Promise<Pick<ReplayStartParams, 'onMiss' | 'fixtures'> | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'As configured', description: 'replay.on_miss (live unless set)', miss: undefined },
      { label: 'live', description: 'call the model or tool for real', miss: 'live' as const },
      { label: 'stub', description: 'answer from a fixtures file', miss: 'stub' as const },
      {
        label: 'fail',
        description: 'stop at the first step without a recorded answer',
        miss: 'fail' as const,
      },
    ],
    { title: 'A step without a recorded answer…', placeHolder: 'What a miss does in this replay' },
  );
  if (!picked) return undefined;
  if (picked.miss !== 'stub') return picked.miss ? { onMiss: picked.miss } : {};
  const files = await vscode.window.showOpenDialog({
    title: 'Fixtures answering the misses',
    canSelectMany: false,
    filters: { Fixtures: ['yaml', 'yml', 'json'] },
  });
  const fixtures = files?.[0]?.fsPath;
  return fixtures ? { onMiss: 'stub', fixtures } : undefined;
}

/**
 * Starts the replay and waits for it to end in a cancellable notification; undefined when the
 * user cancelled it (it is recorded as cancelled).
 */
async function replayWithProgress(
  ctx: Context,
  client: ServiceClient,
  params: ReplayStartParams,
): Promise<{ run: string; finished: Finished } | undefined> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Replaying ${shortRunId(params.run)}`,
      cancellable: true,
    },
    async (progress, token) => {
      // Progress may arrive before the start is answered: keep it until the id is known.
      const early: RunProgressParams[] = [];
      let replayId: string | undefined;
      let resolveFinished!: (finished: Finished) => void;
      const finished = new Promise<Finished>((resolve) => (resolveFinished = resolve));
      const onEvent = (event: RunProgressParams['event']): void => {
        if (event.type === 'step-started') progress.report({ message: event.path });
        if (event.type === 'run-finished') resolveFinished(event);
      };
      const listening = ctx.services.onDidRunProgress((p) => {
        if (replayId === undefined) early.push(p);
        else if (p.run === replayId) onEvent(p.event);
      });
      try {
        const started = await client.request(ReplayStartRequest, params);
        replayId = started.run;
        for (const p of early.splice(0)) if (p.run === replayId) onEvent(p.event);
        const cancelled = token.onCancellationRequested(() => {
          void client.request(RunCancelRequest, { run: started.run });
        });
        try {
          const end = await finished;
          return end.status === 'cancelled' ? undefined : { run: started.run, finished: end };
        } finally {
          cancelled.dispose();
        }
      } finally {
        listening.dispose();
      }
    },
  );
}
