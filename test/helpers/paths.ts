/** Paths tests need: the repository root, the built CLI, fixtures. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from out/test/…, two levels below out/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The bundled CLI, built by `npm run build` before the tests run. */
export const CLI = path.join(REPO_ROOT, 'dist/cli.js');

/** Test fixtures (read from the source tree: they are not compiled). */
export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');
