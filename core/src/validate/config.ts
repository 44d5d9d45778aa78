/**
 * Parsing `.lockstep/config.yaml`: YAML, validated against `config.schema.json`. What the settings
 * mean is in config-settings.ts, which needs no parser.
 */
import type { ValidateFunction } from 'ajv';
import { compileOwnSchema } from '../format/ajv.js';
import configSchema from '../format/config.schema.json' with { type: 'json' };
import { redactPathProblem } from '../expressions/redact-path.js';
import { parseYamlText } from '../parse/parse-yaml.js';
import type { SourceLocator } from '../parse/source-locator.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import type { LockstepConfig } from './config-settings.js';
import { storeSettingDiagnostics } from './store-setting.js';

export {
  hostAllowed,
  secretRules,
  validationSettings,
  type LockstepConfig,
  type SecretRule,
  type ValidationSettings,
} from './config-settings.js';

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
