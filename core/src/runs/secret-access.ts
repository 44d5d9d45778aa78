/**
 * Which secrets a run may read, where each may be sent, and what it must redact, from the
 * workspace's `.lockstep/config.yaml`: the config lists the secrets (`secrets: [NAME]`, or names
 * with `hosts`), so a workflow from a pull request cannot read an unrelated variable of the
 * runner's environment and send it somewhere.
 */
import { EngineError } from '../engine/engine-error.js';
import { secretRules, type LockstepConfig } from '../validate/config-settings.js';

/** What the runner needs to give a run its secrets (see RunOptions). */
export interface SecretAccess {
  /**
   * A listed secret's value, or undefined when it is not set.
   * @throws EngineError (`secret-not-listed`) for a name the config does not list.
   */
  readonly secret: (name: string) => string | undefined;
  /** The hosts a listed secret may be sent to; undefined when it may go anywhere. */
  readonly secretHosts: (name: string) => readonly string[] | undefined;
  /** Every listed secret that is set, by name: redacted from the run whether it reads it or not. */
  readonly redact: ReadonlyMap<string, string>;
}

/**
 * The secrets `config` lists, read with `read` (environment variables, by default in the
 * services that call this).
 */
export function secretAccess(
  config: LockstepConfig,
  read: (name: string) => string | undefined,
): SecretAccess {
  const rules = secretRules(config);
  const redact = new Map<string, string>();
  for (const name of rules.keys()) {
    const value = read(name);
    if (value !== undefined && value !== '') redact.set(name, value);
  }
  return {
    secret: (name) => {
      if (!rules.has(name)) {
        throw new EngineError(
          'secret-not-listed',
          `secrets.${name} is not listed in .lockstep/config.yaml, so no run may read it: add ${name} under secrets there (with the hosts it may be sent to) if this workflow should have it`,
        );
      }
      return read(name);
    },
    secretHosts: (name) => rules.get(name)?.hosts,
    redact,
  };
}
