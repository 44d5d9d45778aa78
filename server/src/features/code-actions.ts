/**
 * Quick fixes where the fix is clear, read from the diagnostics the server published:
 * - an unknown step, input, model or workflow name with a "did you mean" → that name;
 * - a missing required key → the key inserted with a placeholder value;
 * - a literal credential → `${{ secrets.NAME }}`.
 */
import { isMap, isPair, type Node } from 'yaml';
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver';
import type { JsonPath } from '../../../core/src/parse/source-locator.js';
import type { FeatureContext } from '../analysis/feature-context.js';
import { enumValues, schemaAt, typesOf } from '../analysis/schema-at-path.js';
import { DIAGNOSTIC_SOURCE } from '../protocol.js';

const RENAMABLE = new Set([
  'unknown-step',
  'unknown-input',
  'unknown-model',
  'unknown-name',
  'unknown-workflow',
]);
const WRONG_NAME = /(?:unknown (?:step|input|model|name) |no workflow named )'([^']+)'/;
const SUGGESTION = /\(did you mean '([^']+)'\?\)/;
const MISSING_KEY = /^(.*): missing required key '([^']+)'$/;
/** `… write api_key: ${{ secrets.FAST_API_KEY }} …`: the name a message itself suggests. */
const SECRET_IN_MESSAGE = /write [\w.-]+: \$\{\{ secrets\.([A-Za-z_][A-Za-z0-9_]*) \}\}/;
const SCHEME = /^(Bearer|Basic|token|Bot)\s+/i;
/** Fields whose name says nothing about which secret they hold. */
const GENERIC_FIELDS =
  /^(authorization|proxy-authorization|cookie|url|prompt|system|body|content)$/i;

export function codeActions(
  context: FeatureContext,
  diagnostics: readonly Diagnostic[],
): CodeAction[] {
  const out: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== undefined && diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    const code = String(diagnostic.code ?? '');
    const action = RENAMABLE.has(code)
      ? replaceName(context, diagnostic)
      : code === 'schema'
        ? insertMissingKey(context, diagnostic)
        : code === 'literal-secret'
          ? useSecret(context, diagnostic)
          : undefined;
    if (action) out.push(action);
  }
  return out;
}

function replaceName(context: FeatureContext, diagnostic: Diagnostic): CodeAction | undefined {
  const wrong = WRONG_NAME.exec(messageOf(diagnostic))?.[1];
  const suggestion = SUGGESTION.exec(messageOf(diagnostic))?.[1];
  if (wrong === undefined || suggestion === undefined) return undefined;
  const { document } = context.analysis;
  const start = document.offsetAt(diagnostic.range.start);
  const covered = document.getText(diagnostic.range);
  const at = findWord(covered, wrong);
  if (at === -1) return undefined;
  const range = {
    start: document.positionAt(start + at),
    end: document.positionAt(start + at + wrong.length),
  };
  return fix(
    context,
    `Change '${wrong}' to '${suggestion}'`,
    diagnostic,
    [{ range, newText: suggestion }],
    true,
  );
}

function insertMissingKey(context: FeatureContext, diagnostic: Diagnostic): CodeAction | undefined {
  const missing = MISSING_KEY.exec(messageOf(diagnostic));
  if (!missing) return undefined;
  const path = parsePath(missing[1]!);
  const key = missing[2]!;
  if (!path) return undefined;
  const { analysis } = context;
  const node = (
    path.length === 0 ? analysis.doc.contents : analysis.doc.getIn(path, true)
  ) as Node | null;
  if (!isMap(node) || !node.range) return undefined;
  const value = placeholder(context, path, key);
  const first = node.items.find(isPair);
  const firstKey = first?.key as Node | null | undefined;
  let edit: TextEdit;
  const { document, text } = analysis;
  if (firstKey?.range) {
    const offset = firstKey.range[0];
    const position = document.positionAt(offset);
    const lineStart = document.offsetAt({ line: position.line, character: 0 });
    // Before the first key, at its column: in a block mapping the new key gets its own line,
    // in a flow mapping (`{ a: 1 }`) it joins the others.
    const newText = node.flow
      ? `${key}: ${value}, `
      : `${key}: ${value}\n${' '.repeat(offset - lineStart)}`;
    edit = { range: { start: position, end: position }, newText };
  } else {
    if (node.flow || text.trim() !== '') return undefined;
    edit = {
      range: { start: document.positionAt(0), end: document.positionAt(0) },
      newText: `${key}: ${value}\n`,
    };
  }
  return fix(context, `Add the missing key '${key}'`, diagnostic, [edit], true);
}

