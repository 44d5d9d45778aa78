/**
 * `lockstep import <file>`: adds a run bundle's runs and versions to the store. The bundle is
 * checked whole first (a damaged or edited one is refused and nothing is written); importing it
 * again changes nothing.
 */
import { importBundle, readBundle, type ImportResult } from '../../node/services/bundles.js';
import { currentAuthor } from '../../node/workspace/git.js';
import { Workspace } from '../../node/workspace/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Output } from '../output.js';
import { displayPath, plural, printJson } from '../output.js';

/** Exit 0 once the bundle is imported (or was already). */
export async function importCommand(
  context: CommandContext,
  file: string,
  options: { readonly json?: boolean },
): Promise<ExitCode> {
  const bundle = await readBundle(file, displayPath(file));
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore({ create: true });
  try {
    const result = await importBundle(store, bundle, {
      actor: await currentAuthor(workspace.root),
      at: new Date().toISOString(),
    });
    if (options.json === true) printJson(context.output, { file: displayPath(file), ...result });
    else printImport(context.output, displayPath(file), result);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** What an import did, in a line or two (shared with `lockstep gate --bundle`). */
export function printImport(
  output: Output,
  file: string,
  result: ImportResult,
  stream: 'out' | 'err' = 'out',
): void {
  const { runs, versions } = result;
  const here = runs.present + runs.kept.length;
  output[stream](
    `Imported ${file} (bundle ${result.id}, exported ${result.exportedAt} by ${result.exportedBy}): ${plural(runs.added.length, 'run')} and ${plural(versions.added.length, 'version')} added${here + versions.present > 0 ? `; ${plural(here, 'run')} and ${plural(versions.present, 'version')} were already here` : ''}`,
  );
  if (runs.kept.length > 0) {
    output.err(
      `${plural(runs.kept.length, 'run')} of the bundle ${runs.kept.length === 1 ? 'is' : 'are'} already here with other content (a redacted copy of a run recorded here?); the stored ${runs.kept.length === 1 ? 'one was' : 'ones were'} kept: ${runs.kept.join(', ')}`,
    );
  }
}
