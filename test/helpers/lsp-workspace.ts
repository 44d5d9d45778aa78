/** Workspaces on disk for language-server tests: a root with `.lockstep/` and workflow files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { tempDir } from './temp.js';

export interface LspWorkspace {
  readonly root: string;
  /** The absolute path of a file of the workspace. */
  path(name: string): string;
  /** The `file:` URI of a file of the workspace. */
  uri(name: string): string;
  /** Writes a file (folders created as needed); returns its URI. */
  write(name: string, text: string): string;
}

/**
 * A fresh workspace root holding `.lockstep/` (so it is the root whatever folders surround it),
 * with `files` written into it and, when given, `.lockstep/config.yaml`.
 */
export function lspWorkspace(
  t: TestContext,
  files: Record<string, string> = {},
  config?: string,
): LspWorkspace {
  const root = tempDir(t, 'lockstep-lsp-');
  mkdirSync(path.join(root, '.lockstep'));
  const workspace: LspWorkspace = {
    root,
    path: (name) => path.join(root, name),
    uri: (name) => pathToFileURL(path.join(root, name)).href,
    write: (name, text) => {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), text);
      return workspace.uri(name);
    },
  };
  for (const [name, text] of Object.entries(files)) workspace.write(name, text);
  if (config !== undefined) workspace.write('.lockstep/config.yaml', config);
  return workspace;
}

/** Joins lines into a file's text (with a final newline), so test workflows read like YAML. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
