/** `lockstep snapshot <file>`: store the file's current content as an immutable version. */
import { Workspace } from '../../node/workspace/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, shortTime } from '../output.js';

export interface SnapshotOptions {
  readonly json?: boolean;
}

/** Snapshots a valid workflow file; the same content again reports the existing version. */
export async function snapshotCommand(
  context: CommandContext,
  file: string,
  options: SnapshotOptions,
): Promise<ExitCode> {
  const workspace = await Workspace.forFile(file, context.global);
  const draft = await workspace.draft(file);
  const store = await workspace.openStore({ create: true });
  try {
    const { version, created } = await store.saveVersion(draft);
    if (options.json) {
      const { definition: _definition, source: _source, ...summary } = version;
      printJson(context.output, {
        ok: true,
        created,
        version: summary,
        store: store.info.location,
      });
    } else if (created) {
      context.output.out(`Snapshot ${version.id} of ${version.name}`);
    } else {
      context.output.out(
        `Unchanged: ${version.name} ${version.id} (stored ${shortTime(version.createdAt)} by ${version.author})`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
