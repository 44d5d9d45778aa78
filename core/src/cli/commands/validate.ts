/** `lockstep validate [files…]`: report every problem in workflow files. */
import path from 'node:path';
import {
  findWorkflowFiles,
  isDirectory,
  MAX_SCANNED_ENTRIES,
  Workspace,
} from '../../node/workspace/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { diagnosticJson, displayPath, formatDiagnostic, plural, printJson } from '../output.js';

export interface ValidateOptions {
  readonly json?: boolean;
}

/**
 * Validates the given files and folders (default: every workflow file of the workspace around the
 * current folder) with the workspace-wide checks. Exit 1 when any file has an error.
 */
export async function validateCommand(
  context: CommandContext,
  files: readonly string[],
  options: ValidateOptions,
): Promise<ExitCode> {
  // Folders stand for the workflow files under them.
  const expanded: string[] = [];
  for (const file of files) {
    if (await isDirectory(file)) expanded.push(...(await findWorkflowFiles(file)).files);
    else expanded.push(file);
  }
  const first = files[0];
  const start =
    first === undefined
      ? process.cwd()
      : (await isDirectory(first))
        ? path.resolve(first)
        : path.dirname(path.resolve(first));
  const workspace = await Workspace.locate(start, context.global);
  const results = await workspace.validate(files.length > 0 ? expanded : undefined);
  if (!workspace.searchComplete) {
    context.output.err(
      `lockstep: warning: stopped searching ${displayPath(workspace.root)} for workflow files after ${MAX_SCANNED_ENTRIES} entries; cross-file checks cover only the files found (create a .lockstep folder at your project's root to set the workspace)`,
    );
  }
  const errors = results.flatMap((r) => r.diagnostics).filter((d) => d.severity === 'error').length;
  const warnings = results
    .flatMap((r) => r.diagnostics)
    .filter((d) => d.severity === 'warning').length;

  if (options.json) {
    printJson(context.output, {
      ok: errors === 0,
      errors,
      warnings,
      files: results.map((r) => ({
        file: displayPath(r.file),
        name: r.validated.summary.name ?? null,
        valid: r.definition !== undefined,
        diagnostics: r.diagnostics.map((d) => diagnosticJson(r.file, d)),
      })),
    });
  } else {
    for (const result of results) {
      for (const d of result.diagnostics) context.output.out(formatDiagnostic(result.file, d));
    }
    if (results.length === 0) {
      context.output.out(
        `No workflow files (*.workflow.yaml) under ${displayPath(workspace.root) || '.'}`,
      );
    } else {
      const invalid = results.filter((r) => r.definition === undefined).length;
      const verdict = invalid === 0 ? 'valid' : `checked, ${invalid} invalid`;
      context.output.out(
        `${plural(results.length, 'file')} ${verdict}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
      );
    }
  }
  return errors === 0 ? EXIT.ok : EXIT.problems;
}
