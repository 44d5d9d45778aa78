/**
 * What a store's files look like after a fault, read byte by byte without the store's code: a
 * file the store wrote must parse, except the partial last line of an append-only log that a
 * killed writer may leave (never acknowledged: readers ignore it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** What the audit found. */
export interface FileAudit {
  /** Files checked (the indexes excluded: rebuildable caches, checked by opening the store). */
  readonly files: number;
  /** Files (or lines) that do not parse, each as `<path>: <why>`. */
  readonly corrupt: readonly string[];
  /** Append-only logs whose last line is partial. */
  readonly tornTails: number;
  /** Temporary files (`.tmp-…`) left by a killed writer. */
  readonly tempFiles: number;
  /**
   * Run journals (`local/runs/<day>/<id>.jsonl`) whose header line is complete, by run id. A
   * journal killed before its header was written holds no run (nothing of it was acknowledged).
   */
  readonly journals: ReadonlyMap<string, string>;
  /** Journals without a complete header line. */
  readonly headerless: number;
}

/** Every file under `root`, relative, `/`-separated. */
function walk(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .map((file) => file.split(path.sep).join('/'));
}

/** Checks every JSON and JSON-lines file of the store at `root` (its `.lockstep` folder). */
export function auditStoreFiles(root: string): FileAudit {
  const corrupt: string[] = [];
  const journals = new Map<string, string>();
  let files = 0;
  let tornTails = 0;
  let tempFiles = 0;
  let headerless = 0;
  for (const file of walk(root)) {
    const base = path.posix.basename(file);
    if (base.startsWith('.tmp-')) {
      tempFiles++;
      continue;
    }
    if (file.endsWith('.sqlite') || file.endsWith('.lock') || file.includes('.lock/')) continue;
    // The control log's index is a cache with lines of its own (JSON and a checksum) that
    // repairs itself: a damaged one is rewritten from the log by the next reader.
    if (file === 'local/control-index.jsonl') continue;
    const full = path.join(root, file);
    if (file.endsWith('.json')) {
      files++;
      try {
        JSON.parse(readFileSync(full, 'utf8'));
      } catch (error) {
        corrupt.push(`${file}: ${(error as Error).message}`);
      }
    } else if (file.endsWith('.jsonl')) {
      files++;
      const text = readFileSync(full, 'utf8');
      const lines = text.split('\n');
      const tail = lines.pop() ?? '';
      if (tail !== '') tornTails++;
      for (const [i, line] of lines.entries()) {
        try {
          JSON.parse(line);
        } catch (error) {
          corrupt.push(`${file}:${i + 1}: ${(error as Error).message}`);
        }
      }
      const match = /^local\/runs\/[^/]+\/([^/]+)\.jsonl$/.exec(file);
      if (match && lines.length > 0) journals.set(match[1]!, file);
      else if (match) headerless++;
    }
  }
  return { files, corrupt, tornTails, tempFiles, journals, headerless };
}
