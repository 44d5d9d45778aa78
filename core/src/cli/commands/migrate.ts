/**
 * `lockstep migrate --to <postgres-url>`: copies the workspace's file store (or `--store
 * <folder>`) into a PostgreSQL store, verifies both and compares their chains. Running it again
 * copies only what is new.
 */
import { migrated, migrateToPostgres, type MigrationResult } from '../../node/services/migrate.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { UsageError } from '../../model/errors.js';
import { isStoreUrl } from '../../validate/store-setting.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { displayPath, plural, printJson, type Output } from '../output.js';
import { progressLine } from '../progress-line.js';
import { printVerifyProblems } from './verify.js';

export interface MigrateOptions {
  /** The PostgreSQL store to copy into. */
  readonly to: string;
  readonly json?: boolean;
}

/** Exit 0 when both stores verify and their chains end alike, 1 when not. */
export async function migrateCommand(
  context: CommandContext,
  options: MigrateOptions,
): Promise<ExitCode> {
  // The files are the source whatever the config's store: says (a team that already points its
  // config at the database migrates the files it had): `storeDir` is --store's folder or .lockstep.
  const chosen = context.global.store;
  if (chosen !== undefined && isStoreUrl(chosen) && !sameDatabase(chosen, options.to)) {
    throw new UsageError(
      'migrate copies the files of .lockstep/ (or --store <folder>) into --to, but --store or LOCKSTEP_STORE names another PostgreSQL store: unset it, or give the folder to copy',
    );
  }
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const result = await migrateToPostgres(workspace.storeDir, options.to, {
    onProgress: progressLine(context.output, 'migrate: runs looked at'),
  });
  if (!migrated(result)) {
    if (options.json === true) printJson(context.output, { ok: false, ...result });
    else {
      printVerifyProblems(context.output, result.verified);
      context.output.err(
        `lockstep: ${displayPath(result.from)} does not verify (problems above): nothing was copied; repair it first (lockstep verify)`,
      );
    }
    return EXIT.problems;
  }
  if (options.json === true) printJson(context.output, result);
  else printMigration(context.output, result);
  return result.ok ? EXIT.ok : EXIT.problems;
}

function printMigration(output: Output, result: MigrationResult): void {
  const { copied, present } = result;
  const from = displayPath(result.from);
  output.out(`Migrated ${from} to ${result.to}:`);
  const row = (label: string, key: keyof typeof copied, word: string): void =>
    output.out(`  ${label}: ${plural(copied[key], word)} copied, ${present[key]} already there`);
  row('control log', 'entries', 'entry');
  row('snapshots  ', 'snapshots', 'snapshot');
  row('runs       ', 'runs', 'run');
  row('local log  ', 'localLines', 'line');
  output.out(
    `  baselines  : ${plural(result.baselines.copied, 'baseline')} copied, ${result.baselines.present} already there`,
  );
  if (result.unfinished.length > 0) {
    output.err(
      `lockstep: warning: ${plural(result.unfinished.length, 'run')} not copied, still running: ${result.unfinished.map((r) => r.id).join(', ')}; migrate again once ${result.unfinished.length === 1 ? 'it has' : 'they have'} finished`,
    );
  }
  printVerifyProblems(output, result.verified.from);
  printVerifyProblems(output, result.verified.to);
  if (result.ok) {
    output.out(
      `Verified both: the control logs end at ${result.heads.to.control ?? 'nothing (empty)'} on both`,
    );
    return;
  }
  const heads = result.heads;
  if (heads.from.control !== heads.to.control || heads.from.local !== heads.to.local) {
    output.err(
      `lockstep: the chains differ after the copy (control log ${heads.from.control ?? 'empty'} here, ${heads.to.control ?? 'empty'} there): was something published meanwhile? Run lockstep migrate again`,
    );
  }
  output.err(
    `lockstep: the migration did not verify (see above): do not switch to ${result.to} yet`,
  );
}

/** Whether two PostgreSQL URLs name the same database as the same user (passwords aside). */
function sameDatabase(a: string, b: string): boolean {
  const key = (url: string): string | undefined => {
    try {
      const parsed = new URL(url);
      return [parsed.username, parsed.hostname, parsed.port || '5432', parsed.pathname].join(' ');
    } catch {
      return undefined;
    }
  };
  return key(a) !== undefined && key(a) === key(b);
}
