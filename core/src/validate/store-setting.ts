/**
 * The config's `store:` setting: a PostgreSQL URL, never with a password. The config is
 * committed and may come from a stranger's pull request, so a password written there is an
 * error (the credentials belong in PGPASSWORD, ~/.pgpass or LOCKSTEP_STORE), and no message ever
 * repeats the URL it found.
 */
import type { Diagnostic } from '../model/diagnostics.js';
import type { SourceLocator } from '../parse/source-locator.js';

/** True for a `postgres://` or `postgresql://` URL (any case), the store URLs Lockstep opens. */
export function isStoreUrl(location: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(location);
}

/**
 * Whether a store URL carries a password: in its user part (`user:secret@`) or as a
 * `password=` parameter, which libpq (and so `pg`) also reads. An unparseable URL counts as
 * carrying one, so that it is never trusted or shown.
 */
export function storeUrlHasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || parsed.searchParams.has('password');
  } catch {
    return true;
  }
}

/** What to do instead of writing a password into the config (shared by every message). */
export const STORE_PASSWORD_ADVICE =
  'remove it and give the password in PGPASSWORD or ~/.pgpass, or the whole URL in LOCKSTEP_STORE';

/** Why a `store:` value cannot be used, or undefined when it can; never quotes the value. */
export function storeSettingProblem(value: string): string | undefined {
  if (!isStoreUrl(value)) {
    return 'must be a PostgreSQL URL (postgres://user@host:5432/database); leave it out to keep the store in .lockstep/';
  }
  if (storeUrlHasPassword(value)) {
    return `the URL holds a password (or cannot be read), and this file is committed: ${STORE_PASSWORD_ADVICE}`;
  }
  return undefined;
}

/** The diagnostic for the config's `store:` value, at the value, when it cannot be used. */
export function storeSettingDiagnostics(
  store: string | undefined,
  locator: SourceLocator,
): Diagnostic[] {
  if (store === undefined) return [];
  const problem = storeSettingProblem(store);
  if (problem === undefined) return [];
  return [
    {
      // A password is a credential written into a committed file, as a literal key in a workflow.
      code: isStoreUrl(store) ? 'literal-secret' : 'schema',
      severity: 'error',
      message: `store: ${problem}`,
      range: locator.range(['store']),
    },
  ];
}
