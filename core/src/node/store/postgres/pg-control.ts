/**
 * The control log in PostgreSQL: the hash-chained audit trail of publications and channel
 * changes, folded into the same ControlState every backend uses (so they decide alike). An
 * append is one transaction that locks the chain's head row, catches up with what others
 * committed, decides the entry against that state, and writes the entry, the workflow's `seq`
 * counter (n → n + 1 only), the channel row (compare and swap on its revision) and the new head
 * together: a failed step leaves nothing behind.
 */
import type pg from 'pg';
import { LockstepError, StoreError, TamperedError } from '../../../model/errors.js';
import { ControlState } from '../../../store/control-state.js';
import {
  controlEntryProblem,
  entryHead,
  type ControlEntry,
  type ControlEntryHead,
  type VersionRecord,
} from '../../../store/records.js';
import { storeFailure } from './connection.js';
import { CHANGE_CHANNEL } from './schema.js';

interface LogRow {
  entry_index: string;
  head: string;
  record: string | null;
}

export class PgControl {
  private state = new ControlState();
  /** The last queued use of `state` (see `exclusive`). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {}

  /** The state after catching up with every committed entry. */
  async current(): Promise<ControlState> {
    return this.exclusive(async () => {
      await this.readDelta(this.pool);
      return this.state;
    });
  }

  /**
   * Appends the entry `decide` makes from the caught-up state, under the head lock; `decide`
   * returns undefined to append nothing (e.g. already published).
   * @returns the appended entry, or undefined.
   */
  async append(
    decide: (state: ControlState, client: pg.ClientBase) => Promise<ControlEntry | undefined>,
    nothingDone: string,
  ): Promise<ControlEntry | undefined> {
    return this.exclusive(async () => {
      const client = await this.pool.connect().catch((error: unknown) => {
        throw storeFailure(this.location, error);
      });
      let applied = false;
      try {
        await client.query('BEGIN');
        await client.query('SELECT head_index FROM store_head FOR UPDATE');
        await this.readDelta(client);
        this.refuseBrokenChain(nothingDone);
        const entry = await decide(this.state, client);
        if (!entry) {
          await client.query('COMMIT');
          return undefined;
        }
        await this.write(client, entry);
        this.state.apply(entryHead(entry), entry.index);
        applied = true;
        await client.query('COMMIT');
        return entry;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        // The state may hold an entry that was not committed: fold the log again next time.
        if (applied) this.state = new ControlState();
        throw storeFailure(this.location, error);
      } finally {
        client.release();
      }
    });
  }

  /**
   * Appends entries exactly as given (same hashes): for copying another store's log. Entries
   * this log already holds (same index and hash) are skipped, so a copy can resume.
   * @throws StoreError `broken-control-log` when an entry does not continue this log's chain.
   */
  async appendVerbatim(entries: readonly ControlEntry[]): Promise<number> {
    let added = 0;
    for (const entry of entries) {
      const problem = controlEntryProblem(entry);
      if (problem) throw new TamperedError(`control log entry ${entry.index}`, problem);
      const appended = await this.append(async (state, client) => {
        if (entry.index <= state.lastIndex) {
          const { rows } = await client.query<{ hash: string }>(
            'SELECT hash FROM control_log WHERE entry_index = $1',
            [entry.index],
          );
          if (rows[0]?.hash === entry.hash) return undefined;
          throw new StoreError(
            'broken-control-log',
            `${this.location}: its control log entry ${entry.index} differs from the one being copied: the two stores have different histories`,
          );
        }
        if (entry.index !== state.lastIndex + 1 || entry.prev !== state.lastHash) {
          throw new StoreError(
            'broken-control-log',
            `${this.location}: entry ${entry.index} does not continue its control log (at entry ${state.lastIndex})`,
          );
        }
        return entry;
      }, 'Nothing more was copied');
      if (appended) added++;
    }
    return added;
  }

  /** The version record a publication at `index` embeds. */
  async record(index: number): Promise<VersionRecord | undefined> {
    const { rows } = await this.pool.query<{ record: string | null }>(
      'SELECT record FROM control_log WHERE entry_index = $1',
      [index],
    );
    const text = rows[0]?.record;
    return text ? (JSON.parse(text) as VersionRecord) : undefined;
  }

