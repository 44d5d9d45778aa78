/**
 * `lockstep prune [--older-than <age>] [--keep <n>] [--dry-run]`: remove old runs' data, never a
 * pinned run, a baseline's run, a run a promotion's gate cites or a run in progress. Defaults from
 * `retention.runs`.
 */
import { UsageError } from '../../model/errors.js';
import { baselinesOf } from '../../node/store/store-baselines.js';
import { currentAuthor } from '../../node/workspace/git.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { DEFAULT_RUNS_KEPT, runsToPrune } from '../../store/run-retention.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { plural, printJson } from '../output.js';

export interface PruneOptions {
  readonly olderThan?: string;
  readonly keep?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

const DAY_MS = 86_400_000;
const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/** `30d`, `12h`, `90m`, `2w` in milliseconds. */
export function parseAge(text: string): number {
  const match = /^([0-9]+)\s*([mhdw])$/.exec(text.trim());
  if (!match) throw new UsageError(`--older-than ${text}: give an age such as 30d, 12h, 90m or 2w`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** Removes (or lists, with --dry-run) the runs retention lets go. */
export async function pruneCommand(
  context: CommandContext,
  options: PruneOptions,
): Promise<ExitCode> {
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const config = (await workspace.config()).retention?.runs;
  const ageMs =
    options.olderThan !== undefined
      ? parseAge(options.olderThan)
      : (config?.max_age_days ?? DEFAULT_RUNS_KEPT.maxAgeDays) * DAY_MS;
  const keep =
    options.keep !== undefined
      ? Number(options.keep)
      : (config?.max_count ?? DEFAULT_RUNS_KEPT.maxCount);
  if (!Number.isInteger(keep) || keep < 0) {
    throw new UsageError(
      `--keep ${options.keep}: give a whole number of runs to keep per workflow`,
    );
  }
  const store = await workspace.openStore();
  try {
    const pins = await store.listPins();
    const baselines = baselinesOf(workspace.storeDir, store);
    const protectedIds = new Set(pins.keys());
    // The runs a promotion's gate replayed are its evidence: the audit trail cites them.
    for (const entry of await store.readControlLog()) {
      if (entry.type === 'channel') for (const id of entry.gate?.sample ?? []) protectedIds.add(id);
    }
    const runs = [];
    for (const workflow of await store.listWorkflows()) {
      for (const b of await baselines.list(workflow)) protectedIds.add(b.baseline.run.header.id);
      runs.push(...(await store.listRuns({ workflow, limit: 1_000_000_000 })));
    }
    const chosen = runsToPrune(runs, { olderThan: Date.now() - ageMs, keep, protectedIds });
    const removed = options.dryRun
      ? chosen
      : await store.removeRuns(chosen, {
          actor: await currentAuthor(workspace.root),
          at: new Date().toISOString(),
        });
    if (options.json) {
      printJson(context.output, {
        dryRun: options.dryRun === true,
        removed,
        kept: runs.length - removed.length,
      });
    } else {
      for (const id of removed)
        context.output.out(`${options.dryRun ? 'would remove' : 'removed'} ${id}`);
      context.output.out(
        `${options.dryRun ? 'Would remove' : 'Removed'} ${plural(removed.length, 'run')}; ${plural(runs.length - removed.length, 'run')} kept (${plural(protectedIds.size, 'pinned, baseline or gate-cited run')} never pruned)`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
