// Installs the references `npm run bench` measures against (test/bench/package.json) into
// test/bench/node_modules, once: again only when the lockfile changed since. They stay out of the
// root package.json so that `npm ci` builds nothing native for users and CI.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const lock = path.join(dir, 'package-lock.json');
const installed = path.join(dir, 'node_modules', '.package-lock.json');
if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) process.exit(0);
console.error(
  'Installing the benchmarks’ references (better-sqlite3, yaml-language-server, graphile-worker) in test/bench…',
);
execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
