/** `lockstep versions <name>`: published versions and snapshots of a workflow. */
import { shortId } from '../../model/content-id.js';
import { RefError } from '../../model/errors.js';
import { type CommandContext } from '../context.js';
import { DEFAULT_VERSIONS_KEPT, loadVersionStates } from '../../channels/version-states.js';
import { Workspace } from '../../node/workspace/workspace.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, shortTime } from '../output.js';

export interface VersionsOptions {
  readonly json?: boolean;
}

/** Lists published versions (newest number first), then snapshots (newest first). */
export async function versionsCommand(
  context: CommandContext,
  name: string,
  options: VersionsOptions,
): Promise<ExitCode> {
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore();
  try {
    const versions = await store.listVersions(name);
    if (versions.length === 0) {
      const known = await store.listWorkflows();
      throw new RefError(
        'unknown-workflow',
        `no versions of '${name}' in ${store.info.location} (${known.length === 0 ? 'the store is empty' : `workflows: ${known.join(', ')}`})`,
      );
    }
    const published = versions
      .filter((v) => v.publication)
      .sort((a, b) => b.publication!.seq - a.publication!.seq);
    const snapshots = versions.filter((v) => !v.publication);
    const keep = (await workspace.config()).retention?.versions ?? DEFAULT_VERSIONS_KEPT;
    const states = new Map(
      (await loadVersionStates(store, name, keep)).map((state) => [state.seq, state]),
    );
    if (options.json) {
      printJson(context.output, {
        name,
        published: published.map((v) => {
          const { seq: _seq, version: _version, ...state } = states.get(v.publication!.seq)!;
          return { ...v, ...state };
        }),
        snapshots,
      });
      return EXIT.ok;
    }
    if (published.length > 0) {
      context.output.out('Published:');
      for (const v of published) {
        const p = v.publication!;
        const commit = p.git ? `  ${p.git.commit.slice(0, 8)}${p.git.dirty ? '+dirty' : ''}` : '';
        const state = states.get(p.seq);
        const on = (state?.channels ?? []).map((c) => `${c.channel} ${c.share}%`).join(', ');
        const label = `${state?.state ?? 'executable'}${on ? ` (${on})` : ''}`;
        context.output.out(
          `  v${p.seq}  ${shortId(v.id)}  ${shortTime(p.at)}  ${p.author}${commit}  ${label}  ${p.message}`,
        );
      }
    }
    if (snapshots.length > 0) {
      context.output.out('Snapshots:');
      for (const v of snapshots) {
        context.output.out(`  ${shortId(v.id)}  ${shortTime(v.createdAt)}  ${v.author}`);
      }
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
