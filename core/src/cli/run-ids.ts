/** Run ids as people type them: whole, or a unique prefix. */
import { RefError } from '../model/errors.js';
import type { Store } from '../store/store.js';

/**
 * The full id of a run given by id or by a unique prefix of at least 8 characters.
 * @throws RefError for unknown, ambiguous or too-short ids.
 */
export async function findRunId(store: Store, id: string): Promise<string> {
  if (await store.getRun(id).catch(() => undefined)) return id;
  if (id.length < 8)
    throw new RefError('unknown-run', `'${id}': give a run id, or at least its first 8 characters`);
  const matches = await store.findRunIds(id);
  if (matches.length === 0) {
    throw new RefError(
      'unknown-run',
      `no run ${id} in ${store.info.location} (\`lockstep runs <workflow>\` lists them)`,
    );
  }
  if (matches.length > 1)
    throw new RefError(
      'ambiguous-run',
      `'${id}' matches ${matches.length} runs; give more characters`,
    );
  return matches[0]!;
}
