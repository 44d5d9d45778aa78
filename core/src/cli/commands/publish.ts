/** `lockstep publish <file> -m <message>`: give the file's version the next number. */
import { Workspace } from '../../node/workspace/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { UsageError } from '../../model/errors.js';
import { publishFile } from '../../node/services/version-service.js';

export interface PublishOptions {
  readonly message: string;
  readonly json?: boolean;
}

/**
 * Publishes a valid workflow file's current content as the workflow's next version (v1, v2…),
 * appending the publication to the control log. Publishing an already published version reports
 * its number instead.
 */
export async function publishCommand(
  context: CommandContext,
  file: string,
  options: PublishOptions,
): Promise<ExitCode> {
  if (options.message.trim() === '')
    throw new UsageError('publish needs a message: -m "what changed and why"');
  const workspace = await Workspace.forFile(file, context.global);
  // The file is checked before the store is created: an invalid file leaves nothing behind.
  await workspace.draft(file);
  const store = await workspace.openStore({ create: true });
  try {
    const { publication, created, dirty } = await publishFile(
      workspace,
      store,
      file,
      options.message,
    );
    if (options.json) {
      printJson(context.output, { ok: true, created, publication, store: store.info.location });
    } else if (created) {
      context.output.out(
        `Published ${publication.workflow} v${publication.seq} (${publication.version})`,
      );
      if (dirty) {
        context.output.out(
          `note: ${file} has uncommitted changes; commit it so v${publication.seq} matches a commit`,
        );
      }
    } else {
      context.output.out(
        `Already published: ${publication.workflow} v${publication.seq} (${publication.version}) has this content`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
