/** Diagnostics: what validation reports, in editor-neutral terms (1-based lines and columns). */

/** A 1-based line and column (columns count UTF-16 code units, as editors do). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A half-open source range: `end` is the position just after the last character. */
export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * Every diagnostic code Lockstep reports. Codes are stable: tools and golden fixtures match on
 * them, so rename one only with a migration note.
 */
export const DIAGNOSTIC_CODES = [
  'yaml-syntax',
  'yaml-limit',
  'file-too-large',
  'file-not-found',
  'file-outside-workspace',
  'invalid-referenced-file',
  'not-a-mapping',
  'schema',
  'unknown-key',
  'step-kind',
  'duplicate-step-id',
  'duplicate-workflow-name',
  'unknown-step',
  'forward-step-reference',
  'unknown-step-field',
  'unknown-model',
  'duplicate-tool-name',
  'unknown-tool',
  'provider-setting',
  'unknown-input',
  'unknown-name',
  'unknown-foreach-name',
  'unknown-workflow',
  'unknown-channel',
  'unknown-call-input',
  'missing-call-input',
  'call-input-type',
  'workflow-cycle',
  'expression-syntax',
  'literal-secret',
  'secret-exposure',
  'unknown-secret',
  'env-not-allowed',
  'invalid-default',
  'invalid-json-schema',
  'unused-input',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** One problem found in one file. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** Starts with the field path (e.g. `steps[2].llm.model: …`) whenever there is one. */
  readonly message: string;
  readonly range: Range;
  /** Another place that explains this one (the first definition of a duplicate, say). */
  readonly related?: {
    /** The other file; absent when it is the same file. */
    readonly file?: string;
    readonly range: Range;
    readonly message: string;
  };
}

/** Orders diagnostics by position, then code, so output is stable across runs. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.column - b.range.start.column ||
    a.code.localeCompare(b.code) ||
    a.message.localeCompare(b.message)
  );
}

/** True when any diagnostic is an error (warnings do not block snapshots or publishing). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
