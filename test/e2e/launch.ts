/**
 * `npm start` (after the build): opens examples/ in a real VS Code with this repository loaded
 * as the extension under development. The user's `code` when it is on PATH; otherwise
 * code-server on 127.0.0.1, installed on first use by setup.sh, whose URL is printed. Set
 * `LOCKSTEP_EDITOR=code-server` (or `code`) to choose.
 *
 * It lives beside the end-to-end suite because both start code-server the same way
 * (code-server.ts).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { chooseEditor, setupBlocker, type EditorFacts } from './choose-editor.js';
import {
  CODE_SERVER_BIN,
  SETUP_SCRIPT,
  createProfile,
  linkRepositoryExtension,
  startCodeServer,
} from './code-server.js';

const EXAMPLES = path.join(REPO_ROOT, 'examples');

/** The first executable called `name` on PATH (with PATHEXT's extensions on Windows). */
function onPath(name: string): string | undefined {
  const extensions =
    process.platform === 'win32' ? (process.env['PATHEXT'] ?? '.CMD;.EXE').split(';') : [''];
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension.toLowerCase());
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function facts(): EditorFacts {
  return {
    code: onPath('code'),
    codeServerInstalled: existsSync(CODE_SERVER_BIN),
    setupBlocker: setupBlocker({
      platform: process.platform,
      arch: process.arch,
      hasAptGet: onPath('apt-get') !== undefined,
      isRoot: process.getuid?.() === 0,
      hasSudo: onPath('sudo') !== undefined,
    }),
    preferred: process.env['LOCKSTEP_EDITOR'] || undefined,
  };
}

async function main(): Promise<number> {
  const choice = chooseEditor(facts(), REPO_ROOT, EXAMPLES);
  switch (choice.kind) {
    case 'instructions':
      console.error(choice.message);
      return 1;
    case 'code': {
      console.log(`Opening examples/ in VS Code (${choice.command}) with the extension loaded…`);
      // `code` hands the request to the VS Code app and returns; a .cmd on Windows needs a shell.
      const result = spawnSync(choice.command, [...choice.args], {
        stdio: 'inherit',
        shell: process.platform === 'win32',
      });
      return result.status ?? 1;
    }
    case 'code-server':
      if (choice.setup) {
        console.log('code-server is not installed yet: running test/e2e/setup.sh (once)…');
        const setup = spawnSync('bash', [SETUP_SCRIPT], { stdio: 'inherit' });
        if (setup.status !== 0) return setup.status ?? 1;
      }
      return serve();
  }
}

/** Runs code-server until Ctrl-C, then stops it and removes its temporary profile. */
async function serve(): Promise<number> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lockstep-editor-'));
  const cleanUp = () => rmSync(root, { recursive: true, force: true });
  try {
    const profile = await createProfile(root);
    await linkRepositoryExtension(profile);
    const server = await startCodeServer({ profile, logFile: path.join(root, 'code-server.log') });
    console.log(
      [
        '',
        'VS Code (code-server) is serving examples/ with the Lockstep extension loaded. Open:',
        '',
        `  ${server.folderUrl(EXAMPLES)}`,
        '',
        'After `npm run build`, run "Developer: Reload Window" to load the new bundles.',
        `code-server's log: ${server.logFile}`,
        'Ctrl-C stops it.',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.log('Stopping code-server…');
    await server.stop();
    return 0;
  } finally {
    cleanUp();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  return 1;
});
