/**
 * The run queue's tables, as an ordered list of migrations (component `queue`, applied by the
 * store's `applyMigrations`): append a script to change the schema, never edit one that shipped. They live beside the store's tables in the
 * same database when the store is PostgreSQL, or in any database LOCKSTEP_QUEUE names.
 */

/** The queue's migrations, oldest first. */
export const QUEUE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE run_queue (
     id           text PRIMARY KEY,
     workflow     text NOT NULL,
     ref          text NOT NULL,
     input        jsonb NOT NULL,
     state        text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'failed')),
     attempts     integer NOT NULL DEFAULT 0,
     max_attempts integer NOT NULL DEFAULT 3,
     run_ids      text[] NOT NULL DEFAULT '{}',
     run_status   text,
     locked_by    text,
     locked_at    timestamptz,
     heartbeat_at timestamptz,
     lease_until  timestamptz,
     available_at timestamptz NOT NULL DEFAULT now(),
     error        text,
     created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
     finished_at  timestamptz
   );
   CREATE INDEX run_queue_ready ON run_queue (available_at, created_at) WHERE state = 'queued';
   CREATE INDEX run_queue_leases ON run_queue (lease_until) WHERE state = 'running';`,
];

/** The channel workers LISTEN on; an enqueue NOTIFYs it. */
export const QUEUE_CHANNEL = 'lockstep_run_queue';
