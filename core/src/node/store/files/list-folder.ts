import { readdirSync } from 'node:fs';

/**
 * The names in folder `dir`; none when it is gone or cannot be read (a day folder pruned, a
 * store removed while listed): what was in it is no longer there to catch up with.
 */
export function listFolder(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
