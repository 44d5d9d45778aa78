/**
 * Failures of the run queue's PostgreSQL database, said as the store's are (`storeFailure`), with
 * the advice of the queue: its URL comes from --queue-url or LOCKSTEP_QUEUE. Connections
 * themselves are the PostgreSQL store's (`createPool`, which survives the server closing them).
 */
import { storeFailure, type DatabaseRole } from '../../store/postgres/connection.js';

const QUEUE_ROLE: DatabaseRole = {
  noun: "the run queue's database",
  urlFrom: '--queue-url or LOCKSTEP_QUEUE',
  passwordFrom: 'the URL',
};

/**
 * The error to show for a failure talking to the queue's database: Lockstep's own errors
 * unchanged, anything else as a StoreError naming the database (never its password) and what to
 * check.
 */
export function queueFailure(location: string, error: unknown): Error {
  return storeFailure(location, error, QUEUE_ROLE);
}
