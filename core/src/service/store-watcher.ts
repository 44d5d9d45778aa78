/**
 * Notices when the store changes, whoever changed it (this service, the CLI, another window):
 * a recursive watch of the `.lockstep` folder where the platform has one, and a cheap poll of the
 * control log and the run and version folders as the safety net (watches miss events on some file
 * systems, and the folder may not exist yet). Changes are reported once they settle.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StoreChange } from './protocol.js';

/** How long changes must be quiet before they are reported. */
const SETTLE_MS = 100;
/** How often the poll looks. */
const POLL_MS = 1_500;

/** Watches `storeDir`; `onChange` gets what changed. Call `close` to stop. */
export class StoreWatcher {
  private watcher: FSWatcher | undefined;
  private readonly poll: NodeJS.Timeout;
  private pending = new Set<StoreChange>();
  private timer: NodeJS.Timeout | undefined;
  private fingerprint = '';
  private closed = false;

  constructor(
    private readonly storeDir: string,
    private readonly onChange: (changes: StoreChange[]) => void,
  ) {
    this.poll = setInterval(() => void this.check(), POLL_MS);
    this.poll.unref();
    void this.check(true);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
  }

  /** Starts the watch once the folder exists; compares the fingerprint with the last one. */
  private async check(first = false): Promise<void> {
    if (this.closed) return;
    if (!this.watcher) this.startWatch();
    const now = await this.currentFingerprint();
    if (!first && now !== this.fingerprint) this.changed(['baselines', 'versions', 'runs']);
    this.fingerprint = now;
  }

  private startWatch(): void {
    try {
      this.watcher = watch(this.storeDir, { recursive: true }, (_event, file) => {
        const name = typeof file === 'string' ? file.split(path.sep).join('/') : '';
        if (name.startsWith('local/runs')) this.changed(['runs']);
        else if (name.startsWith('baselines')) this.changed(['baselines']);
        else if (name === 'control.jsonl' || name.startsWith('local/versions'))
          this.changed(['versions']);
        else if (name === '' || name === 'local') this.changed(['baselines', 'versions', 'runs']);
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined; // the poll starts it again when it can
      });
    } catch {
      this.watcher = undefined; // no folder yet, or no recursive watch here: the poll covers it
    }
  }

  private changed(changes: StoreChange[]): void {
    for (const change of changes) this.pending.add(change);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const settled = [...this.pending].sort();
      this.pending = new Set();
      if (!this.closed && settled.length > 0) this.onChange(settled);
    }, SETTLE_MS);
  }

  /**
   * Sizes and times of what changes when versions, runs or baselines are written: the control
   * log, each workflow's snapshot and baseline folders, and the newest day folder of runs (a new
   * run lands there).
   */
  private async currentFingerprint(): Promise<string> {
    const of = async (relative: string): Promise<string> => {
      try {
        const info = await stat(path.join(this.storeDir, relative));
        return `${relative}:${info.size}:${info.mtimeMs}`;
      } catch {
        return `${relative}:-`;
      }
    };
    const list = async (relative: string): Promise<string[]> =>
      (await readdir(path.join(this.storeDir, relative)).catch(() => [] as string[])).sort();
    const workflows = await list('local/versions');
    const days = await list('local/runs');
    const baselines = await list('baselines');
    const parts = await Promise.all([
      of('control.jsonl'),
      ...workflows.map((name) => of(`local/versions/${name}`)),
      of('local/runs'),
      ...days.slice(-1).map((day) => of(`local/runs/${day}`)),
      of('baselines'),
      ...baselines.map((name) => of(`baselines/${name}`)),
    ]);
    return parts.join('|');
  }
}
