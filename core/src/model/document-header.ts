/**
 * The header every Lockstep document file carries (`{ "lockstep": <kind>, "format": <n> }`):
 * baselines and run bundles are checked by it before anything else, so a file of another kind or
 * of a newer format is named as such rather than as damaged.
 */

/**
 * Why `value` is not a `kind` document of a format up to `format`, or undefined.
 * @param noun how messages name the kind (`baseline`, `run bundle`).
 */
export function documentHeaderProblem(
  value: unknown,
  kind: string,
  format: number,
  noun: string,
): string | undefined {
  const header = value as { lockstep?: unknown; format?: unknown } | null;
  if (header === null || typeof header !== 'object' || header.lockstep !== kind) {
    return `not a Lockstep ${noun}`;
  }
  if (typeof header.format !== 'number' || header.format > format) {
    return `${noun} format ${String(header.format)} is newer than this Lockstep reads (${format}); upgrade Lockstep`;
  }
  return undefined;
}
