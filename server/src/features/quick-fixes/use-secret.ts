/** A literal credential: replaced with `${{ secrets.NAME }}`, keeping a scheme such as `Bearer`. */
import { isMap, isScalar, isSeq } from 'yaml';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { nodeAtOffset } from '../../../../core/src/parse/node-at-offset.js';
import type { JsonPath } from '../../../../core/src/parse/source-locator.js';
import { messageOf, messagePath } from '../../analysis/diagnostic-message.js';
import type { DocumentAnalysis } from '../../analysis/document-analysis.js';
import type { FeatureContext } from '../../analysis/feature-context.js';
import { quickFix } from './quick-fix.js';

/** `… write api_key: ${{ secrets.FAST_API_KEY }} …`: the name a message itself suggests. */
const SUGGESTED = /write [\w.-]+: \$\{\{ secrets\.([A-Za-z_][A-Za-z0-9_]*) \}\}/;
const SCHEME = /^(Bearer|Basic|token|Bot)\s+/i;
/** Fields whose name says nothing about which secret they hold. */
const GENERIC_FIELDS = /^(authorization|proxy-authorization|cookie|prompt|system|body|content)$/i;

/**
 * Replaces the credential with a secret reference. Undefined for a password inside a URL: the
 * URL around it is not a secret, and which part to keep is the user's call.
 */
export function useSecret(context: FeatureContext, diagnostic: Diagnostic): CodeAction | undefined {
  const { analysis } = context;
  const { document, text } = analysis;
  const message = messageOf(diagnostic);
  const path = messagePath(message, analysis.outline.steps) ?? [];
  if (path.at(-1) === 'url') return undefined;
  let from = document.offsetAt(diagnostic.range.start);
  let to = document.offsetAt(diagnostic.range.end);
  const node = nodeAtOffset(analysis.doc, from)?.node;
  if (!isScalar(node) || !node.range) return undefined;
  const [start, end] = node.range;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (quoted && from === start && to === end) [from, to] = [from + 1, to - 1];
  const scheme = SCHEME.exec(text.slice(from, to))?.[0] ?? '';
  const name = secretName(analysis, message, path);
  const expression = `${scheme}\${{ secrets.${name} }}`;
  const title = `Replace with \${{ secrets.${name} }}`;
  if (!quoted && inFlowCollection(analysis, path)) {
    // `{` may not appear in a plain scalar inside `{ }` or `[ ]`: quote the whole value.
    const value = text.slice(start, from) + expression + text.slice(to, end);
    const range = { start: document.positionAt(start), end: document.positionAt(end) };
    return quickFix(context, title, diagnostic, [
      { range, newText: `'${value.replace(/'/g, "''")}'` },
    ]);
  }
  const range = { start: document.positionAt(from), end: document.positionAt(to) };
  return quickFix(context, title, diagnostic, [{ range, newText: expression }]);
}

/**
 * The name a message suggests (`api_key` messages name one), else one made from the field
 * (`x-api-key` → `X_API_KEY`), else from the step (`crm` → `CRM_TOKEN`).
 */
function secretName(analysis: DocumentAnalysis, message: string, path: JsonPath): string {
  const suggested = SUGGESTED.exec(message)?.[1];
  if (suggested) return suggested;
  const field = path.at(-1);
  const step =
    path[0] === 'steps' && typeof path[1] === 'number'
      ? analysis.outline.steps[path[1]]?.id
      : undefined;
  const base =
    typeof field === 'string' && !GENERIC_FIELDS.test(field)
      ? field
      : step !== undefined
        ? `${step}_token`
        : 'api_token';
  const upper = base.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z_]/.test(upper) ? upper : `SECRET_${upper}`;
}

/** Whether any collection holding the value at `path` is written in flow style. */
function inFlowCollection(analysis: DocumentAnalysis, path: JsonPath): boolean {
  for (let length = 0; length < path.length; length++) {
    const prefix = path.slice(0, length);
    const node = length === 0 ? analysis.doc.contents : analysis.doc.getIn(prefix, true);
    if ((isMap(node) || isSeq(node)) && node.flow) return true;
  }
  return false;
}
