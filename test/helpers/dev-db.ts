/**
 * `npm run dev:db`: a PostgreSQL for trying a team store on this machine. The cluster lives in
 * .lockstep-dev-db/ (ignored by git) and survives restarts; Ctrl+C stops the server.
 */
import path from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.js';

const port = Number(process.env.LOCKSTEP_DEV_DB_PORT ?? 5433);
const server = await startEmbeddedPostgres({
  dataDir: path.resolve('.lockstep-dev-db', 'data'),
  port,
});
const store = new URL(server.url);
store.pathname = '/postgres';
console.log(`PostgreSQL 18 is listening on 127.0.0.1:${port} (data in .lockstep-dev-db/).`);
console.log(`Use it as a team store:  export LOCKSTEP_STORE=${store.toString()}`);
console.log('Ctrl+C stops it.');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
