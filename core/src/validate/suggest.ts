/** "Did you mean …?" suggestions for misspelled names. */
import { closest, distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `name` when it is plausibly a typo (a small edit distance for its
 * length), else undefined.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (list.length === 0) return undefined;
  const best = closest(name, list);
  // Short names allow one edit; from four characters on, two (a swapped pair is two edits).
  const limit = name.length < 4 ? 1 : Math.max(2, Math.floor(name.length / 3));
  return distance(name, best) <= limit ? best : undefined;
}

/** ` (did you mean 'x'?)` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

/** A readable list of names for messages: `a, b and c`, or `none`. */
export function listNames(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
