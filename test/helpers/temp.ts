/** Temporary folders that clean themselves up after each test. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh empty folder, removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'lockstep-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  // Retried: under load a store's index worker may still be finishing its file as the test ends.
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  return dir;
}
