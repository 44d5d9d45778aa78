/**
 * Recognising a PostgreSQL store's URL and naming it without its password. Kept apart from the
 * connection code (and the `pg` driver it loads) so that a process using a folder store, such
 * as a `lockstep runs` in a workspace, never loads the driver to ask whether its store is one.
 */

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(location);
}

/** The URL as people may see it: the password (and any query string) removed. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return 'postgres://(an unreadable URL)';
  }
}

/** Whether the URL carries a password (it must not, where it is committed). */
export function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}
