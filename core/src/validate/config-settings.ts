/**
 * Workspace settings (`.lockstep/config.yaml`) as values, and what they mean: which secrets a
 * workflow may read and send where, what validation may assume. No parser here: code that only
 * reads settings (a store opened without a config file, a run's secret checks) does not load
 * YAML or the schema validator; config.ts parses the file.
 */
import type { JsonValue } from '../model/workflow.js';

export interface LockstepConfig {
  env?: { allow?: string[] };
  /** The secrets workflows may read: names, or names with the hosts each may be sent to. */
  secrets?: string[] | Record<string, { hosts?: string[] } | null>;
  retention?: {
    snapshots?: number;
    versions?: number;
    runs?: { max_age_days?: number; max_count?: number };
  };
  replay?: { on_miss?: 'live' | 'stub' | 'fail' };
  prices?: Record<string, { input: number; output: number }>;
  /** Comparison rules for `lockstep test`: workflow name → output name → rule (as written). */
  compare?: Record<string, Record<string, JsonValue>>;
  /** Redact paths applied to every exported run bundle (personal data in inputs and outputs). */
  redact?: string[];
  /** The store to use instead of `.lockstep/`: a PostgreSQL URL without a password. */
  store?: string;
}

/** Where one listed secret may be sent: undefined hosts means anywhere. */
export interface SecretRule {
  readonly name: string;
  /** Host names (`api.example.com`) or subdomain patterns (`*.example.com`). */
  readonly hosts?: readonly string[];
}

/** The secrets a workspace's config lists, by name. */
export function secretRules(config: LockstepConfig): ReadonlyMap<string, SecretRule> {
  const listed = config.secrets;
  if (listed === undefined) return new Map();
  if (Array.isArray(listed)) return new Map(listed.map((name) => [name, { name }]));
  return new Map(
    Object.entries(listed).map(([name, rule]) => [
      name,
      rule?.hosts === undefined ? { name } : { name, hosts: rule.hosts },
    ]),
  );
}

/** Whether `hostname` (from a URL, any case) is one of `patterns`. */
export function hostAllowed(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => {
    const wanted = pattern.toLowerCase();
    return wanted.startsWith('*.') ? host.endsWith(wanted.slice(1)) : host === wanted;
  });
}

/** What validation reads from the config. */
export interface ValidationSettings {
  /** `env.allow`: the variables expressions may read. */
  readonly envAllowList: readonly string[];
  /** The names under `secrets`: the secrets expressions may read. */
  readonly secretNames: readonly string[];
}

/** The settings validation uses; a workspace without a config file has none of either. */
export function validationSettings(config: LockstepConfig): ValidationSettings {
  return { envAllowList: config.env?.allow ?? [], secretNames: [...secretRules(config).keys()] };
}
