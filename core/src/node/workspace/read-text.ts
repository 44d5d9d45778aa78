/** Reading user files with errors that say what to do, instead of raw errno codes. */
import { readFile } from 'node:fs/promises';
import { displayPath } from './display-path.js';
import { FileError } from '../../model/errors.js';

/**
 * Reads a UTF-8 text file.
 * @throws FileError naming the file when it is missing, a folder or unreadable.
 */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a workflow file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (error as Error).message;
    throw new FileError('unreadable-file', `${displayPath(file)}: ${reason}`, { cause: error });
  }
}
