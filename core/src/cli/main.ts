/**
 * The `lockstep` command line. Each command lives in its own module; this file only declares
 * them, and turns errors into one clear line and a documented exit code (never a stack trace,
 * unless LOCKSTEP_DEBUG is set).
 */
import { Command, Option } from 'commander';
import { LOCKSTEP_VERSION } from '../version.js';
import { UsageError } from '../model/errors.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { baselinesCommand, type BaselinesOptions } from './commands/baselines.js';
import { diffCommand } from './commands/diff.js';
import { compareCommand } from './commands/compare.js';
import { inspectCommand } from './commands/inspect.js';
import { replayCommand, type ReplayOptions } from './commands/replay.js';
import { runCommand, type RunOptions } from './commands/run.js';
import { runsCommand, type RunsOptions } from './commands/runs.js';
import { publishCommand } from './commands/publish.js';
import { schemaCommand } from './commands/schema.js';
import { showCommand } from './commands/show.js';
import { snapshotCommand } from './commands/snapshot.js';
import { testCommand, type TestOptions } from './commands/test.js';
import { gateCommand, type GateCommandOptions } from './commands/gate.js';
import { recordCommand, type RecordOptions } from './commands/record.js';
import { exportCommand, type ExportOptions } from './commands/export.js';
import { importCommand } from './commands/import.js';
import {
  deployCommand,
  rollbackDeploymentCommand,
  type DeployCommandOptions,
} from './commands/deploy.js';
import { validateCommand } from './commands/validate.js';
import { verifyCommand } from './commands/verify.js';
import { migrateCommand, type MigrateOptions } from './commands/migrate.js';
import { versionsCommand } from './commands/versions.js';
import { canaryCommand, type CanaryOptions } from './commands/canary.js';
import { channelsCommand } from './commands/channels.js';
import { promoteCommand, type PromoteOptions } from './commands/promote.js';
import { rollbackCommand } from './commands/rollback.js';
import type { ChannelCommandOptions } from './channel-command.js';
import { auditCommand, type AuditOptions } from './commands/audit.js';
import { pinCommand, type PinOptions } from './commands/pin.js';
import { pruneCommand, type PruneOptions } from './commands/prune.js';
import { registerTeamCommands } from './team-commands.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { reportError } from './error-report.js';
import { processOutput, type Output } from './output.js';

const EXIT_CODES_HELP = `
Exit codes:
  0   done, nothing wrong
  1   done, and problems were found (validation errors, failed verify, versions differ, a failed run)
  2   could not do what was asked (usage, unknown ref or file, unusable store)
  70  internal error (please report it)
  130 the run was cancelled (Ctrl-C)

Version refs:
  name@3                 published version 3 (also name@v3)
  name@sha256:1a2b3c4d   a stored version whose id starts so (at least 8 hex digits)
  name@production        the version a channel routes the run to
  path/to/x.workflow.yaml  the file's current content (snapshotted first)`;

/**
 * Runs the CLI with `argv` (without node and script) and resolves to the exit code.
 * Output goes to `output` (standard streams by default).
 */