  /** Every entry, oldest first, rebuilt whole. */
  async readAll(): Promise<ControlEntry[]> {
    const { rows } = await this.pool.query<LogRow>(
      'SELECT entry_index, head, record FROM control_log ORDER BY entry_index',
    );
    return rows.map(entryOf);
  }

  private async write(client: pg.ClientBase, entry: ControlEntry): Promise<void> {
    const { record, ...head } = entry.type === 'publish' ? entry : { ...entry, record: null };
    await client.query(
      `INSERT INTO control_log (entry_index, type, workflow, hash, head, record)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        entry.index,
        entry.type,
        entry.workflow,
        entry.hash,
        JSON.stringify(head),
        record ? JSON.stringify(record) : null,
      ],
    );
    if (entry.type === 'publish') {
      const counted = await client.query(
        `INSERT INTO workflow_seq (workflow, last_seq) VALUES ($1, $2)
         ON CONFLICT (workflow) DO UPDATE SET last_seq = EXCLUDED.last_seq
         WHERE workflow_seq.last_seq = EXCLUDED.last_seq - 1`,
        [entry.workflow, entry.seq],
      );
      if (counted.rowCount !== 1) {
        throw new StoreError(
          'broken-control-log',
          `${this.location}: ${entry.workflow}'s version counter does not stand at v${entry.seq - 1}: the counter and the log disagree (run \`lockstep verify\`). Nothing was published`,
        );
      }
    } else {
      const channel = this.stateAfter(entry);
      const swapped = await client.query(
        `INSERT INTO channels (workflow, channel, revision, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (workflow, channel) DO UPDATE SET revision = EXCLUDED.revision, state = EXCLUDED.state
         WHERE channels.revision = EXCLUDED.revision - 1`,
        [entry.workflow, entry.channel, entry.revision, JSON.stringify(channel)],
      );
      if (swapped.rowCount !== 1) {
        throw new LockstepError(
          'conflict',
          `channel '${entry.channel}' of ${entry.workflow} changed while this change was being made (its revision is no longer ${entry.revision - 1}). Nothing was changed; look at \`lockstep channels ${entry.workflow}\` and try again`,
        );
      }
    }
    await client.query('UPDATE store_head SET head_index = $1, head_hash = $2', [
      entry.index,
      entry.hash,
    ]);
    await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, 'control']);
  }

  /** The channel's state once `entry` is folded in (the state itself changes only on commit). */
  private stateAfter(entry: Extract<ControlEntry, { type: 'channel' }>): unknown {
    const probe = new ControlState();
    probe.apply({ ...entry, index: 1, prev: null }, 1);
    const { targets } = probe.channel(entry.workflow, entry.channel)!;
    return { targets, revision: entry.revision, entry: entry.index, hash: entry.hash };
  }

  private async readDelta(client: pg.ClientBase | pg.Pool): Promise<void> {
    const { rows } = await client
      .query<LogRow>(
        `SELECT entry_index, head, NULL AS record FROM control_log
         WHERE entry_index > $1 ORDER BY entry_index`,
        [this.state.lastIndex],
      )
      .catch((error: unknown) => {
        throw storeFailure(this.location, error);
      });
    for (const row of rows) {
      this.state.apply(JSON.parse(row.head) as ControlEntryHead, Number(row.entry_index));
    }
  }

  private refuseBrokenChain(nothingDone: string): void {
    const broken = this.state.chainBreaks[0];
    if (broken) {
      throw new StoreError(
        'broken-control-log',
        `${this.location} control log entry ${broken.line}: ${broken.message}. ${nothingDone}; run \`lockstep verify\``,
      );
    }
  }

  /** Runs `work` after every earlier use of the folded state by this instance. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** A whole entry from its row. */
function entryOf(row: LogRow): ControlEntry {
  const head = JSON.parse(row.head) as ControlEntryHead;
  return (row.record === null ? head : { ...head, record: JSON.parse(row.record) }) as ControlEntry;
}
