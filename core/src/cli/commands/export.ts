/**
 * `lockstep export (<run-id…> | --channel <c> --last <n> | --baselines <name>) -o <file>
 * [--redact <path>…]`: writes a run bundle (see core/src/node/services/bundles.ts) to carry real
 * runs to another store: a laptop replays a production run, CI gates on production runs.
 */
import { UsageError } from '../../model/errors.js';
import { checkChannelName, checkWorkflowName } from '../../model/names.js';
import { exportBundle, type BundleSelection } from '../../node/services/bundles.js';
import { Workspace } from '../../node/workspace/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { displayPath, plural, printJson } from '../output.js';
import { findRunId } from '../run-ids.js';

export interface ExportOptions {
  readonly output?: string;
  readonly channel?: string;
  readonly last?: string;
  readonly workflow?: string;
  readonly baselines?: string;
  readonly redact?: readonly string[];
  readonly json?: boolean;
}

/** Exit 0 once the bundle is written. */
export async function exportCommand(
  context: CommandContext,
  ids: readonly string[],
  options: ExportOptions,
): Promise<ExitCode> {
  if (options.output === undefined) {
    throw new UsageError('give the bundle file to write: -o, --output <file>');
  }
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore();
  try {
    const selection = await readSelection(ids, options, (id) => findRunId(store, id));
    const result = await exportBundle(workspace, store, selection, {
      file: options.output,
      ...(options.redact ? { redact: options.redact } : {}),
    });
    if (options.json === true) {
      printJson(context.output, { ...result, file: displayPath(result.file) });
      return EXIT.ok;
    }
    const children = result.childRuns > 0 ? ` and ${plural(result.childRuns, 'child run')}` : '';
    context.output.out(
      `Wrote ${displayPath(result.file)}: ${plural(result.runs, 'run')}${children}, ${plural(result.versions, 'version')} (${result.bytes} bytes, bundle ${result.id})`,
    );
    if (result.redacted.length > 0) {
      context.output.out(
        `Redacted ${plural(result.valuesRedacted, 'value')} found at ${result.redacted.join(', ')}`,
      );
    }
    if (result.runs === 0) context.output.err('No run matched: the bundle holds no runs');
    for (const child of result.missingChildren) {
      context.output.err(
        `Child run ${child} is not in this store (pruned?): its parent replays against a version, not exactly`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

async function readSelection(
  ids: readonly string[],
  options: ExportOptions,
  fullId: (id: string) => Promise<string>,
): Promise<BundleSelection> {
  const kinds = [ids.length > 0, options.channel !== undefined, options.baselines !== undefined];
  if (kinds.filter(Boolean).length !== 1) {
    throw new UsageError(
      'say which runs: run ids, --channel <channel> --last <n>, or --baselines <workflow> (one of them)',
    );
  }
  if (options.channel === undefined && (options.last ?? options.workflow) !== undefined) {
    throw new UsageError('--last and --workflow go with --channel');
  }
  if (options.baselines !== undefined) {
    return { kind: 'baselines', workflow: checkWorkflowName(options.baselines) };
  }
  if (options.channel !== undefined) {
    const last = Number(options.last);
    if (options.last === undefined) throw new UsageError('--channel needs --last <n>');
    if (!(Number.isInteger(last) && last >= 1)) {
      throw new UsageError(`--last ${options.last}: give a whole number of runs from 1`);
    }
    return {
      kind: 'channel',
      channel: checkChannelName(options.channel),
      last,
      ...(options.workflow === undefined ? {} : { workflow: checkWorkflowName(options.workflow) }),
    };
  }
  return { kind: 'runs', ids: await Promise.all(ids.map(fullId)) };
}
