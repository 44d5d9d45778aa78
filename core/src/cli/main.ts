/**
 * The `lockstep` command line. Each command lives in its own module; this file only declares
 * them, and turns errors into one clear line and a documented exit code (never a stack trace,
 * unless LOCKSTEP_DEBUG is set).
 */
import { Command, Option } from 'commander';
import { LOCKSTEP_VERSION } from '../version.js';
import { UsageError } from '../model/errors.js';
import type { CommandContext, GlobalOptions } from './context.js';
import type { BaselinesOptions } from './commands/baselines.js';
import type { ReplayOptions } from './commands/replay.js';
import type { RunOptions } from './commands/run.js';
import type { RunsOptions } from './commands/runs.js';
import type { TestOptions } from './commands/test.js';
import type { GateCommandOptions } from './commands/gate.js';
import type { RecordOptions } from './commands/record.js';
import type { ExportOptions } from './commands/export.js';
import type { DeployCommandOptions } from './commands/deploy.js';
import type { MigrateOptions } from './commands/migrate.js';
import type { CanaryOptions } from './commands/canary.js';
import type { PromoteOptions } from './commands/promote.js';
import type { ChannelCommandOptions } from './channel-command.js';
import type { AuditOptions } from './commands/audit.js';
import type { PinOptions } from './commands/pin.js';
import type { PruneOptions } from './commands/prune.js';
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
  const declarations = new Map<string, () => void>();
  const declare = (name: string, declareCommand: () => void): void => {
    declarations.set(name, declareCommand);
  };
  const withJson = (cmd: Command): Command =>
    cmd.addOption(jsonOption).hook('preAction', (_parent, action) => {
      json = action.opts<{ json?: boolean }>().json === true;
    });

  declare('validate', () => {
    withJson(
      program
        .command('validate')
        .argument('[files...]', 'workflow files (default: all in the workspace)'),
    )
      .description('check workflow files and report every problem (exit 1 on any error)')
      .action(
        run(async (files: string[], options: { json?: boolean }) =>
          (await import('./commands/validate.js')).validateCommand(context(), files, options),
        ),
      );
  });
  declare('snapshot', () => {
    withJson(program.command('snapshot').argument('<file>', 'a workflow file'))
      .description('store the file’s current content as an immutable version')
      .action(
        run(async (file: string, options: { json?: boolean }) =>
          (await import('./commands/snapshot.js')).snapshotCommand(context(), file, options),
        ),
      );
  });
  declare('publish', () => {
    withJson(program.command('publish').argument('<file>', 'a workflow file'))
      .description('publish the file’s current content as the next numbered version (v1, v2, …)')
      .requiredOption('-m, --message <message>', 'what changed and why')
      .action(
        run(async (file: string, options: { message: string; json?: boolean }) =>
          (await import('./commands/publish.js')).publishCommand(context(), file, options),
        ),
      );
  });
  declare('versions', () => {
    withJson(program.command('versions').argument('<name>', 'a workflow name'))
      .description('list the published versions and snapshots of a workflow')
      .action(
        run(async (name: string, options: { json?: boolean }) =>
          (await import('./commands/versions.js')).versionsCommand(context(), name, options),
        ),
      );
  });
  declare('show', () => {
    withJson(program.command('show').argument('<ref>', 'a version ref'))
      .description('print a version’s definition exactly as stored')
      .hook('preAction', readsVersions)
      .action(
        run(async (ref: string, options: { json?: boolean }) =>
          (await import('./commands/show.js')).showCommand(context(), ref, options),
        ),
      );
  });
  declare('diff', () => {
    withJson(
      program
        .command('diff')
        .argument('<refA>', 'a version ref')
        .argument('<refB>', 'a version ref'),
    )
      .description('show what changed between two versions (exit 1 when they differ)')
      .hook('preAction', readsVersions)
      .action(
        run(async (refA: string, refB: string, options: { json?: boolean }) =>
          (await import('./commands/diff.js')).diffCommand(context(), refA, refB, options),
        ),
      );
  });
  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  declare('run', () => {
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
        run(async (ref: string, refB: string | undefined, options: RunOptions) =>
          (await import('./commands/run.js')).runCommand(context(), ref, {
            ...options,
            ...(refB === undefined ? {} : { refB }),
          }),
        ),
      );
  });
  declare('replay', () => {
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
      .option(
        '--allow-shell',
        'let a shell step without a recorded answer run (with --on-miss live)',
      )
      .action(
        run(async (id: string, options: ReplayOptions) =>
          (await import('./commands/replay.js')).replayCommand(context(), id, options),
        ),
      );
  });
  declare('compare', () => {
    withJson(
      program.command('compare').argument('<runA>', 'a run id').argument('<runB>', 'a run id'),
    )
      .description('compare two runs step by step (exit 1 when they differ)')
      .action(
        run(async (a: string, b: string, options: { json?: boolean }) =>
          (await import('./commands/compare.js')).compareCommand(context(), a, b, options),
        ),
      );
  });
  declare('runs', () => {
    withJson(program.command('runs').argument('<name>', 'a workflow name'))
      .description('list a workflow’s runs, newest first')
      .option('--version <ref>', 'only runs of this version (3, sha256:…)')
      .option(
        '--status <status>',
        'only runs with this status (running, succeeded, failed, cancelled, interrupted)',
      )
      .option('--channel <channel>', 'only runs this channel routed (name@channel runs)')
      .option('--limit <n>', 'at most this many (default 50)')
      .action(
        run(async (name: string, options: RunsOptions) =>
          (await import('./commands/runs.js')).runsCommand(context(), name, options),
        ),
      );
  });
  declare('inspect', () => {
    withJson(program.command('inspect').argument('<run>', 'a run id (or its first 8+ characters)'))
      .description('show what a run recorded: version, input, steps, effects, output')
      .action(
        run(async (id: string, options: { json?: boolean }) =>
          (await import('./commands/inspect.js')).inspectCommand(context(), id, options),
        ),
      );
  });
  declare('baselines', () => {
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
          async (
            name: string,
            action: string | undefined,
            id: string | undefined,
            options: BaselinesOptions,
          ) =>
            (await import('./commands/baselines.js')).baselinesCommand(
              context(),
              name,
              action,
              id,
              options,
            ),
        ),
      );
  });
  declare('test', () => {
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
      .action(
        run(async (ref: string, options: TestOptions) =>
          (await import('./commands/test.js')).testCommand(context(), ref, options),
        ),
      );
  });
  declare('record', () => {
    withJson(
      program.command('record').argument('[run-id]', 'the run (an 8+ character prefix works)'),
    )
      .description(
        'a run’s decision record: its version, models, prompts, effects, routing and the control-log entries that admitted it, with their hashes',
      )
      .option('-o, --output <file>', 'write the record to this file')
      .option(
        '--verify <file>',
        'check a decision record: every hash and chain link (exit 1 if not)',
      )
      .action(
        run(async (id: string | undefined, options: RecordOptions) =>
          (await import('./commands/record.js')).recordCommand(context(), id, options),
        ),
      );
  });
  declare('export', () => {
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
      .action(
        run(async (ids: string[], options: ExportOptions) =>
          (await import('./commands/export.js')).exportCommand(context(), ids, options),
        ),
      );
  });
  declare('import', () => {
    withJson(program.command('import').argument('<file>', 'a bundle written by lockstep export'))
      .description(
        'add a bundle’s runs and versions to the store, after checking all of it (importing twice changes nothing)',
      )
      .action(
        run(async (file: string, options: { json?: boolean }) =>
          (await import('./commands/import.js')).importCommand(context(), file, options),
        ),
      );
  });
  declare('gate', () => {
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
      .option(
        '--max-changed <percent>',
        'the largest share of changed runs that passes (default 0)',
      )
      .option(
        '--on-miss <policy>',
        'a request without a recorded answer: live, stub or fail (default: replay.on_miss, else live)',
      )
      .option('--fixtures <file>', 'answers for --on-miss stub')
      .option('--timeout <seconds>', 'the time limit of each run’s replay (default 300)')
      .option('--format <format>', 'junit, json, markdown or text (default text; junit with -o)')
      .option('-o, --output <file>', 'write the report to this file (and a summary to stdout)')
      .action(
        run(async (ref: string, options: GateCommandOptions) =>
          (await import('./commands/gate.js')).gateCommand(context(), ref, options),
        ),
      );
  });
  const channelOptions = (cmd: Command): Command =>
    cmd
      .requiredOption('--channel <channel>', 'the channel (production, staging, …)')
      .option('-m, --message <message>', 'why: recorded with the change')
      .option(
        '--if-revision <n>',
        'change only if the channel is still at this revision (else a conflict)',
      );
  declare('promote', () => {
    withJson(
      channelOptions(program.command('promote').argument('<ref>', 'a published version: name@3')),
    )
      .description('put a published version on a channel for all of its traffic')
      .option(
        '--require-gate',
        'refuse unless a gate of this version against the channel’s current version passed here',
      )
      .action(
        run(async (ref: string, options: PromoteOptions) =>
          (await import('./commands/promote.js')).promoteCommand(context(), ref, options),
        ),
      );
  });
  declare('canary', () => {
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
      .option(
        '--sticky <expression>',
        'keep each key on one version: an expression over the inputs',
      )
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
        run(async (target: string, options: CanaryOptions) =>
          (await import('./commands/canary.js')).canaryCommand(context(), target, options),
        ),
      );
  });
  declare('rollback', () => {
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
          async (
            name: string | undefined,
            options: Partial<ChannelCommandOptions> & { deployment?: string },
          ) => {
            if (options.deployment !== undefined) {
              if (name !== undefined || options.channel !== undefined) {
                throw new UsageError(
                  '--deployment undoes a whole deployment: give no name or --channel',
                );
              }
              return (await import('./commands/deploy.js')).rollbackDeploymentCommand(
                context(),
                options.deployment,
                options,
              );
            }
            if (name === undefined || options.channel === undefined) {
              throw new UsageError(
                'give a workflow name and --channel <channel> (or --deployment <id>)',
              );
            }
            return (await import('./commands/rollback.js')).rollbackCommand(context(), name, {
              ...options,
              channel: options.channel,
            });
          },
        ),
      );
  });
  declare('deploy', () => {
    withJson(program.command('deploy'))
      .description(
        'publish every changed workflow file, gate each against the channel and promote them all as one deployment (exit 1, nothing changed, when a gate fails)',
      )
      .requiredOption('--channel <channel>', 'the channel to deploy to (production, staging, …)')
      .option('--canary <percent>', 'start a canary of each at this share instead of promoting')
      .option(
        '-m, --message <message>',
        'the publications’ message (default: the commit’s subject)',
      )
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
      .action(
        run(async (options: DeployCommandOptions) =>
          (await import('./commands/deploy.js')).deployCommand(context(), options),
        ),
      );
  });
  declare('channels', () => {
    withJson(program.command('channels').argument('<name>', 'a workflow name'))
      .description('a workflow’s channels: where they point, their history, figures per version')
      .action(
        run(async (name: string, options: { json?: boolean }) =>
          (await import('./commands/channels.js')).channelsCommand(context(), name, options),
        ),
      );
  });
  declare('pin', () => {
    withJson(program.command('pin').argument('<run>', 'a run id (or its first 8+ characters)'))
      .description('keep a run from lockstep prune (recorded in the local log)')
      .requiredOption('-m, --message <reason>', 'why the run is kept')
      .action(
        run(async (id: string, options: PinOptions) =>
          (await import('./commands/pin.js')).pinCommand(context(), id, options),
        ),
      );
  });
  declare('unpin', () => {
    withJson(program.command('unpin').argument('<run>', 'a run id (or its first 8+ characters)'))
      .description('let lockstep prune remove a pinned run again')
      .action(
        run(async (id: string, options: PinOptions) =>
          (await import('./commands/pin.js')).pinCommand(context(), id, options, true),
        ),
      );
  });
  declare('prune', () => {
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
      .action(
        run(async (options: PruneOptions) =>
          (await import('./commands/prune.js')).pruneCommand(context(), options),
        ),
      );
  });
  declare('audit', () => {
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
        run(async (name: string | undefined, options: AuditOptions) =>
          (await import('./commands/audit.js')).auditCommand(context(), name, options),
        ),
      );
  });
  declare('verify', () => {
    withJson(program.command('verify'))
      .description(
        'check every stored hash and the chains of the control log and the local log (exit 1 on any problem)',
      )
      .action(
        run(async (options: { json?: boolean }) =>
          (await import('./commands/verify.js')).verifyCommand(context(), options),
        ),
      );
  });
  declare('migrate', () => {
    withJson(program.command('migrate'))
      .description(
        'copy the file store into a PostgreSQL store (versions keep their ids, the chain its hashes), then verify both (exit 1 unless both are intact and alike); run again to copy what is new',
      )
      .requiredOption(
        '--to <url>',
        'the PostgreSQL store: postgres://user@host:5432/database (password in PGPASSWORD or ~/.pgpass)',
      )
      .action(
        run(async (options: MigrateOptions) =>
          (await import('./commands/migrate.js')).migrateCommand(context(), options),
        ),
      );
  });
  declare('schema', () => {
    program
      .command('schema')
      .description('print the JSON Schema of workflow files, for other editors')
      .option('--config', 'print the schema of .lockstep/config.yaml instead')
      .action(
        run(async (options: { config?: boolean }) =>
          (await import('./commands/schema.js')).schemaCommand(context(), options),
        ),
      );
  });
  const team = (): void => registerTeamCommands(program, { context, run, withJson });
  declare('serve', team);
  declare('worker', team);

  // Declaring every command (and its options) is a good share of a short command's start: when
  // the command is named, only it is declared. Anything else (help, a typo that needs
  // suggestions, no command) sees them all.
  const named = declarations.get(commandNameIn(argv) ?? '');
  for (const declareCommand of named ? [named] : new Set(declarations.values())) declareCommand();

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

/**
 * The command `argv` names: its first word that is neither an option nor the value of `--store`
 * (the one global option taking a value). Undefined when an option other than `--store` comes
 * first (`--help`, `--version`), so that the program's own options see every command.
 */
function commandNameIn(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--store') i++;
    else if (arg.startsWith('--store=')) continue;
    else if (arg.startsWith('-')) return undefined;
    else return arg;
  }
  return undefined;
}
