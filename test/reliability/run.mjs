// `npm run test:reliability`: runs the compiled reliability suites (out/test/reliability/
// *.reliability.js) one after the other with Node's test runner, then prints each suite's counts
// from the results file. Named *.reliability.ts so that `npm test` (test/run-tests.mjs, which
// takes *.test.js) does not run them. Pass a fragment to run a subset: `node test/reliability/run.mjs crash`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve('out/test/reliability');
const filter = process.argv[2];
const results =
  process.env.LOCKSTEP_RELIABILITY_RESULTS ?? path.resolve('out/reliability/results.json');

// Only suites whose source still exists (out/ keeps what tsc once wrote).
const files = (existsSync(dir) ? readdirSync(dir) : [])
  .filter((name) => name.endsWith('.reliability.js'))
  .filter((name) => existsSync(path.join('test/reliability', name.replace(/\.js$/, '.ts'))))
  .filter((name) => !filter || name.includes(filter))
  .sort()
  .map((name) => path.join(dir, name));
if (files.length === 0) {
  console.error(`no reliability suites under ${dir}${filter ? ` matching '${filter}'` : ''}`);
  process.exit(1);
}
// A full run starts a fresh results file, so no figure of an older run is shown as current.
if (!filter) rmSync(results, { force: true });
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
try {
  const { suites } = JSON.parse(readFileSync(results, 'utf8'));
  console.log(`\nreliability (${results}):`);
  for (const suite of Object.values(suites)) console.log(`  ${suite.line}`);
} catch {
  console.log(`\nreliability: no results in ${results}`);
}
process.exit(result.status ?? 1);
