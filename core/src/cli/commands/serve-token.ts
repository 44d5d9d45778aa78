/** `lockstep serve token create`: a new bearer token for `lockstep serve`, shown once. */
import { UsageError } from '../../model/errors.js';
import { createToken, parseScope } from '../../node/team/serve/tokens.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';

export interface TokenCreateOptions {
  readonly scope: string;
  readonly tokens?: string;
  readonly name?: string;
  readonly json?: boolean;
}

/** Appends the new token's hash to the tokens file and prints the token (never stored). */
export async function tokenCreateCommand(
  context: CommandContext,
  options: TokenCreateOptions,
): Promise<ExitCode> {
  const scope = parseScope(options.scope);
  if (options.tokens === undefined) {
    throw new UsageError('give the tokens file: --tokens <file> (or LOCKSTEP_SERVE_TOKENS)');
  }
  const name = options.name ?? `${scope}-${new Date().toISOString().slice(0, 10)}`;
  const token = await createToken(options.tokens, scope, name);
  if (options.json) {
    printJson(context.output, { token, scope, name, file: options.tokens });
  } else {
    context.output.out(token);
    context.output.err(
      `lockstep: a ${scope} token '${name}' (its hash appended to ${options.tokens}); it is shown only now`,
    );
  }
  return EXIT.ok;
}
