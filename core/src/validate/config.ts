/** Workspace settings from `.lockstep/config.yaml`, validated against `config.schema.json`. */
import type { ValidateFunction } from 'ajv';
import { compileOwnSchema } from '../format/ajv.js';
import configSchema from '../format/config.schema.json' with { type: 'json' };
import { parseYamlText } from '../parse/parse-yaml.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { schemaDiagnostics } from './schema-diagnostics.js';

export interface LockstepConfig {
  env?: { allow?: string[] };
  retention?: { versions?: number; runs?: { max_age_days?: number; max_count?: number } };
  replay?: { on_miss?: 'live' | 'stub' | 'fail' };
  prices?: Record<string, { input: number; output: number }>;
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
  if (validate(value)) return { config: value as LockstepConfig, diagnostics: syntax };
  return {
    config: {},
    diagnostics: schemaDiagnostics(validate.errors ?? [], value, parsed.locator),
  };
}
