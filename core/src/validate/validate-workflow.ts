/**
 * Validates one workflow file: YAML syntax and limits, then the JSON Schema, then the semantic
 * rules. Reports every problem it can find in one pass, never only the first.
 */
import type { InputDefinition, WorkflowDefinition } from '../model/workflow.js';
import { validateAgainstSchema } from '../format/schema.js';
import { parseYamlText, type ParsedYaml } from '../parse/parse-yaml.js';
import type { JsonPath } from '../parse/source-locator.js';
import {
  compareDiagnostics,
  hasErrors,
  type Diagnostic,
  type Range,
} from '../model/diagnostics.js';
import { formatPath } from './json-path.js';
import { bestEffortDefinition } from './best-effort-definition.js';
import { embedFileReferences, type ReferenceReader } from './file-references.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import { semanticDiagnostics, type SemanticOptions, type WorkflowCall } from './semantic.js';

/**
 * What other files need to know about this one (for duplicate names, call cycles and the inputs
 * its callers give).
 */
export interface WorkflowSummary {
  /** The workflow's `name`, when the file has a string there (even if it has other errors). */
  readonly name?: string;
  readonly nameRange?: Range;
  readonly calls: readonly WorkflowCall[];
  /** Its declared inputs, when the file passes the schema (callers are checked against them). */
  readonly inputs?: { readonly [name: string]: InputDefinition };
}

export interface ValidatedWorkflow {
  readonly parsed: ParsedYaml;
  /** This file's own problems, in source order. Workspace checks add to these (see validate-workspace). */
  readonly diagnostics: readonly Diagnostic[];
  /** The definition, set only when the file has no errors. */
  readonly definition?: WorkflowDefinition;
  readonly summary: WorkflowSummary;
}

/** Options of `validateWorkflowText`. */
export interface WorkflowValidationOptions extends SemanticOptions {
  /**
   * Reads the files that `{ file }` references name; their content is embedded in the definition.
   * Without it references are left as written (no content) and not checked.
   */
  readonly readReference?: ReferenceReader;
}

/** Validates the text of one workflow file; never throws on bad input. */
export function validateWorkflowText(
  text: string,
  options: WorkflowValidationOptions = {},
): ValidatedWorkflow {
  const parsed = parseYamlText(text);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  if (!hasErrors(diagnostics) && !isMapping(parsed.value)) {
    diagnostics.push({
      code: 'not-a-mapping',
      severity: 'error',
      message:
        parsed.value === null || parsed.value === undefined
          ? 'the file is empty: a workflow needs at least `name` and `steps`'
          : 'a workflow file must be a mapping with `name`, `steps` and the other top-level keys',
      range: parsed.locator.range([]),
    });
  }
  const written = isMapping(parsed.value) ? parsed.value : undefined;
  const name = typeof written?.['name'] === 'string' ? written['name'] : undefined;
  const summaryBase = name === undefined ? {} : { name, nameRange: parsed.locator.range(['name']) };
  if (written === undefined || hasErrors(diagnostics)) {
    return { parsed, diagnostics: sorted(diagnostics), summary: { ...summaryBase, calls: [] } };
  }
  const embedded = embedFileReferences(written, parsed.locator, options.readReference);
  const value = embedded.value;
  diagnostics.push(...embedded.diagnostics);

  for (const path of nonFiniteNumbers(value, [])) {
    diagnostics.push({
      code: 'schema',
      severity: 'error',
      message: `${formatPath(path, value)}: must be a finite number (.inf and .nan have no JSON form)`,
      range: parsed.locator.range(path),
    });
  }
  const schemaProblems = schemaDiagnostics(validateAgainstSchema(value), value, parsed.locator);
  diagnostics.push(...schemaProblems);
  // Semantic checks run even when the schema failed (on the well-typed parts), so one problem
  // never hides the others.
  const definition =
    schemaProblems.length === 0
      ? (value as unknown as WorkflowDefinition)
      : bestEffortDefinition(value);
  const semantic = semanticDiagnostics(definition, parsed.locator, options);
  diagnostics.push(...semantic.diagnostics);
  const summary: WorkflowSummary = {
    ...summaryBase,
    calls: semantic.calls,
    ...(schemaProblems.length === 0 ? { inputs: definition.inputs ?? {} } : {}),
  };
  return hasErrors(diagnostics)
    ? { parsed, diagnostics: sorted(diagnostics), summary }
    : { parsed, diagnostics: sorted(diagnostics), definition, summary };
}

function sorted(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(compareDiagnostics);
}

function nonFiniteNumbers(value: unknown, path: JsonPath): JsonPath[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    nonFiniteNumbers(child, [...path, Array.isArray(value) ? Number(key) : key]),
  );
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
