/** `lockstep runs <name>`: a workflow's run history, newest first. */
import { shortId } from '../../model/content-id.js';
import { UsageError } from '../../model/errors.js';
import { checkChannelName } from '../../model/names.js';
import { RUN_STATUSES, type RunStatus } from '../../model/runs.js';
import { parseRef } from '../../versions/refs.js';
import { resolveStoredRef } from '../../versions/resolve.js';
import { openCurrentStore, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, shortTime } from '../output.js';

export interface RunsOptions {
  readonly version?: string;
  readonly status?: string;
  /** Only runs this channel routed. */
  readonly channel?: string;
  readonly limit?: string;
  readonly json?: boolean;
}

export async function runsCommand(
  context: CommandContext,
  name: string,
  options: RunsOptions,
): Promise<ExitCode> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit ${options.limit}: give a positive whole number`);
  if (options.status !== undefined && !RUN_STATUSES.includes(options.status as RunStatus)) {
    throw new UsageError(`--status ${options.status}: use one of ${RUN_STATUSES.join(', ')}`);
  }
  if (options.channel !== undefined) checkChannelName(options.channel);
  const store = await openCurrentStore(context);
  try {
    let version: string | undefined;
    if (options.version !== undefined) {
      const ref = parseRef(
        options.version.includes('@') ? options.version : `${name}@${options.version}`,
      );
      if (ref.kind === 'file')
        throw new UsageError('--version takes a version (3, sha256:…), not a file');
      version = (await resolveStoredRef(store, ref)).record.id;
    }
    const runs = await store.listRuns({
      workflow: name,
      ...(version ? { version: version as `sha256:${string}` } : {}),
      ...(options.status ? { status: options.status as RunStatus } : {}),
      ...(options.channel === undefined ? {} : { channel: options.channel }),
      limit,
    });
    if (options.json) {
      printJson(context.output, { workflow: name, runs });
      return EXIT.ok;
    }
    if (runs.length === 0) {
      const status = options.status ? ` with status ${options.status}` : '';
      const channel = options.channel === undefined ? '' : ` routed by ${options.channel}`;
      context.output.out(`No runs of ${name}${status}${channel} in ${store.info.location}`);
      return EXIT.ok;
    }
    const lines = runs.map((run) => {
      const v = run.version.seq === undefined ? shortId(run.version.id) : `v${run.version.seq}`;
      const took =
        run.finishedAt === undefined
          ? ''
          : `  ${Date.parse(run.finishedAt) - Date.parse(run.startedAt)} ms`;
      // The channel that routed the run and where it sent it; the bucket is in --json.
      const routed = run.routing ? `  ${run.routing.channel}·${run.routing.target}` : '';
      return `${run.id}  ${shortTime(run.startedAt)}  ${v.padEnd(19)}  ${run.status.padEnd(11)} ${run.mode}${routed}${took}`;
    });
    context.output.out(lines.join('\n')); // one write, not one per run
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
