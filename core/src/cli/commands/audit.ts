/**
 * `lockstep audit [<name>] [--since <date>] [--format jsonl|csv] [-o <file>] [--local]`: the
 * control log (publications, channel changes, rollbacks, automatic aborts) as an export, each
 * entry with its chain hash; with `--local`, the local log (prunes, pins) too.
 */
import { writeFile } from 'node:fs/promises';
import { shortId } from '../../model/content-id.js';
import { UsageError } from '../../model/errors.js';
import { checkWorkflowName } from '../../model/names.js';
import { entryHead, type ControlEntry } from '../../store/records.js';
import type { LocalLogLine } from '../../store/local-log.js';
import { openCurrentStore, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export interface AuditOptions {
  readonly since?: string;
  readonly format?: string;
  readonly output?: string;
  readonly local?: boolean;
}

/** One exported row: the same fields for both logs. */
interface AuditRow {
  readonly log: 'control' | 'local';
  readonly index: number;
  readonly at: string;
  readonly actor: string;
  readonly type: string;
  readonly workflow: string;
  readonly summary: string;
  readonly hash: string;
  readonly prev: string | null;
  readonly entry: unknown;
}

const CSV_COLUMNS = [
  'log',
  'index',
  'at',
  'actor',
  'type',
  'workflow',
  'summary',
  'hash',
  'prev',
] as const;

/** Writes the export to standard output or `-o`; exit 0. */
export async function auditCommand(
  context: CommandContext,
  name: string | undefined,
  options: AuditOptions,
): Promise<ExitCode> {
  if (name !== undefined) checkWorkflowName(name);
  const format = options.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') {
    throw new UsageError(`--format ${format}: choose jsonl or csv`);
  }
  const since = options.since === undefined ? undefined : Date.parse(options.since);
  if (since !== undefined && Number.isNaN(since)) {
    throw new UsageError(
      `--since ${options.since}: give a date such as 2026-11-01 or 2026-11-01T12:00Z`,
    );
  }
  const store = await openCurrentStore(context);
  try {
    const rows = (await store.readControlLog()).map(controlRow);
    if (options.local) rows.push(...(await store.readLocalLog()).flatMap(localRow));
    const chosen = rows.filter(
      (row) =>
        (name === undefined || row.workflow === name) &&
        (since === undefined || Date.parse(row.at) >= since),
    );
    const text =
      format === 'csv'
        ? [
            CSV_COLUMNS.join(','),
            ...chosen.map((row) => CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')),
          ].join('\n') + '\n'
        : chosen.map((row) => JSON.stringify(row)).join('\n') + (chosen.length > 0 ? '\n' : '');
    if (options.output === undefined) context.output.write(text);
    else {
      await writeFile(options.output, text);
      context.output.err(`${chosen.length} entries written to ${options.output}`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function controlRow(entry: ControlEntry): AuditRow {
  const head = entryHead(entry);
  const summary =
    head.type === 'publish'
      ? `v${head.seq} ${head.version}: ${head.message}`
      : `${head.channel} r${head.revision} ${head.action}${head.rollsBack ? ` of r${head.rollsBack}` : ''}: ${head.from ? `v${head.from.stable.seq}` : '–'}${head.from?.candidate ? `+v${head.from.candidate.seq}@${head.from.candidate.weight}%` : ''} → ${head.to ? `v${head.to.stable.seq}` : '–'}${head.to?.candidate ? `+v${head.to.candidate.seq}@${head.to.candidate.weight}%` : ''}${head.message ? `: ${head.message}` : ''}`;
  return {
    log: 'control',
    index: head.index,
    at: head.at,
    actor: head.actor,
    type: head.type === 'publish' ? 'publish' : head.action,
    workflow: head.workflow,
    summary,
    hash: head.hash,
    prev: head.prev,
    entry: head,
  };
}

function localRow(line: LocalLogLine): AuditRow[] {
  const entry = line.entry;
  if (!entry) return [];
  const type = 'type' in entry ? entry.type : 'prune-snapshots';
  const summary =
    'type' in entry
      ? entry.type === 'pin'
        ? `pin ${entry.run}: ${entry.reason}`
        : entry.type === 'unpin'
          ? `unpin ${entry.run}`
          : entry.type === 'gate'
            ? `gate ${shortId(entry.candidate)} against ${entry.channel ?? shortId(entry.baseline)}: ${entry.pass ? 'passed' : 'failed'}, ${entry.changed} of ${entry.sample.length} runs changed`
            : entry.type === 'import'
              ? `imported bundle ${shortId(entry.bundle)} (exported by ${entry.exportedBy} at ${entry.exportedAt}): ${entry.runs.length} runs, ${entry.versions.length} versions`
              : entry.type === 'baseline'
                ? `baseline ${entry.action === 'add' ? 'added' : 'removed'}: run ${entry.run} (${shortId(entry.baseline)})`
                : `removed ${entry.removed.length} runs`
      : `removed ${entry.removed.length} snapshots`;
  return [
    {
      log: 'local',
      index: line.line,
      at: entry.at,
      actor: 'actor' in entry ? entry.actor : '',
      type,
      workflow: 'workflow' in entry ? entry.workflow : '',
      summary,
      hash: line.hash,
      prev: line.prev ?? null,
      entry,
    },
  ];
}

/** RFC 4180: quoted when it holds a comma, quote or line break; formulas defused for spreadsheets. */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
