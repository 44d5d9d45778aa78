/** Validates every workflow file of a workspace together: per-file rules plus workspace rules. */
import type { WorkflowDefinition } from '../model/workflow.js';
import { compareDiagnostics, hasErrors, type Diagnostic } from '../model/diagnostics.js';
import type { ReferencedFileReader } from '../model/file-refs.js';
import type { SemanticOptions } from './semantic.js';
import { validateWorkflowText, type ValidatedWorkflow } from './validate-workflow.js';
import { workspaceDiagnostics } from './workspace-checks.js';

/** A workflow file's identity (path or URI) and current text. */
export interface WorkspaceFile {
  readonly file: string;
  readonly text: string;
}

export interface FileValidation {
  readonly file: string;
  readonly validated: ValidatedWorkflow;
  /** The file's own diagnostics plus the workspace's, in source order. */
  readonly diagnostics: readonly Diagnostic[];
  /** Set only when the file has no errors, including workspace errors. */
  readonly definition?: WorkflowDefinition;
}

/** Validates files as one workspace. Results come back in the order of `files`. */
export function validateWorkspaceFiles(
  files: readonly WorkspaceFile[],
  options: SemanticOptions & {
    /** How messages name another file (default: its identity as given). */
    readonly describeFile?: (file: string) => string;
    /** Reads the prompt and schema files a workflow references (see model/file-refs.ts). */
    readonly readReferencedFile?: ReferencedFileReader;
  } = {},
): FileValidation[] {
  const validated = files.map((f) => ({
    file: f.file,
    validated: validateWorkflowText(f.text, {
      ...options,
      ...(options.readReferencedFile
        ? { readReference: (ref: string) => options.readReferencedFile!(f.file, ref) }
        : {}),
    }),
  }));
  const extra = workspaceDiagnostics(
    validated.map((v) => ({ file: v.file, summary: v.validated.summary })),
    options.describeFile,
  );
  return validated.map(({ file, validated: result }) => {
    const diagnostics = [...result.diagnostics, ...(extra.get(file) ?? [])].sort(
      compareDiagnostics,
    );
    return !hasErrors(diagnostics) && result.definition
      ? { file, validated: result, diagnostics, definition: result.definition }
      : { file, validated: result, diagnostics };
  });
}
