/** `lockstep snapshot <file>`: store the file's current content as an immutable version. */
import { Workspace } from '../../node/workspace/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { plural, printJson, shortTime } from '../output.js';
import { snapshotFile } from '../../node/services/version-service.js';

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
  // The file is checked before the store is created: an invalid file leaves nothing behind.
  await workspace.draft(file);
  const store = await workspace.openStore({ create: true });
  try {
    const { record: version, created, pruned } = await snapshotFile(workspace, store, file);
    if (options.json) {
      const { definition: _definition, source: _source, ...summary } = version;
      printJson(context.output, {
        ok: true,
        created,
        version: summary,
        pruned,
        store: store.info.location,
      });
    } else if (created) {
      context.output.out(`Snapshot ${version.id} of ${version.name}`);
      if (pruned.length > 0) {
        context.output.out(
          `Removed ${plural(pruned.length, 'older snapshot')} of ${version.name} (retention.snapshots in .lockstep/config.yaml)`,
        );
      }
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
