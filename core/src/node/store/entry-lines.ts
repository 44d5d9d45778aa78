/**
 * Where each control-log entry's line is, by entry index: the places a checkpoint saved (entry
 * `i` on line `i`) and the lines read since. The first line wins when an index repeats (a log
 * with a broken chain), as the state folded from it reports.
 */
import type { EntryPlaces } from './files/control-checkpoint.js';
import type { LogLine } from './files/control-log-file.js';

export class EntryLines {
  private readonly read = new Map<number, LogLine>();

  constructor(private readonly saved?: EntryPlaces) {}

  /** The line of entry `index`, if the log has one. */
  get(index: number): LogLine | undefined {
    const known = this.read.get(index);
    if (known || !this.saved || index < 1 || index > this.saved.offsets.length) return known;
    // Kept once made: callers compare lines by identity (the chain's head already checked).
    const line = {
      line: index,
      offset: this.saved.offsets[index - 1]!,
      length: this.saved.lengths[index - 1]!,
    };
    this.read.set(index, line);
    return line;
  }

  /** Records the line of entry `index` unless one was recorded first. */
  addFirst(index: number, line: LogLine): void {
    if (this.get(index) === undefined) this.read.set(index, line);
  }

  /** Every entry's line, in the log's order. */
  inLogOrder(): LogLine[] {
    const count = this.saved?.offsets.length ?? 0;
    for (let index = 1; index <= count; index++) this.get(index);
    return [...this.read.values()].sort((a, b) => a.offset - b.offset);
  }
}
