/** Paths in messages: as users typed them, relative to the current folder when inside it. */
import path from 'node:path';

/** `file` relative to the current folder when it is inside it (and not the folder itself), else absolute. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative)
    ? path.resolve(file)
    : relative;
}
