/** Core diagnostics as LSP diagnostics: same ranges, stable codes, severities and related places. */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic, Severity } from '../../../core/src/model/diagnostics.js';
import { toLspRange } from '../lsp-ranges.js';
import { DIAGNOSTIC_SOURCE } from '../protocol.js';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/**
 * Converts one file's diagnostics. `uriOf` turns the key of another file named by a related
 * place into its URI; a related place without a file is in `uri` itself.
 */
export function toLspDiagnostics(
  diagnostics: readonly Diagnostic[],
  uri: string,
  uriOf: (key: string) => string,
): LspDiagnostic[] {
  return diagnostics.map((diagnostic) => {
    const converted: LspDiagnostic = {
      range: toLspRange(diagnostic.range),
      severity: SEVERITY[diagnostic.severity],
      code: diagnostic.code,
      source: DIAGNOSTIC_SOURCE,
      message: diagnostic.message,
    };
    if (diagnostic.related) {
      converted.relatedInformation = [
        {
          location: {
            uri: diagnostic.related.file === undefined ? uri : uriOf(diagnostic.related.file),
            range: toLspRange(diagnostic.related.range),
          },
          message: diagnostic.related.message,
        },
      ];
    }
    return converted;
  });
}
