/**
 * `verify` for a PostgreSQL store: every hash recomputed (control-log entries and the records they
 * embed, snapshots, blobs, the local log's chain), the control log's chain folded afresh, and the
 * derived rows (each workflow's `seq` counter, each channel's revision, the chain head) checked
 * against what the log says. Changes nothing.
 */
import type pg from 'pg';
import { sha256 } from '../../../hash/canonical.js';
import type { ContentId } from '../../../model/content-id.js';
import { ControlState } from '../../../store/control-state.js';
import { localLogProblems, type LocalLogLine } from '../../../store/local-log.js';
import {
  entryHashProblem,
  entryHead,
  versionRecordProblem,
  type ControlEntry,
} from '../../../store/records.js';
import type { VerifyProblem, VerifyReport } from '../../../store/store.js';
import { BaselineError, parseBaseline } from '../../../baselines/baseline.js';

/** How many blobs verify reads at once. */
const BLOB_PAGE = 64;

/** Checks the store whose control log is `entries` (read whole by the caller). */
export async function verifyPgStore(
  pool: pg.Pool,
  location: string,
  entries: readonly ControlEntry[],
  readLocalLog: () => Promise<LocalLogLine[]>,
): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const error = (where: string, message: string, line?: number): void => {
    problems.push({ severity: 'error', where, message, ...(line === undefined ? {} : { line }) });
  };
  const logWhere = `${location} control_log`;
  const state = new ControlState();
  const versions = new Set<ContentId>();
  for (const entry of entries) {
    const hashProblem = entryHashProblem(entry);
    if (hashProblem) error(logWhere, hashProblem, entry.index);
    if (entry.type === 'publish') {
      versions.add(entry.version);
      const recordProblem = versionRecordProblem(entry.record, entry.version);
      if (recordProblem) error(logWhere, recordProblem, entry.index);
    }
    state.apply(entryHead(entry), entry.index);
  }
  problems.push(...state.problems(logWhere));

  const head = await pool.query<{ head_index: string; head_hash: string | null }>(
    'SELECT head_index, head_hash FROM store_head',
  );
  const headRow = head.rows[0];
  if (
    Number(headRow?.head_index) !== state.lastIndex ||
    (headRow?.head_hash ?? null) !== state.lastHash
  ) {
    error(
      `${location} store_head`,
      `the chain head does not name the log's last entry (${state.lastIndex})`,
    );
  }
  const counters = await pool.query<{ workflow: string; last_seq: number }>(
    'SELECT workflow, last_seq FROM workflow_seq',
  );
  const counted = new Map(counters.rows.map((row) => [row.workflow, row.last_seq]));
  for (const workflow of new Set([...state.workflows(), ...counted.keys()])) {
    const logged = state.publications(workflow).at(-1)?.seq ?? 0;
    if ((counted.get(workflow) ?? 0) !== logged) {
      error(
        `${location} workflow_seq`,
        `${workflow}'s counter stands at v${counted.get(workflow) ?? 0} but the log's last publication is v${logged}`,
      );
    }
  }
  const channels = await pool.query<{ workflow: string; channel: string; revision: number }>(
    'SELECT workflow, channel, revision FROM channels',
  );
  for (const row of channels.rows) {
    const folded = state.channel(row.workflow, row.channel)?.revision ?? 0;
    if (folded !== row.revision) {
      error(
        `${location} channels`,
        `channel '${row.channel}' of ${row.workflow} is at revision ${row.revision} but the log says ${folded}`,
      );
    }
  }

  const snapshots = await pool.query<{ id: ContentId; record: string }>(
    'SELECT id, record FROM snapshots',
  );
  for (const row of snapshots.rows) {
    versions.add(row.id);
    let problem: string | undefined;
    try {
      problem = versionRecordProblem(JSON.parse(row.record), row.id);
    } catch {
      problem = 'not valid JSON';
    }
    if (problem) error(`${location} snapshot ${row.id}`, problem);
  }

  for (const problem of localLogProblems(await readLocalLog())) {
    error(`${location} local_log`, problem.message, problem.line);
  }

  // A page of blobs at a time: together they may be far larger than memory.
  let blobCount = 0;
  for (let after = ''; ;) {
    const page = await pool.query<{ id: ContentId; data: Buffer }>(
      'SELECT id, data FROM blobs WHERE id > $1 ORDER BY id LIMIT $2',
      [after, BLOB_PAGE],
    );
    for (const row of page.rows) {
      if (sha256(row.data) !== row.id)
        error(`${location} blob ${row.id}`, 'content does not match its id');
    }
    blobCount += page.rows.length;
    if (page.rows.length < BLOB_PAGE) break;
    after = page.rows.at(-1)!.id;
  }

  const baselines = await pool.query<{ workflow: string; id: ContentId; body: string }>(
    'SELECT workflow, id, body FROM baselines',
  );
  for (const row of baselines.rows) {
    try {
      parseBaseline(row.body, `${location} baseline ${row.id}`, row.id, row.workflow);
    } catch (caught) {
      if (!(caught instanceof BaselineError)) throw caught;
      error(`${location} baseline ${row.id} of ${row.workflow}`, caught.detail);
    }
  }

  return {
    ok: !problems.some((p) => p.severity === 'error'),
    checked: { versions: versions.size, entries: entries.length, blobs: blobCount },
    problems,
  };
}