function useSecret(context: FeatureContext, diagnostic: Diagnostic): CodeAction | undefined {
  const { document } = context.analysis;
  const covered = document.getText(diagnostic.range);
  const quote = covered[0] === '"' || covered[0] === "'" ? covered[0] : '';
  const inner =
    quote && covered.endsWith(quote) && covered.length >= 2 ? covered.slice(1, -1) : covered;
  const name = secretName(context, messageOf(diagnostic));
  const scheme = SCHEME.exec(inner)?.[0] ?? '';
  const expression = `${scheme}\${{ secrets.${name} }}`;
  // A plain scalar may not contain `{` inside a flow mapping: quote it unless already quoted.
  const lineStart = document.offsetAt({ line: diagnostic.range.start.line, character: 0 });
  const before = document.getText().slice(lineStart, document.offsetAt(diagnostic.range.start));
  const inFlow = /[{[]/.test(before.replace(/\$\{\{/g, ''));
  const wholeValue = quote !== '' || inner === covered;
  const newText = quote
    ? `${quote}${expression}${quote}`
    : wholeValue && inFlow
      ? `'${expression}'`
      : expression;
  return fix(
    context,
    `Replace with \${{ secrets.${name} }}`,
    diagnostic,
    [{ range: diagnostic.range, newText }],
    true,
  );
}

/**
 * The secret name a literal-secret diagnostic suggests (`api_key` messages name one), else one
 * made from the field (`x-api-key` → `X_API_KEY`), else from the step (`crm` → `CRM_TOKEN`).
 */
function secretName(context: FeatureContext, message: string): string {
  const named = SECRET_IN_MESSAGE.exec(message)?.[1];
  if (named) return named;
  const path = parsePath(message.slice(0, message.indexOf(': '))) ?? [];
  const field = path.at(-1);
  const step =
    path[0] === 'steps' && typeof path[1] === 'number'
      ? context.analysis.outline.steps[path[1]]?.id
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

/** A value that satisfies the schema for a freshly inserted key, as single-line YAML. */
function placeholder(context: FeatureContext, path: JsonPath, key: string): string {
  const { outline } = context.analysis;
  if (path.length === 0 && key === 'name') {
    const base = /([^/\\]+?)\.workflow\.ya?ml$/.exec(context.uri)?.[1];
    const name = base
      ?.toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
    return name || 'my-workflow';
  }
  if (path.length === 0 && key === 'steps') return "[{ id: first, transform: '' }]";
  if (key === 'id' && path[0] === 'steps') {
    const used = new Set(outline.steps.map((s) => s.id));
    let n = typeof path[1] === 'number' ? path[1] + 1 : 1;
    while (used.has(`step${n}`)) n++;
    return `step${n}`;
  }
  if (key === 'model' && path.at(-1) === 'llm') return outline.models[0]?.name ?? "''";
  const schema = schemaAt([...path, key]);
  if (!schema) return "''";
  const allowed = enumValues(schema)[0];
  if (allowed !== undefined) return String(allowed);
  const types = typesOf(schema);
  if (types.includes('string')) return "''";
  if (types.includes('integer') || types.includes('number')) return '1';
  if (types.includes('boolean')) return 'false';
  if (types.includes('array')) return '[]';
  if (types.includes('object')) return '{}';
  return "''";
}

/** Parses a message's field path (`steps[2].llm`, `(top level)`) back into segments. */
function parsePath(text: string): JsonPath | undefined {
  if (text === '(top level)') return [];
  const out: (string | number)[] = [];
  const token = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\.)/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while (at < text.length && (match = token.exec(text)) !== null) {
    at = token.lastIndex;
    if (match[1] !== undefined) out.push(match[1]);
    else if (match[2] !== undefined) out.push(Number(match[2]));
    else if (match[3] !== undefined) out.push(JSON.parse(match[3]) as string);
  }
  return at === text.length ? out : undefined;
}

/** A diagnostic's message as text (LSP 3.18 also allows markup). */
function messageOf(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

/** The offset of `word` in `text` as a whole word, or -1. */
function findWord(text: string, word: string): number {
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    if (
      (before === undefined || !/[\w-]/.test(before)) &&
      (after === undefined || !/[\w-]/.test(after))
    ) {
      return at;
    }
  }
  return -1;
}

function fix(
  context: FeatureContext,
  title: string,
  diagnostic: Diagnostic,
  edits: TextEdit[],
  isPreferred: boolean,
): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred,
    edit: { changes: { [context.uri]: edits } },
  };
}
