// Processes that record runs and use the index at the same time (the CLI recording while the
// editor lists runs, two CLI commands at once) each see every run, never corrupt the index file
// (each writes it whole and renames it into place), and leave an index equal to the journals.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import initSqlJs from 'sql.js';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import { storeLayout } from '../../core/src/node/store/files/layout.js';
import { RunJournals } from '../../core/src/node/store/files/run-journals.js';
import { filterRuns } from '../../core/src/store/listing.js';
import { tempDir } from '../helpers/temp.js';

const PROCESS = fileURLToPath(new URL('../helpers/run-index-process.js', import.meta.url));
const RUNS_EACH = 12;

function startProcess(
  root: string,
  workflow: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [PROCESS, root, workflow, String(RUNS_EACH)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('two processes using the index at once stay consistent', { timeout: 120_000 }, async (t) => {
  const root = path.join(tempDir(t), '.lockstep');
  const layout = storeLayout(root);
  // The editor: one long-lived store, listing while the others write.
  const editor = await openFsStore(root, { create: true });
  t.after(() => editor.close());
  const sql = await initSqlJs({
    locateFile: (f: string) => createRequire(import.meta.url).resolve(`sql.js/dist/${f}`),
  });

  const children = [startProcess(root, 'alpha'), startProcess(root, 'beta')];
  let done = false;
  void Promise.all(children).finally(() => (done = true));

  const seen = new Set<string>();
  let filesChecked = 0;
  while (!done) {
    const listed = new Set((await editor.index.listRuns({ limit: 100_000 })).map((r) => r.id));
    for (const id of seen) assert.ok(listed.has(id), `run ${id} disappeared from the listing`);
    for (const id of listed) seen.add(id);
    // Whatever is on disk at any moment is a whole, sound database.
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(layout.index);
    } catch {
      bytes = undefined; // not written yet
    }
    if (bytes) {
      const db = new sql.Database(bytes);
      assert.equal(db.exec('PRAGMA integrity_check')[0]?.values[0]?.[0], 'ok');
      db.close();
      filesChecked++;
    }
  }

  const results = await Promise.all(children);
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  const recorded = results.flatMap((r) => JSON.parse(r.stdout) as string[]);
  assert.equal(recorded.length, 2 * RUNS_EACH);
  assert.ok(filesChecked > 0, 'the index file was looked at while the processes wrote it');

  const scan = filterRuns(new RunJournals(layout.runs).summaries(), { limit: 100_000 });
  assert.deepEqual(
    scan.map((r) => r.id).sort(),
    [...recorded].sort(),
    'the journals hold every run recorded',
  );
  assert.deepEqual(await editor.index.listRuns({ limit: 100_000 }), scan);
  await editor.close();

  // A fresh process loads the file the last writer left, and it is complete after catch-up.
  const fresh = await openFsStore(root);
  t.after(() => fresh.close());
  assert.deepEqual(await fresh.index.listRuns({ limit: 100_000 }), scan);
  assert.equal((await fresh.index.stats()).opened, 'loaded');
});
