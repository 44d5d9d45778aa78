/** The shape every quick fix shares: one diagnostic, edits in the document it is about. */
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver';
import type { FeatureContext } from '../../analysis/feature-context.js';

/** A preferred quick fix (the editor may apply it with one key) for `diagnostic`. */
export function quickFix(
  context: FeatureContext,
  title: string,
  diagnostic: Diagnostic,
  edits: TextEdit[],
): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: true,
    edit: { changes: { [context.uri]: edits } },
  };
}
