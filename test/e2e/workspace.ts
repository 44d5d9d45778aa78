/**
 * The folder the end-to-end suites open: a copy of examples/ (its workflows, fixtures, inputs and
 * settings, not its local runs) plus the scenario files.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { BROKEN, COMPOSE, FAILING, GREETING } from './scenario-files.js';

/** Creates the workspace in a fresh temporary folder and returns its path. */
export function createWorkspace(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lockstep-e2e-workspace-'));
  const examples = path.join(REPO_ROOT, 'examples');
  cpSync(examples, root, {
    recursive: true,
    // Local state of `npm run demo` (runs, snapshots, the audit trail) stays out.
    filter: (source) => {
      const relative = path.relative(examples, source);
      return !relative.startsWith('.lockstep') || relative === '.lockstep';
    },
  });
  mkdirSync(path.join(root, '.lockstep'), { recursive: true });
  cpSync(path.join(examples, '.lockstep/config.yaml'), path.join(root, '.lockstep/config.yaml'));
  for (const file of [BROKEN, COMPOSE, GREETING, FAILING])
    writeFileSync(path.join(root, file.name), file.text);
  return root;
}
