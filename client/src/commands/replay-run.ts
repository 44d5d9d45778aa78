/**
 * Replaying a recorded run from History: `Replay Exactly` (verified, or where it diverged),
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
import type { ServiceClient } from '../service/service-client.js';
import { versionLabel } from '../views/history/labels.js';
import type { RunNode } from '../views/history/nodes/run-node.js';
import type { ComparisonPanels } from '../webviews/comparison/comparison-panels.js';
import { trusted } from './run-workflow.js';

type Finished = Extract<RunProgressParams['event'], { type: 'run-finished' }>;

/** What a replay is against, and what its column is called. */
interface Target {
  readonly against?: string;
  readonly role: string;
}

export function registerReplayCommands(ctx: Context, comparisons: ComparisonPanels): void {
  const replayFrom =
    (choose: (node: RunNode) => Promise<Target | undefined>, offerMiss: boolean) =>
    async (node: RunNode | undefined): Promise<void> => {
      try {
        if (!(await trusted())) return;
        if (!node?.parent) {
          // A History refresh can replace the row between the menu opening and the click.
          void vscode.window.showInformationMessage(
            'Choose the run to replay in the History view (its context menu), then try again.',
          );
          return;
        }
        const folder = node.parent.folder;
        const client = ctx.services.forFolder(folder);
        if (!client) throw new Error(`no workspace folder ${folder} is open`);
        const target = await choose(node);
        if (!target) return;
        const miss = offerMiss ? await chooseMiss() : {};
        if (!miss) return;
        const params: ReplayStartParams = {
          run: node.run.id,
          ...(target.against === undefined ? {} : { against: target.against }),
          ...miss,
          allowShell: vscode.workspace
            .getConfiguration()
            .get<boolean>('lockstep.allowShell', false),
          secrets: await ctx.secrets.forRun(client),
        };
        const replay = await replayWithProgress(ctx, client, params);
        if (!replay) return;
        await comparisons.show(folder, node.run.id, replay.run, {
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
      replayFrom(async (node) => {
        const file = node.parent.parent.workflow.file;
        if (!file) {
          void vscode.window.showInformationMessage(
            `${node.run.workflow} has no workflow file in this folder: replay it against a version instead.`,
          );
          return undefined;
        }
        return { against: file, role: 'working copy' };
      }, true),
    ),
    vscode.commands.registerCommand(
      COMMANDS.replayAgainstVersion,
      replayFrom(async (node) => {
        const { versions } = await node.parent.parent.client.request(VersionsRequest, {
          workflow: node.run.workflow,
        });
        const picked = await vscode.window.showQuickPick(
          versions
            .filter((v) => v.id !== node.run.version.id)
            .map((v) => ({
              label: versionLabel(v),
              description: v.message ?? v.createdAt.slice(0, 16).replace('T', ' '),
              version: v,
            })),
          { title: `Replay ${node.run.id.slice(0, 8)} against…`, placeHolder: 'A version' },
        );
        if (!picked) return undefined;
        const version = picked.version;
        return {
          against: `${version.workflow}@${version.seq ?? version.id}`,
          role: `replay on ${versionLabel(version)}`,
        };
      }, true),
    ),
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
      title: `Replaying ${params.run.slice(0, 8)}`,
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
