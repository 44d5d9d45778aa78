/** `lockstep show <ref>`: print a version exactly as it was stored. */
import { loadRef, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';

export interface ShowOptions {
  readonly json?: boolean;
}

/** Prints the stored YAML text byte for byte (`--json`: the whole record and its publication). */
export async function showCommand(
  context: CommandContext,
  ref: string,
  options: ShowOptions,
): Promise<ExitCode> {
  const version = await loadRef(context, ref);
  if (options.json) {
    printJson(context.output, {
      version: version.record,
      publication: version.publication ?? null,
    });
  } else {
    // The exact stored text: no trailing newline added or removed.
    context.output.write(version.record.source);
  }
  return EXIT.ok;
}