export async function runCli(
  argv: readonly string[],
  output: Output = processOutput,
): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  // Known before parsing, so that a usage error is reported as JSON too.
  let json = argv.includes('--json');
  let usageMessage: string | undefined;
  // An invalid workflow file is a finding for commands that check files (validate, snapshot,
  // publish: exit 1), but an unusable argument for commands that only read versions (exit 2).
  let invalidFileExit: ExitCode = EXIT.problems;
  const readsVersions = (): void => {
    invalidFileExit = EXIT.usage;
  };
  const storeOption = (): Option =>
    new Option(
      '--store <folder|url>',
      'use this .lockstep folder or PostgreSQL store (postgres://user@host/db) instead of the workspace’s',
    ).env('LOCKSTEP_STORE');
  // Global options are read before the command only, so that after it `--version` is the
  // command's own (`runs <name> --version 3`); `--store` is declared by every command too, so it
  // still works on either side.
  let commandStore: string | undefined;
  const program = new Command('lockstep')
    .description('Immutable versions, pinned runs and deterministic replay for AI workflows.')
    .version(LOCKSTEP_VERSION, '-V, --version')
    .addOption(storeOption())
    .enablePositionalOptions()
    .hook('preAction', (_program, action) => {
      // A --store typed after the command wins (an environment value does not).
      if (action.getOptionValueSource('store') === 'cli') {
        commandStore = action.opts<GlobalOptions>().store;
      }
    })
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.write(text),
      writeErr: (text) => output.err(text.trimEnd()),
      // A usage error: printed as text, or kept for the JSON document.
      outputError: (text, write) => {
        usageMessage = text.trim().replace(/^error: /, '');
        if (!json) write(text);
      },
    });

  const context = (): CommandContext => {
    const global = program.opts<GlobalOptions>();
    return {
      output,
      global: commandStore === undefined ? global : { ...global, store: commandStore },
    };
  };
  const run =
    <A extends unknown[]>(command: (...args: A) => Promise<ExitCode>) =>
    async (...args: A): Promise<void> => {
      exitCode = await command(...args);
    };
  const jsonOption = new Option('--json', 'print one JSON document (for tools)');
  const withJson = (cmd: Command): Command =>
    cmd.addOption(jsonOption).hook('preAction', (_parent, action) => {
      json = action.opts<{ json?: boolean }>().json === true;
    });

  withJson(
    program
      .command('validate')
      .argument('[files...]', 'workflow files (default: all in the workspace)'),
  )
    .description('check workflow files and report every problem (exit 1 on any error)')
    .action(
      run((files: string[], options: { json?: boolean }) =>
        validateCommand(context(), files, options),
      ),
    );

  withJson(program.command('snapshot').argument('<file>', 'a workflow file'))
    .description('store the file’s current content as an immutable version')
    .action(
      run((file: string, options: { json?: boolean }) => snapshotCommand(context(), file, options)),
    );

  withJson(program.command('publish').argument('<file>', 'a workflow file'))
    .description('publish the file’s current content as the next numbered version (v1, v2, …)')
    .requiredOption('-m, --message <message>', 'what changed and why')
    .action(
      run((file: string, options: { message: string; json?: boolean }) =>
        publishCommand(context(), file, options),
      ),
    );

  withJson(program.command('versions').argument('<name>', 'a workflow name'))
    .description('list the published versions and snapshots of a workflow')
    .action(
      run((name: string, options: { json?: boolean }) => versionsCommand(context(), name, options)),
    );

  withJson(program.command('show').argument('<ref>', 'a version ref'))
    .description('print a version’s definition exactly as stored')
    .hook('preAction', readsVersions)
    .action(
      run((ref: string, options: { json?: boolean }) => showCommand(context(), ref, options)),
    );

  withJson(
    program.command('diff').argument('<refA>', 'a version ref').argument('<refB>', 'a version ref'),
  )
    .description('show what changed between two versions (exit 1 when they differ)')
    .hook('preAction', readsVersions)
    .action(
      run((refA: string, refB: string, options: { json?: boolean }) =>
        diffCommand(context(), refA, refB, options),
      ),
    );

  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  withJson(
    program
      .command('run')
      .argument('<ref>', 'a workflow file or a version ref')
      .argument('[refB]', 'with --side-by-side: the second version'),
  )
    .description('run a workflow and record the run (exit 0 succeeded, 1 failed, 130 cancelled)')
    // An invalid workflow or fixtures file means the run could not start: exit 2, never the 1
    // that says a run failed.
    .hook('preAction', readsVersions)
    .option(
      '-i, --input <name=value>',
      'an input (repeatable); JSON for non-string inputs',
      collect,
    )
    .option('--input-file <file>', 'inputs as a JSON object')
    .option(
      '--fixtures <file>',
      'answer model and HTTP calls from this fixtures file (a scripted run)',
    )
    .option('--allow-shell', 'let shell steps run commands (off by default)')
    .option('--allow-retired', 'run a published version that retention has retired')
    .option('--side-by-side', 'run <ref> and <refB> at once on the same input and compare them')
    .action(
      run((ref: string, refB: string | undefined, options: RunOptions) =>
        runCommand(context(), ref, { ...options, ...(refB === undefined ? {} : { refB }) }),
      ),
    );

  withJson(program.command('replay').argument('<run>', 'a run id (or a unique prefix)'))
    .description(
      're-execute a run exactly from its recording, or --against another version, and compare',
    )
    .hook('preAction', readsVersions)
    .option(
      '--against <ref>',
      'the version to replay the input on: a workflow file (the working copy), name@3, name@sha256:…',
    )
    .option(
      '--on-miss <policy>',
      'with --against, a request without a recorded answer: live (default), stub or fail',
    )
    .option('--fixtures <file>', 'answers for --on-miss stub')
    .option('--allow-shell', 'let a shell step without a recorded answer run (with --on-miss live)')
    .action(run((id: string, options: ReplayOptions) => replayCommand(context(), id, options)));

  withJson(program.command('compare').argument('<runA>', 'a run id').argument('<runB>', 'a run id'))
    .description('compare two runs step by step (exit 1 when they differ)')
    .action(
      run((a: string, b: string, options: { json?: boolean }) =>
        compareCommand(context(), a, b, options),
      ),
    );

  withJson(program.command('runs').argument('<name>', 'a workflow name'))
    .description('list a workflow’s runs, newest first')
    .option('--version <ref>', 'only runs of this version (3, sha256:…)')
    .option(
      '--status <status>',
      'only runs with this status (running, succeeded, failed, cancelled, interrupted)',
    )
    .option('--channel <channel>', 'only runs this channel routed (name@channel runs)')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(run((name: string, options: RunsOptions) => runsCommand(context(), name, options)));

  withJson(program.command('inspect').argument('<run>', 'a run id (or its first 8+ characters)'))
    .description('show what a run recorded: version, input, steps, effects, output')
    .action(
      run((id: string, options: { json?: boolean }) => inspectCommand(context(), id, options)),
    );

  withJson(
    program
      .command('baselines')
      .argument('<name>', 'a workflow name')
      .argument('[action]', 'add or remove')
      .argument('[run]', 'with add or remove: a run id (or its first 8+ characters)'),
  )
    .description('list a workflow’s regression baselines, or add or remove the baseline of a run')
    .action(
      run(
        (
          name: string,
          action: string | undefined,
          id: string | undefined,
          options: BaselinesOptions,
        ) => baselinesCommand(context(), name, action, id, options),
      ),
    );

  withJson(program.command('test').argument('<ref>', 'a workflow file or a version ref'))
    .description(
      'replay every baseline of the workflow against this version and judge its outputs (exit 1 when any fails)',
    )
    .hook('preAction', readsVersions)
    .option('--format <format>', 'junit, json, markdown or text (default text; junit with -o)')
    .option('-o, --output <file>', 'write the report to this file (and a summary to stdout)')
    .option(
      '--on-miss <policy>',
      'a request without a recorded answer: live, stub or fail (default: replay.on_miss, else live)',
    )
    .option('--fixtures <file>', 'answers for --on-miss stub')
    .option('--timeout <seconds>', 'the time limit of each baseline’s replay (default 300)')
    .action(run((ref: string, options: TestOptions) => testCommand(context(), ref, options)));

  withJson(program.command('record').argument('[run-id]', 'the run (an 8+ character prefix works)'))
    .description(
      'a run’s decision record: its version, models, prompts, effects, routing and the control-log entries that admitted it, with their hashes',
    )
    .option('-o, --output <file>', 'write the record to this file')
    .option('--verify <file>', 'check a decision record: every hash and chain link (exit 1 if not)')
    .action(
      run((id: string | undefined, options: RecordOptions) =>
        recordCommand(context(), id, options),
      ),
    );

  withJson(program.command('export').argument('[runs...]', 'run ids (or 8+ character prefixes)'))
    .description(
      'write finished runs, the child runs they called and the versions they ran to one compressed, verifiable bundle file',
    )
    .option('-o, --output <file>', 'the bundle file to write')
    .option('--channel <channel>', 'the newest runs this channel routed (with --last)')
    .option('--last <n>', 'with --channel: how many of the newest finished runs, per workflow')
    .option('--workflow <name>', 'with --channel: this workflow only')
    .option('--baselines <name>', 'a workflow’s regression baselines')
    .option(
      '--redact <path>',
      'personal data to replace everywhere in the bundle: a path into a run’s input or output (input.customer.email); repeatable, added to the config’s redact:',
      collect,
    )
    .action(run((ids: string[], options: ExportOptions) => exportCommand(context(), ids, options)));

  withJson(program.command('import').argument('<file>', 'a bundle written by lockstep export'))
    .description(
      'add a bundle’s runs and versions to the store, after checking all of it (importing twice changes nothing)',
    )
    .action(
      run((file: string, options: { json?: boolean }) => importCommand(context(), file, options)),
    );

  withJson(
    program
      .command('gate')
      .argument('<candidate>', 'the candidate: a workflow file or a version ref'),
  )
    .description(
      'replay a sample of the baseline’s real runs against the candidate and judge the outputs (exit 1 when more changed than allowed)',
    )
    .hook('preAction', readsVersions)
    .requiredOption(
      '--baseline <channel|ref>',
      'what to compare with: a channel (its stable version) or a version (production, 1, name@1)',
    )
    .option('--sample <n>', 'how many of the baseline’s live runs to replay (default 50)')
    .option(
      '--runs <ids>',
      'replay these runs instead (ids or 8+ character prefixes, comma-separated)',
    )
    .option(
      '--bundle <file>',
      'import this run bundle (lockstep export) and draw the sample from its runs',
    )
    .option('--max-changed <percent>', 'the largest share of changed runs that passes (default 0)')
    .option(
      '--on-miss <policy>',
      'a request without a recorded answer: live, stub or fail (default: replay.on_miss, else live)',
    )
    .option('--fixtures <file>', 'answers for --on-miss stub')
    .option('--timeout <seconds>', 'the time limit of each run’s replay (default 300)')
    .option('--format <format>', 'junit, json, markdown or text (default text; junit with -o)')
    .option('-o, --output <file>', 'write the report to this file (and a summary to stdout)')
    .action(
      run((ref: string, options: GateCommandOptions) => gateCommand(context(), ref, options)),
    );

  const channelOptions = (cmd: Command): Command =>
    cmd
      .requiredOption('--channel <channel>', 'the channel (production, staging, …)')
      .option('-m, --message <message>', 'why: recorded with the change')
      .option(
        '--if-revision <n>',
        'change only if the channel is still at this revision (else a conflict)',
      );

  withJson(
    channelOptions(program.command('promote').argument('<ref>', 'a published version: name@3')),
  )
    .description('put a published version on a channel for all of its traffic')
    .option(
      '--require-gate',
      'refuse unless a gate of this version against the channel’s current version passed here',
    )
    .action(run((ref: string, options: PromoteOptions) => promoteCommand(context(), ref, options)));

  withJson(
    channelOptions(
      program
        .command('canary')
        .argument('<ref>', 'the candidate, a published version: name@4 (with --abort: a name)'),
    ),
  )
    .description(
      'route a share of a channel to a candidate (run again to change it; --weight 100 completes it)',
    )
    .option('--weight <percent>', 'the candidate’s share of the traffic, above 0, at most 100')
    .option('--sticky <expression>', 'keep each key on one version: an expression over the inputs')
    .option(
      '--abort-if <condition>',
      'abort by itself when crossed: "failure_rate > 5%", "p95_latency > 2s", "cost_per_run > 0.02" (repeatable)',
      collect,
    )
    .option(
      '--min-runs <n>',
      'the candidate runs a condition needs before it can abort (default 20)',
    )
    .option('--abort', 'return all of the channel’s traffic to its stable version')
    .action(
      run((target: string, options: CanaryOptions) => canaryCommand(context(), target, options)),
    );

  withJson(program.command('rollback').argument('[name]', 'a workflow name'))
    .description(
      'return a channel to its state before its latest change not rolled back (repeat to walk back), or undo a whole deployment',
    )
    .option('--channel <channel>', 'the channel (production, staging, …)')
    .option('--deployment <id>', 'undo every channel change of this deployment instead')
    .option('-m, --message <message>', 'why: recorded with the change')
    .option(
      '--if-revision <n>',
      'change only if the channel is still at this revision (else a conflict)',
    )
    .action(
      run(
        (
          name: string | undefined,
          options: Partial<ChannelCommandOptions> & { deployment?: string },
        ) => {
          if (options.deployment !== undefined) {
            if (name !== undefined || options.channel !== undefined) {
              throw new UsageError(
                '--deployment undoes a whole deployment: give no name or --channel',
              );
            }
            return rollbackDeploymentCommand(context(), options.deployment, options);
          }
          if (name === undefined || options.channel === undefined) {
            throw new UsageError(
              'give a workflow name and --channel <channel> (or --deployment <id>)',
            );
          }
          return rollbackCommand(context(), name, { ...options, channel: options.channel });
        },
      ),
    );

  withJson(program.command('deploy'))
    .description(
      'publish every changed workflow file, gate each against the channel and promote them all as one deployment (exit 1, nothing changed, when a gate fails)',
    )
    .requiredOption('--channel <channel>', 'the channel to deploy to (production, staging, …)')
    .option('--canary <percent>', 'start a canary of each at this share instead of promoting')
    .option('-m, --message <message>', 'the publications’ message (default: the commit’s subject)')
    .option('--sample <n>', 'runs each gate replays (default 50)')
    .option(
      '--max-changed <percent>',
      'the largest share of changed runs a gate passes (default 0)',
    )
    .option(
      '--on-miss <policy>',
      'a request without a recorded answer in a gate: live, stub or fail',
    )
    .option('--fixtures <file>', 'answers for --on-miss stub')
    .option('--timeout <seconds>', 'the time limit of each replay (default 300)')
    .action(run((options: DeployCommandOptions) => deployCommand(context(), options)));

  withJson(program.command('channels').argument('<name>', 'a workflow name'))
    .description('a workflow’s channels: where they point, their history, figures per version')
    .action(
      run((name: string, options: { json?: boolean }) => channelsCommand(context(), name, options)),
    );

  withJson(program.command('pin').argument('<run>', 'a run id (or its first 8+ characters)'))
    .description('keep a run from lockstep prune (recorded in the local log)')
    .requiredOption('-m, --message <reason>', 'why the run is kept')
    .action(run((id: string, options: PinOptions) => pinCommand(context(), id, options)));

  withJson(program.command('unpin').argument('<run>', 'a run id (or its first 8+ characters)'))
    .description('let lockstep prune remove a pinned run again')
    .action(run((id: string, options: PinOptions) => pinCommand(context(), id, options, true)));

  withJson(program.command('prune'))
    .description(
      'remove old runs’ data, never pinned runs, baselines’ runs or runs in progress (defaults: retention.runs)',
    )
    .option(
      '--older-than <age>',
      'runs started longer ago than this: 30d, 12h, 90m, 2w (default 90d)',
    )
    .option('--keep <n>', 'keep the newest n runs of each workflow (default 10000)')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action(run((options: PruneOptions) => pruneCommand(context(), options)));

  program
    .command('audit')
    .argument('[name]', 'only this workflow’s entries')
    .description(
      'export the control log (and with --local the local log) with each entry’s chain hash',
    )
    .option('--since <date>', 'only entries from this date on (2026-11-01, 2026-11-01T12:00Z)')
    .option('--format <format>', 'jsonl (default) or csv')
    .option('-o, --output <file>', 'write the export to this file')
    .option('--local', 'include the local log: prunes and pins')
    .action(
      run((name: string | undefined, options: AuditOptions) =>
        auditCommand(context(), name, options),
      ),
    );

  withJson(program.command('verify'))
    .description(
      'check every stored hash and the chains of the control log and the local log (exit 1 on any problem)',
    )
    .action(run((options: { json?: boolean }) => verifyCommand(context(), options)));

  withJson(program.command('migrate'))
    .description(
      'copy the file store into a PostgreSQL store (versions keep their ids, the chain its hashes), then verify both (exit 1 unless both are intact and alike); run again to copy what is new',
    )
    .requiredOption(
      '--to <url>',
      'the PostgreSQL store: postgres://user@host:5432/database (password in PGPASSWORD or ~/.pgpass)',
    )
    .action(run((options: MigrateOptions) => migrateCommand(context(), options)));

  program
    .command('schema')
    .description('print the JSON Schema of workflow files, for other editors')
    .option('--config', 'print the schema of .lockstep/config.yaml instead')
    .action(run((options: { config?: boolean }) => schemaCommand(context(), options)));

  registerTeamCommands(program, { context, run, withJson });

  try {
    for (const command of program.commands) command.addOption(storeOption());
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, output, {
      json,
      invalidFileExit,
      ...(usageMessage === undefined ? {} : { usageMessage }),
    });
  }
}
