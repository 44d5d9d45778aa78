/**
 * Results of a pure function remembered per key, for the values a process sees over and over
 * (expressions and templates of the definitions it runs or checks), within a bound.
 */

/**
 * `compute` with its results remembered per key, at most `limit` of them: past that the oldest
 * is forgotten. `compute` must be pure: a remembered result is returned as it is, shared.
 */
export function boundedMemo<K, V>(limit: number, compute: (key: K) => V): (key: K) => V {
  const memo = new Map<K, V>();
  return (key) => {
    const known = memo.get(key);
    if (known !== undefined || memo.has(key)) return known as V;
    const value = compute(key);
    if (memo.size >= limit) memo.delete(memo.keys().next().value as K);
    memo.set(key, value);
    return value;
  };
}
