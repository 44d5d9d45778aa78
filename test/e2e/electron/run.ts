/**
 * `npm run test:electron`: the same language features checked inside a downloaded VS Code
 * (@vscode/test-electron), for machines with internet access. It downloads VS Code
 * PINNED_VERSION on first use, so it cannot run offline and is not part of CI; `npm run test:e2e`
 * is the suite that runs everywhere.
 *
 * The extension-host half (suite.ts) is bundled to CommonJS first: VS Code loads test suites with
 * `require`, and this repository's compiled sources are ES modules.
 */
import { runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';
import { createWorkspace } from '../workspace.js';

/** The VS Code release the suite runs in: the one code-server 4.100.3 embeds. */
export const PINNED_VERSION = '1.100.3';

async function main(): Promise<void> {
  const suite = path.join(REPO_ROOT, 'out/electron/suite.cjs');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'test/e2e/electron/suite.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const workspace = createWorkspace();
  const userData = mkdtempSync(path.join(os.tmpdir(), 'lockstep-electron-'));
  try {
    await runTests({
      version: PINNED_VERSION,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: suite,
      launchArgs: [
        workspace,
        '--disable-extensions', // every other extension; the one under development stays
        '--disable-workspace-trust',
        '--skip-welcome',
        '--user-data-dir',
        userData,
      ],
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(userData, { recursive: true, force: true });
  }
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(
    `test:electron needs to download VS Code ${PINNED_VERSION}; without internet access, run npm run test:e2e.`,
  );
  process.exitCode = 1;
});
