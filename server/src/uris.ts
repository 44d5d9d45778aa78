/**
 * Document identity. Clients spell the same file differently (`file:///c%3A/x` and
 * `file:///C:/x`), so a file's key is its normalised path; other schemes (`untitled:`) keep
 * their URI as the key. Core validation identifies files by these keys.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The file-system path of a `file:` URI, or undefined for other schemes and malformed URIs. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

/** The `file:` URI of an absolute path. */
export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

/** The key that identifies a document: its path for files, its URI otherwise. */
export function documentKey(uri: string): string {
  return uriToPath(uri) ?? uri;
}

/** The URI to report a key under (the inverse of `documentKey` for files). */
export function keyToUri(key: string): string {
  return path.isAbsolute(key) ? pathToUri(key) : key;
}
