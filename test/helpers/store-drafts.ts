/** Version drafts and publish requests for store tests: small, valid, and distinct on demand. */
import type { JsonValue, WorkflowDefinition } from '../../core/src/model/workflow.js';
import type { GitInfo, PublishRequest, VersionDraft } from '../../core/src/store/records.js';

/** A fixed ISO time, `n` seconds after a fixed origin: later `n`, later time. */
export function at(n: number): string {
  return new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + n * 1000).toISOString();
}

/** A one-step definition; `value` makes it distinct (it is the transform's value). */
export function definition(name: string, value: JsonValue = 1): WorkflowDefinition {
  return { name, steps: [{ id: 'a', transform: value }] };
}

/** The YAML a user could have written for `definition(name, value)`. */
export function sourceOf(name: string, value: JsonValue = 1): string {
  return `name: ${name}\nsteps:\n  - id: a\n    transform: ${JSON.stringify(value)}\n`;
}

export interface DraftOptions {
  readonly source?: string;
  readonly sourcePath?: string;
  readonly createdAt?: string;
  readonly author?: string;
  readonly git?: GitInfo | null;
}

/** A draft of `definition(name, value)` with its source text and plain provenance. */
export function draft(
  name: string,
  value: JsonValue = 1,
  options: DraftOptions = {},
): VersionDraft {
  return {
    definition: definition(name, value),
    source: options.source ?? sourceOf(name, value),
    sourcePath: options.sourcePath ?? `${name}.workflow.yaml`,
    createdAt: options.createdAt ?? at(0),
    author: options.author ?? 'ann <ann@example.com>',
    git: options.git === undefined ? null : options.git,
  };
}

/** A publish request for `version`. */
export function publishOf(
  version: VersionDraft,
  options: { message?: string; at?: string; author?: string; git?: GitInfo | null } = {},
): PublishRequest {
  return {
    version,
    message: options.message ?? 'publish',
    at: options.at ?? at(100),
    author: options.author ?? 'bob <bob@example.com>',
    git: options.git === undefined ? null : options.git,
  };
}
