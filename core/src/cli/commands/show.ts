/** `lockstep show <ref>`: print a version exactly as it was stored. */
import { loadRef, type CommandContext } from '../context.js';
import { sourceWithEmbeddedFiles } from '../../versions/embedded-files.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';

export interface ShowOptions {
  readonly json?: boolean;
}

/**
 * Prints the stored YAML text byte for byte, followed by the content of the prompt and schema files
 * it embeds (`--json`: the whole record and its publication).
 */
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
    // The exact stored text: no trailing newline added or removed (then any embedded files).
    context.output.write(sourceWithEmbeddedFiles(version.record.source, version.record.definition));
  }
  return EXIT.ok;
}
