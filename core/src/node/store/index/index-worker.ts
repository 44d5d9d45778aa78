/**
 * The index worker's entry: owns the sql.js database and answers the store's requests one at a
 * time (see index-service.ts), so that reading journals, querying and exporting the whole
 * database never run on a thread that serves users. Bundled as dist/index-worker.js, next to
 * sql-wasm.wasm.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import initSqlJs from 'sql.js';
import type {
  IndexRequestMessage,
  IndexResponseMessage,
  IndexWorkerData,
} from './index-protocol.js';
import { readIndexFile } from './index-file.js';
import { IndexService } from './index-service.js';

const port = parentPort;
if (!port) throw new Error('index-worker.js runs as a worker thread of a store');
const data = workerData as IndexWorkerData;

/**
 * sql.js's WebAssembly file: next to this script in a bundle (esbuild.mjs copies it there), else
 * in the sql.js package (running from compiled sources).
 */
function locateFile(file: string): string {
  const beside = fileURLToPath(new URL(`./${file}`, import.meta.url));
  if (existsSync(beside)) return beside;
  return createRequire(import.meta.url).resolve(`sql.js/dist/${file}`);
}

// The index file is read while sql.js compiles; requests that arrive meanwhile wait, in order.
const service = Promise.all([initSqlJs({ locateFile }), readIndexFile(data.paths.index)]).then(
  ([sql, bytes]) =>
    new IndexService(sql, { paths: data.paths, exportDelayMs: data.exportDelayMs }, bytes),
);

port.on('message', (message: IndexRequestMessage) => {
  void service
    .then((index) => index.handle(message.request))
    .then(
      (value): IndexResponseMessage => ({ id: message.id, ok: true, value }),
      (error: unknown): IndexResponseMessage => ({
        id: message.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    )
    .then((response) => port.postMessage(response));
});
