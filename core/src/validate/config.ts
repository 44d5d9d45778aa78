/** Workspace settings from `.lockstep/config.yaml`, validated against `config.schema.json`. */
import type { ValidateFunction } from 'ajv';
import { compileOwnSchema } from '../format/ajv.js';
import configSchema from '../format/config.schema.json' with { type: 'json' };
import { redactPathProblem } from '../expressions/redact-path.js';
import { parseYamlText } from '../parse/parse-yaml.js';
import type { SourceLocator } from '../parse/source-locator.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { JsonValue } from '../model/workflow.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import { storeSettingDiagnostics } from './store-setting.js';

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

/** The config schema, printed by `lockstep schema --config`. */
export const CONFIG_SCHEMA: Readonly<Record<string, unknown>> = configSchema;

export interface ParsedConfig {
  readonly config: LockstepConfig;
  /** Problems with the file; when any is an error, `config` is empty (the defaults). */
  readonly diagnostics: readonly Diagnostic[];
}

let validate: ValidateFunction | undefined;

/** Parses config text; an empty file is the defaults. Never throws on bad input. */
export function parseConfigText(text: string): ParsedConfig {
  if (text.trim() === '') return { config: {}, diagnostics: [] };
  const parsed = parseYamlText(text);
  const syntax = parsed.diagnostics;
  if (syntax.some((d) => d.severity === 'error')) return { config: {}, diagnostics: syntax };
  const value = parsed.value ?? {};
  validate ??= compileOwnSchema(CONFIG_SCHEMA);
  if (validate(value)) {
    const config = value as LockstepConfig;
    const problems = [
      ...redactDiagnostics(config, parsed.locator),
      ...storeSettingDiagnostics(config.store, parsed.locator),
    ];
    if (problems.length > 0) return { config: {}, diagnostics: [...syntax, ...problems] };
    return { config, diagnostics: syntax };
  }
  return {
    config: {},
    diagnostics: schemaDiagnostics(validate.errors ?? [], value, parsed.locator),
  };
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

/** Each `redact:` entry that is not a redact path (see expressions/redact-path.ts). */
function redactDiagnostics(config: LockstepConfig, locator: SourceLocator): Diagnostic[] {
  return (config.redact ?? []).flatMap((path, index): Diagnostic[] => {
    const problem = redactPathProblem(path);
    return problem === undefined
      ? []
      : [
          {
            code: 'schema',
            severity: 'error',
            message: `redact[${index}]: '${path}': ${problem}`,
            range: locator.range(['redact', index]),
          },
        ];
  });
}
