/**
 * Running baseline tests from the Testing view: the baselines asked for are grouped by workflow,
 * and each group is one `lockstep/baselines/test` session in the folder's workspace service
 * (replays never execute in the extension host). Progress notifications move each test from
 * enqueued to started to passed or failed; cancelling the run cancels the session; a baseline
 * left unjudged is skipped. A failure carries the recorded and the replayed output as a diff, at
 * the first changed step's lines in the version tested.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
  BaselineTestCancelRequest,
  BaselineTestRequest,
  VersionsRequest,
  type BaselineTestItem,
} from '../../../core/src/service/protocol.js';
import { SETTINGS } from '../command-ids.js';
import type { Context } from '../ctx.js';
import { versionUri } from '../documents/version-documents.js';
import { versionLabel } from '../views/history/labels.js';
import { failureText } from './baseline-labels.js';
import type { BaselineTests } from './baseline-tests.js';
import { subjectOfTestId } from './test-ids.js';
import { shortRunId } from '../run-subject.js';

/** What the baselines replay against: the workflow file, or a version the user picks. */
export type TestTarget = 'working-copy' | 'version';

/** The Testing view's message context for a verdict that Accept as New Baseline can take. */
export const ACCEPTABLE_MESSAGE = 'lockstep.baselineChanged';

/** One workflow's baselines in this run. */
interface Group {
  readonly folder: string;
  readonly workflow: string;
  /** By the baseline's run id. */
  readonly items: Map<string, vscode.TestItem>;
}

/** The Testing view's run handler (one per profile). */
export async function runBaselineTests(
  ctx: Context,
  tests: BaselineTests,
  request: vscode.TestRunRequest,
  token: vscode.CancellationToken,
  target: TestTarget,
): Promise<void> {
  const groups = groupByWorkflow(leavesOf(request, tests.controller));
  const run = tests.controller.createTestRun(request);
  try {
    for (const group of groups) for (const item of group.items.values()) run.enqueued(item);
    if (!vscode.workspace.isTrusted) {
      const message = new vscode.TestMessage(
        'Testing baselines replays workflows, which Restricted Mode does not allow: trust this workspace to run them.',
      );
      for (const group of groups)
        for (const item of group.items.values()) run.errored(item, message);
      return;
    }
    for (const group of groups) {
      if (token.isCancellationRequested) break;
      await testGroup(ctx, tests, run, group, target, token);
    }
  } finally {
    run.end();
  }
}

async function testGroup(
  ctx: Context,
  tests: BaselineTests,
  run: vscode.TestRun,
  group: Group,
  target: TestTarget,
  token: vscode.CancellationToken,
): Promise<void> {
  const unjudged = new Map(group.items);
  const errorAll = (text: string): void => {
    const message = new vscode.TestMessage(text);
    for (const item of unjudged.values()) run.errored(item, message);
    unjudged.clear();
  };
  const client = ctx.services.forFolder(group.folder);
  if (!client) return errorAll(`The workspace folder ${group.folder} is not open any more.`);

  const chosen = await chooseTarget(ctx, tests, group, target);
  if (typeof chosen === 'string') return errorAll(chosen);
  if (!chosen) {
    for (const item of unjudged.values()) run.skipped(item);
    return;
  }

  const session = randomUUID();
  run.appendOutput(
    `${group.workflow}: ${group.items.size} baseline${group.items.size === 1 ? '' : 's'} against ${chosen.label}\r\n`,
  );
  const listening = ctx.services.onDidTestProgress(({ session: from, event }) => {
    if (from !== session) return;
    if (event.type === 'started') {
      const item = group.items.get(event.baseline);
      if (item) run.started(item);
      return;
    }
    const item = unjudged.get(event.result.baseline);
    if (!item) return;
    unjudged.delete(event.result.baseline);
    report(tests, run, item, group, event.result, chosen.location);
  });
  const cancelling = token.onCancellationRequested(() => {
    void client.request(BaselineTestCancelRequest, { session }).catch(() => undefined);
  });
  try {
    const configuration = vscode.workspace.getConfiguration();
    await client.request(BaselineTestRequest, {
      session,
      ref: chosen.ref,
      baselines: [...group.items.keys()],
      timeoutMs: configuration.get<number>(SETTINGS.replayTimeoutSeconds, 300) * 1000,
      allowShell: configuration.get<boolean>(SETTINGS.allowShell, false),
      secrets: await ctx.secrets.forRun(client),
    });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    ctx.output.warn(`Testing ${group.workflow} against ${chosen.label} failed: ${text}`);
    return errorAll(`Could not test against ${chosen.label}: ${text}`);
  } finally {
    cancelling.dispose();
    listening.dispose();
  }
  // Cancelled before these were judged.
  for (const item of unjudged.values()) run.skipped(item);
}

