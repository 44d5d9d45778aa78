/**
 * The command line's team commands: `serve` (with `serve token create`) and `worker`. Declared
 * here, in one place, so the main command file only hands them its helpers.
 */
import { Option, type Command } from 'commander';
import type { CommandContext } from './context.js';
import type { ExitCode } from './exit-codes.js';
import type { ServeOptions } from './commands/serve.js';
import type { TokenCreateOptions } from './commands/serve-token.js';
import type { WorkerCommandOptions } from './commands/worker.js';

export interface CommandHelpers {
  readonly context: () => CommandContext;
  readonly run: <A extends unknown[]>(
    command: (...args: A) => Promise<ExitCode>,
  ) => (...args: A) => Promise<void>;
  readonly withJson: (cmd: Command) => Command;
}

/** Adds `serve` and `worker` to `program`. */
export function registerTeamCommands(program: Command, helpers: CommandHelpers): void {
  const { context, run, withJson } = helpers;
  const queueUrl = (): Option =>
    new Option(
      '--queue-url <url>',
      'the run queue’s PostgreSQL database (default: the store’s, when the store is PostgreSQL)',
    ).env('LOCKSTEP_QUEUE');
  const tokensFile = (): Option =>
    new Option('--tokens <file>', 'the tokens file (hashes and scopes, never tokens)').env(
      'LOCKSTEP_SERVE_TOKENS',
    );

  const serve = program
    .command('serve')
    .description(
      'serve the HTTP API: start runs of name@channel (queued for workers), read them, stream their events, list runs',
    )
    .option('--port <n>', 'the port to listen on (default 8080; 0: any free port)')
    .option('--host <address>', 'the address to bind (default 127.0.0.1)')
    .addOption(tokensFile())
    .addOption(queueUrl())
    .action(
      run(async (options: ServeOptions) =>
        (await import('./commands/serve.js')).serveCommand(context(), options),
      ),
    );

  withJson(
    serve
      .command('token')
      .description('manage the bearer tokens of lockstep serve')
      .command('create'),
  )
    .description('make a token, print it once, and append its hash and scope to the tokens file')
    .requiredOption('--scope <scope>', 'read (read runs), run (also start runs) or admin')
    .option('--name <name>', 'a word to recognise the token by in the file')
    .addOption(tokensFile())
    .action(
      run(async (options: TokenCreateOptions) =>
        (await import('./commands/serve-token.js')).tokenCreateCommand(context(), options),
      ),
    );

  program
    .command('worker')
    .description(
      'take queued runs from the PostgreSQL run queue, route and run them in this workspace, record them in its store (until SIGTERM)',
    )
    .option('--concurrency <n>', 'runs at once (default 1)')
    .addOption(queueUrl())
    .option(
      '--lease <seconds>',
      'a job unrenewed this long is taken by another worker (default 30)',
    )
    .option('--poll <seconds>', 'how often to look for jobs without a notification (default 2)')
    .option(
      '--shutdown-timeout <seconds>',
      'on SIGTERM, how long runs in flight may take before they are cancelled and queued again (default 60)',
    )
    .action(
      run(async (options: WorkerCommandOptions) =>
        (await import('./commands/worker.js')).workerCommand(context(), options),
      ),
    );
}
