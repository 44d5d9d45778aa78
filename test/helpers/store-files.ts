/** Looking at a file store's bytes from the outside, as a user with an editor or git would. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The control log of the store at `root` (a `.lockstep` folder). */
export function controlLogPath(root: string): string {
  return path.join(root, 'control.jsonl');
}

/** The complete lines of the control log (without their newlines); [] when there is none. */
export function controlLogLines(root: string): string[] {
  let text: string;
  try {
    text = readFileSync(controlLogPath(root), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  lines.pop(); // what follows the last newline: '' or an unterminated line
  return lines;
}

/**
 * Every folder and file under `dir` with the files' bytes (base64), keyed by relative path: two
 * equal trees are byte-for-byte the same.
 */
export function treeOf(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const key = path.relative(dir, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        tree[`${key}/`] = '';
        walk(full);
      } else {
        tree[key] = readFileSync(full).toString('base64');
      }
    }
  };
  walk(dir);
  return tree;
}
