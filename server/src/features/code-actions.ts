/**
 * Quick fixes where the fix is clear, read from the diagnostics the server published (the
 * client sends them back with the request):
 * - an unknown step, input, model or workflow name with a "did you mean" → that name;
 * - a missing required key → the key inserted with a value the schema accepts;
 * - a literal credential → `${{ secrets.NAME }}`;
 * - a secret the config does not list → listed in `.lockstep/config.yaml`.
 */
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import type { FeatureContext } from '../analysis/feature-context.js';
import { DIAGNOSTIC_SOURCE } from '../protocol.js';
import { insertMissingKey } from './quick-fixes/insert-missing-key.js';
import { NAME_CODES, replaceName } from './quick-fixes/replace-name.js';
import { listSecret } from './quick-fixes/list-secret.js';
import { useSecret } from './quick-fixes/use-secret.js';

/** The quick fixes for `diagnostics` (other servers' diagnostics are ignored). */
export function codeActions(
  context: FeatureContext,
  diagnostics: readonly Diagnostic[],
): CodeAction[] {
  return diagnostics.flatMap((diagnostic) => {
    if (diagnostic.source !== undefined && diagnostic.source !== DIAGNOSTIC_SOURCE) return [];
    const code = String(diagnostic.code ?? '');
    const action = NAME_CODES.has(code)
      ? replaceName(context, diagnostic)
      : code === 'schema'
        ? insertMissingKey(context, diagnostic)
        : code === 'literal-secret'
          ? useSecret(context, diagnostic)
          : code === 'unknown-secret'
            ? listSecret(context, diagnostic)
            : undefined;
    return action ? [action] : [];
  });
}
