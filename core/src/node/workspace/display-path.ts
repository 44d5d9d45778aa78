/** Paths in messages: as users typed them, relative to the current folder when inside it. */
import path from 'node:path';

/**
 * `file` relative to the current folder when it is inside it (and not the folder itself), else
 * absolute. A URL (a PostgreSQL store's location) is not a path: it is shown as it is.
 */
export function displayPath(file: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return file;
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative)
    ? path.resolve(file)
    : relative;
}