/** The ref to test against, its label, and where its steps' lines are. */
interface ChosenTarget {
  readonly ref: string;
  readonly label: string;
  readonly location: vscode.Uri;
}

/** What to test against; a string says why it cannot be tested, undefined that the user backed out. */
async function chooseTarget(
  ctx: Context,
  tests: BaselineTests,
  group: Group,
  target: TestTarget,
): Promise<ChosenTarget | string | undefined> {
  if (target === 'working-copy') {
    const first = group.items.values().next().value as vscode.TestItem;
    const file = tests.workflowOf(first)?.file;
    if (file === undefined) {
      return `${group.workflow} has no workflow file in this folder: run its baselines with the "Against a Version…" profile.`;
    }
    return { ref: file, label: 'the working copy', location: vscode.Uri.file(file) };
  }
  const client = ctx.services.forFolder(group.folder);
  if (!client) return `The workspace folder ${group.folder} is not open any more.`;
  const { versions } = await client.request(VersionsRequest, { workflow: group.workflow });
  const picked = await vscode.window.showQuickPick(
    versions.map((version) => ({
      label: versionLabel(version),
      description: version.message ?? version.createdAt.slice(0, 16).replace('T', ' '),
      version,
    })),
    { title: `Test the baselines of ${group.workflow} against…`, placeHolder: 'A version' },
  );
  if (!picked) return undefined;
  const version = picked.version.seq ?? picked.version.id;
  return {
    ref: `${group.workflow}@${version}`,
    label: versionLabel(picked.version),
    location: versionUri({ folder: group.folder, workflow: group.workflow, version }),
  };
}

/** Reports one verdict on its item. */
function report(
  tests: BaselineTests,
  run: vscode.TestRun,
  item: vscode.TestItem,
  group: Group,
  result: BaselineTestItem,
  document: vscode.Uri,
): void {
  run.appendOutput(
    `  ${result.pass ? '✓' : '✗'} ${item.label} (run ${shortRunId(result.baseline)})${result.message ? `: ${result.message}` : ''}\r\n`,
    undefined,
    item,
  );
  if (result.pass) {
    run.passed(item, result.durationMs);
    return;
  }
  const text = failureText(result);
  const message =
    text.expected === undefined
      ? new vscode.TestMessage(text.message)
      : vscode.TestMessage.diff(text.message, text.expected, text.actual ?? '');
  if (result.location) {
    message.location = new vscode.Location(
      document,
      // Whole lines: up to the start of the line after the step.
      new vscode.Range(result.location.line - 1, 0, result.location.endLine, 0),
    );
  }
  if (result.replay !== undefined && result.replayStatus === 'succeeded') {
    message.contextValue = ACCEPTABLE_MESSAGE;
    tests.rememberAcceptable(item, {
      folder: group.folder,
      workflow: group.workflow,
      baseline: result.baseline,
      replay: result.replay,
    });
  }
  run.failed(item, message, result.durationMs);
}

/** The baseline items a request names (all of them when it names none), minus those excluded. */
function leavesOf(
  request: vscode.TestRunRequest,
  controller: vscode.TestController,
): vscode.TestItem[] {
  const excluded = new Set((request.exclude ?? []).map((item) => item.id));
  const leaves: vscode.TestItem[] = [];
  const visit = (item: vscode.TestItem): void => {
    if (excluded.has(item.id)) return;
    if (subjectOfTestId(item.id)?.kind === 'baseline') leaves.push(item);
    else item.children.forEach(visit);
  };
  if (request.include) request.include.forEach(visit);
  else controller.items.forEach(visit);
  return leaves;
}

/** Baseline items by workflow, in the order first seen. */
function groupByWorkflow(items: readonly vscode.TestItem[]): Group[] {
  const groups = new Map<string, Group>();
  for (const item of items) {
    const subject = subjectOfTestId(item.id);
    if (subject?.kind !== 'baseline') continue;
    const key = JSON.stringify([subject.folder, subject.workflow]);
    let group = groups.get(key);
    if (!group) {
      group = { folder: subject.folder, workflow: subject.workflow, items: new Map() };
      groups.set(key, group);
    }
    group.items.set(subject.run, item);
  }
  return [...groups.values()];
}
