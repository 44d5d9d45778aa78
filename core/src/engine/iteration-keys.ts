/**
 * The keys of foreach iterations, which make their step paths (`notes[intro]`). A declared `key`
 * is used as is; otherwise an item is keyed by the hash of its content plus its occurrence among
 * identical items, so a replay matches iterations by what they are, not by completion order.
 */
import type { JsonValue } from '../model/workflow.js';
import { contentId } from '../hash/canonical.js';
import { EngineError } from './engine-error.js';

/** Hex digits of an item's hash kept in its key. */
const HASH_DIGITS = 12;

/**
 * One key per item, in item order.
 * @param declared the evaluated `key` expression per item, when the step declares one.
 * @throws EngineError when two items have the same declared key.
 */
export function iterationKeys(
  stepId: string,
  items: readonly JsonValue[],
  declared?: readonly JsonValue[],
): string[] {
  if (declared) {
    const keys = declared.map((key) => (typeof key === 'string' ? key : JSON.stringify(key)));
    const first = new Map<string, number>();
    keys.forEach((key, i) => {
      const earlier = first.get(key);
      if (earlier !== undefined) {
        throw new EngineError(
          'foreach',
          `steps.${stepId}.key: items ${earlier} and ${i} both have the key '${key}'; keys must be unique`,
        );
      }
      first.set(key, i);
    });
    return keys;
  }
  const seen = new Map<string, number>();
  return items.map((item) => {
    const hash = contentId(item).slice('sha256:'.length, 'sha256:'.length + HASH_DIGITS);
    const occurrence = seen.get(hash) ?? 0;
    seen.set(hash, occurrence + 1);
    return occurrence === 0 ? hash : `${hash}#${occurrence}`;
  });
}
