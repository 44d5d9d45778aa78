/**
 * The PostgreSQL store's schema, as versioned migrations (see migrations.ts). Append a script to
 * change it; never edit one that has shipped.
 *
 * - `store_head`: one row, the control log's head. Every control-log append locks it (FOR
 *   UPDATE) in the transaction that appends, so entries are chained one at a time.
 * - `control_log`: the hash-chained audit trail, one row per entry: its head as JSON text and,
 *   for publications, the version record it embeds (kept apart so the head can be folded
 *   without reading records).
 * - `workflow_seq`: each workflow's last `seq`, a counter row updated in the publishing
 *   transaction only from n to n + 1, so numbers stay gapless under concurrent publishers.
 * - `channels`: each channel's state with its `revision`; a change updates it by compare and swap.
 * - `snapshots`: versions not (yet) published.
 * - `blobs`: content-addressed bytes (large run events live here too).
 * - `runs` / `run_events`: partitioned by the day the run started, so retention drops whole days;
 *   `run_ids` keeps ids unique across partitions. An open run names the backend that writes it
 *   (pid and start time): when that session is gone, the run is interrupted.
 * - `local_log`: pins, prunes, gates and imports, hash-chained like the file store's.
 * - `baselines` (2): regression baselines, each its canonical text named by its sha256 like a
 *   baseline file, at most one per run and workflow.
 */
export const STORE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE store_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    format integer NOT NULL,
    head_index bigint NOT NULL DEFAULT 0,
    head_hash text
  );
  INSERT INTO store_head (format) VALUES (1);

  CREATE TABLE control_log (
    entry_index bigint PRIMARY KEY,
    type text NOT NULL,
    workflow text NOT NULL,
    hash text NOT NULL,
    head text NOT NULL,
    record text
  );

  CREATE TABLE workflow_seq (
    workflow text PRIMARY KEY,
    last_seq integer NOT NULL
  );

  CREATE TABLE channels (
    workflow text NOT NULL,
    channel text NOT NULL,
    revision integer NOT NULL,
    state jsonb NOT NULL,
    PRIMARY KEY (workflow, channel)
  );

  CREATE TABLE snapshots (
    id text PRIMARY KEY,
    workflow text NOT NULL,
    created_at text NOT NULL,
    record text NOT NULL
  );
  CREATE INDEX snapshots_by_workflow ON snapshots (workflow);

  CREATE TABLE blobs (
    id text PRIMARY KEY,
    data bytea NOT NULL
  );

  CREATE TABLE run_ids (
    id text PRIMARY KEY,
    day date NOT NULL
  );

  CREATE TABLE runs (
    id text NOT NULL,
    day date NOT NULL,
    workflow text NOT NULL,
    version text NOT NULL,
    mode text NOT NULL,
    channel text,
    started_at text NOT NULL,
    status text NOT NULL,
    open boolean NOT NULL,
    writer_pid integer,
    writer_start timestamptz,
    summary jsonb NOT NULL,
    PRIMARY KEY (id, day)
  ) PARTITION BY RANGE (day);
  CREATE INDEX runs_newest ON runs (started_at DESC, id DESC);
  CREATE INDEX runs_by_workflow ON runs (workflow, started_at DESC, id DESC);
  CREATE INDEX runs_by_version ON runs (version);

  CREATE TABLE run_events (
    run_id text NOT NULL,
    day date NOT NULL,
    n integer NOT NULL,
    event text,
    blob text,
    PRIMARY KEY (run_id, day, n)
  ) PARTITION BY RANGE (day);

  CREATE TABLE local_log (
    line bigint PRIMARY KEY,
    text text NOT NULL
  );
  `,
  `
  CREATE TABLE baselines (
    workflow text NOT NULL,
    id text NOT NULL,
    run_id text NOT NULL,
    started_at text NOT NULL,
    body text NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workflow, id),
    UNIQUE (workflow, run_id)
  );
  `,
];

/** The NOTIFY channel a store's changes are announced on (payload: control, runs or local). */
export const CHANGE_CHANNEL = 'lockstep_store_changes';
