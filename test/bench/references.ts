/**
 * The references the benchmarks measure Lockstep against, loaded from test/bench/node_modules
 * (installed by setup.mjs), where the compiled benchmarks under out/ would not look on their own.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import type * as GraphileWorker from 'graphile-worker';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** `require` as seen from test/bench/package.json. */
export const requireReference = createRequire(path.join(repoRoot, 'test', 'bench', 'package.json'));

/** better-sqlite3's Database constructor. */
export const Database = requireReference('better-sqlite3') as typeof BetterSqlite3;

/** graphile-worker, the queue library the run queue is measured against. */
export const graphileWorker = requireReference('graphile-worker') as typeof GraphileWorker;
