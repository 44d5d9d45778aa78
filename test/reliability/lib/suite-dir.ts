/** Working folders of the reliability suites. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from '../../helpers/temp.js';

/**
 * A fresh folder, removed when the test ends unless `LOCKSTEP_RELIABILITY_KEEP=1` (then its path
 * is printed, to look at what a failure left).
 */
export function suiteDir(t: TestContext, prefix: string): string {
  if (process.env['LOCKSTEP_RELIABILITY_KEEP'] !== '1') return tempDir(t, prefix);
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  console.log(`kept: ${dir}`);
  return dir;
}
