/**
 * `lockstep baselines <name> [add|remove <run-id>]`: a workflow's regression baselines, the runs
 * `lockstep test` replays. They live in `.lockstep/baselines/<name>/`, meant to be committed, or
 * in the team's PostgreSQL store when the workspace uses one.
 */
import type {
  BaselineChange,
  BaselineStore,
  StoredBaseline,
} from '../../baselines/baseline-store.js';
import { shortId } from '../../model/content-id.js';
import { UsageError } from '../../model/errors.js';
import { checkWorkflowName } from '../../model/names.js';
import { baselineSummary } from '../../node/services/baseline-tests.js';
import { baselinesOf } from '../../node/store/store-baselines.js';
import { currentAuthor } from '../../node/workspace/git.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { secretAccess } from '../../runs/secret-access.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { displayPath, printJson, shortTime } from '../output.js';
import { findRunId } from '../run-ids.js';

export interface BaselinesOptions {
  readonly json?: boolean;
}

/** Lists, adds or removes; exit 0 when done. */
export async function baselinesCommand(
  context: CommandContext,
  name: string,
  action: string | undefined,
  run: string | undefined,
  options: BaselinesOptions,
): Promise<ExitCode> {
  checkWorkflowName(name);
  if (action !== undefined && action !== 'add' && action !== 'remove') {
    throw new UsageError(`'${action}': use \`lockstep baselines ${name} [add|remove <run-id>]\``);
  }
  if (action !== undefined && run === undefined) {
    throw new UsageError(`lockstep baselines ${name} ${action}: give a run id`);
  }
  if (action === undefined && run !== undefined) {
    throw new UsageError(`'${run}': say what to do with it (add or remove)`);
  }
  const workspace = await Workspace.locate(process.cwd(), context.global);
  if (action === 'add') return add(context, workspace, name, run!, options);
  const open = await workspace.openBaselines();
  try {
    if (action === 'remove') {
      return await remove(context, workspace, open.baselines, name, run!, options);
    }
    return await list(context, open.baselines, name, options);
  } finally {
    await open.close();
  }
}

async function remove(
  context: CommandContext,
  workspace: Workspace,
  store: BaselineStore,
  name: string,
  run: string,
  options: BaselinesOptions,
): Promise<ExitCode> {
  const removed = await store.remove(name, run, await changeBy(workspace));
  if (options.json) printJson(context.output, { removed: baselineSummary(removed) });
  else
    context.output.out(
      `Removed the baseline of run ${removed.baseline.run.header.id} (${shownLocation(removed)})`,
    );
  return EXIT.ok;
}

async function list(
  context: CommandContext,
  store: BaselineStore,
  name: string,
  options: BaselinesOptions,
): Promise<ExitCode> {
  const baselines = await store.list(name);
  if (options.json) {
    printJson(context.output, { workflow: name, baselines: baselines.map(baselineSummary) });
    return EXIT.ok;
  }
  if (baselines.length === 0) {
    context.output.out(
      `No baselines of ${name} (add one with \`lockstep baselines ${name} add <run-id>\`)`,
    );
    return EXIT.ok;
  }
  for (const stored of baselines) {
    const { header } = stored.baseline.run;
    const version =
      header.version.seq === undefined ? shortId(header.version.id) : `v${header.version.seq}`;
    context.output.out(
      `${header.id}  ${shortTime(header.startedAt)}  ${version.padEnd(19)}  ${preview(header.input)}`,
    );
  }
  return EXIT.ok;
}

async function add(
  context: CommandContext,
  workspace: Workspace,
  name: string,
  id: string,
  options: BaselinesOptions,
): Promise<ExitCode> {
  const store = await workspace.openStore();
  try {
    const baselines = baselinesOf(workspace.storeDir, store);
    const run = (await store.getRun(await findRunId(store, id)))!;
    // Journals are already redacted; the secrets set now are redacted once more, in case.
    const { redact } = secretAccess(await workspace.config(), (secret) => process.env[secret]);
    const { stored, created } = await baselines.add(name, run, redact, await changeBy(workspace));
    const where = shownLocation(stored);
    if (options.json) printJson(context.output, { added: baselineSummary(stored), created });
    else if (!created)
      context.output.out(`Run ${run.header.id} already is a baseline of ${name}: ${where}`);
    else
      context.output.out(
        baselines.committed
          ? `Added run ${run.header.id} as a baseline of ${name}: ${where} (commit it)`
          : `Added run ${run.header.id} as a baseline of ${name} in the team store: ${where}`,
      );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** This person, now: who the team store's audit trail says changed its baselines. */
async function changeBy(workspace: Workspace): Promise<BaselineChange> {
  return { actor: await currentAuthor(workspace.root), at: new Date().toISOString() };
}

/** A baseline's file relative to here, or where its store keeps it. */
function shownLocation(stored: StoredBaseline): string {
  return stored.file === undefined ? stored.location : displayPath(stored.file);
}

/** The input as one short line of JSON. */
function preview(input: unknown): string {
  const text = JSON.stringify(input);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
