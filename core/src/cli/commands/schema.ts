/** `lockstep schema`: print the JSON Schema of workflow files (or of the config file). */
import { CONFIG_SCHEMA } from '../../validate/config.js';
import { WORKFLOW_SCHEMA } from '../../format/schema.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';

export interface SchemaOptions {
  readonly config?: boolean;
}

/** Prints the schema so other editors (yaml-language-server, JetBrains) can validate too. */
export async function schemaCommand(
  context: CommandContext,
  options: SchemaOptions,
): Promise<ExitCode> {
  printJson(context.output, options.config ? CONFIG_SCHEMA : WORKFLOW_SCHEMA);
  return EXIT.ok;
}
