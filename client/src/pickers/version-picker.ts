/**
 * A quick pick of a workflow's stored versions: published ones first (`v3`, their message as
 * detail), then snapshots (`@ab12cd34`), each with its age and author.
 */
import * as vscode from 'vscode';
import { VersionsRequest, type VersionItem } from '../../../core/src/service/protocol.js';
import type { ServiceClient } from '../service/service-client.js';
import { relativeAge } from '../status/relative-age.js';

interface VersionPick extends vscode.QuickPickItem {
  readonly version?: VersionItem;
}

/**
 * Asks for one of `workflow`'s versions; undefined when cancelled, or when there is none (then
 * the user is told so).
 * @param exclude a version id not to offer (the one already open).
 */
export async function pickVersion(
  client: ServiceClient,
  workflow: string,
  placeHolder: string,
  exclude?: string,
): Promise<VersionItem | undefined> {
  const { versions } = await client.request(VersionsRequest, { workflow });
  const offered = versions.filter((v) => v.id !== exclude);
  if (offered.length === 0) {
    void vscode.window.showInformationMessage(
      `${workflow} has no stored version yet${exclude ? ' besides this one' : ''}: save the file to snapshot it, or publish it.`,
    );
    return undefined;
  }
  const published = offered.filter((v) => v.seq !== undefined).sort((a, b) => b.seq! - a.seq!);
  const snapshots = offered.filter((v) => v.seq === undefined);
  const items: VersionPick[] = [
    ...(published.length > 0
      ? [{ label: 'Published', kind: vscode.QuickPickItemKind.Separator }]
      : []),
    ...published.map(itemOf),
    ...(snapshots.length > 0
      ? [{ label: 'Snapshots', kind: vscode.QuickPickItemKind.Separator }]
      : []),
    ...snapshots.map(itemOf),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.version;
}

function itemOf(version: VersionItem): VersionPick {
  const when = relativeAge(new Date(version.publishedAt ?? version.createdAt), new Date());
  return {
    label: version.seq !== undefined ? `v${version.seq}` : `@${version.id.slice(7, 15)}`,
    description: `${when} · ${version.author.replace(/\s*<[^>]*>$/, '')}`,
    ...(version.message ? { detail: version.message } : {}),
    version,
  };
}
