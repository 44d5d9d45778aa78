/**
 * The local log: what this machine did to its own history (snapshot prunes, run prunes, pins,
 * the gates it ran, the run bundles it imported; in a team store, baselines added and removed),
 * one JSON line per entry, each carrying the sha256 of the line before it (`prev`), so an edited,
 * deleted or reordered line breaks the chain. It is local, beside the runs and never committed, so
 * two people's pins never conflict in git. (Snapshot prunes, its first entries, have no `type`.)
 */
import { sha256 } from '../hash/canonical.js';
import type { ContentId } from '../model/content-id.js';

/** Snapshots removed by `retention.snapshots`. */
export interface SnapshotPruneEntry {
  readonly workflow: string;
  readonly removed: readonly ContentId[];
  readonly at: string;
}

/** A run kept from pruning, and why. */
export interface PinEntry {
  readonly type: 'pin';
  readonly run: string;
  readonly reason: string;
  readonly actor: string;
  readonly at: string;
}

export interface UnpinEntry {
  readonly type: 'unpin';
  readonly run: string;
  readonly actor: string;
  readonly at: string;
}

/** Runs removed by `lockstep prune`. */
export interface RunPruneEntry {
  readonly type: 'prune-runs';
  readonly removed: readonly string[];
  readonly actor: string;
  readonly at: string;
}

/**
 * A gate that ran here (`lockstep gate`): which candidate was compared with which baseline, on
 * which runs, and the verdict, with the sha256 of its JSON report. A promotion with
 * `--require-gate` looks here for a passing one, and cites it in the control log.
 */
export interface GateEntry {
  readonly type: 'gate';
  readonly workflow: string;
  readonly candidate: ContentId;
  readonly baseline: ContentId;
  /** The channel whose stable version was the baseline, when it was named by its channel. */
  readonly channel?: string;
  /** The runs replayed, in the order drawn. */
  readonly sample: readonly string[];
  readonly changed: number;
  readonly maxChangedPercent: number;
  readonly pass: boolean;
  /** sha256 of the gate's report (its canonical JSON; `lockstep gate --json` prints it). */
  readonly report: ContentId;
  readonly actor: string;
  readonly at: string;
}

/**
 * A run bundle imported here (`lockstep import`, `lockstep gate --bundle`): which bundle, who
 * exported it and when, and what it added (an import that added nothing is not logged).
 */
export interface ImportEntry {
  readonly type: 'import';
  /** The bundle's content id. */
  readonly bundle: ContentId;
  readonly exportedAt: string;
  readonly exportedBy: string;
  /** The runs added, child runs included. */
  readonly runs: readonly string[];
  /** The versions added (as snapshots). */
  readonly versions: readonly ContentId[];
  readonly actor: string;
  readonly at: string;
}

/**
 * A regression baseline added to or removed from a store that keeps baselines itself (a team's
 * PostgreSQL store; baseline files are recorded by git instead).
 */
export interface BaselineEntry {
  readonly type: 'baseline';
  readonly action: 'add' | 'remove';
  readonly workflow: string;
  /** The run the baseline keeps. */
  readonly run: string;
  /** The baseline's id (sha256 of its canonical text). */
  readonly baseline: ContentId;
  readonly actor: string;
  readonly at: string;
}

export type LocalEntry =
  | SnapshotPruneEntry
  | PinEntry
  | UnpinEntry
  | RunPruneEntry
  | GateEntry
  | ImportEntry
  | BaselineEntry;

/** A line of the local log as read, with its chain hash (sha256 of the line's text). */
export interface LocalLogLine {
  readonly line: number;
  readonly text: string;
  readonly hash: ContentId;
  readonly prev?: ContentId | null;
  readonly entry?: LocalEntry;
  readonly error?: string;
}

/** The text of the next line, chained to the last one (`last` undefined for the first line). */
export function localLine(entry: LocalEntry, last: string | undefined): string {
  return JSON.stringify({ ...entry, prev: last === undefined ? null : sha256(last) });
}

/** Parses the log's text into lines (a partial last line is left out). */
export function parseLocalLog(text: string): LocalLogLine[] {
  const texts = text.split('\n');
  texts.pop(); // after the last newline: empty, or an unfinished append
  return texts.map((lineText, i) => {
    const base = { line: i + 1, text: lineText, hash: sha256(lineText) };
    try {
      const { prev, ...entry } = JSON.parse(lineText) as LocalEntry & { prev?: ContentId | null };
      return { ...base, prev, entry };
    } catch {
      return { ...base, error: 'not valid JSON (a damaged or hand-edited line)' };
    }
  });
}

/** Why the chain is broken, line by line (empty when intact). */
export function localLogProblems(
  lines: readonly LocalLogLine[],
): { line: number; message: string }[] {
  const problems: { line: number; message: string }[] = [];
  lines.forEach((line, i) => {
    if (line.error) problems.push({ line: line.line, message: line.error });
    const expected = i === 0 ? null : lines[i - 1]!.hash;
    if (line.entry && line.prev !== expected) {
      problems.push({
        line: line.line,
        message:
          i === 0
            ? 'the first line names a line before it: lines were deleted'
            : 'it does not link to the line before it (a line was edited, deleted or moved)',
      });
    }
  });
  return problems;
}

/** The gates recorded for `workflow`, oldest first. */
export function gatesOf(lines: readonly LocalLogLine[], workflow: string): GateEntry[] {
  return lines.flatMap(({ entry }) =>
    entry && 'type' in entry && entry.type === 'gate' && entry.workflow === workflow ? [entry] : [],
  );
}

/** The pinned runs, by id, as the log leaves them. */
export function pinsOf(lines: readonly LocalLogLine[]): Map<string, PinEntry> {
  const pins = new Map<string, PinEntry>();
  for (const { entry } of lines) {
    if (entry && 'type' in entry) {
      if (entry.type === 'pin') pins.set(entry.run, entry);
      else if (entry.type === 'unpin') pins.delete(entry.run);
    }
  }
  return pins;
}
